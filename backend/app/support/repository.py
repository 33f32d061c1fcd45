"""SQL for tickets and their messages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.pagination import AnySelect, like_pattern
from app.models import AdminAccount, Ticket, TicketMessage, User
from app.models.enums import TicketStatus
from app.users.admin_repository import ICU, search_clause


async def lock_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Serialise one customer's ticket writes (limits are checked, then rows added)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())


async def count_unclosed(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Tickets of a customer that are not closed."""
    stmt = select(func.count()).where(Ticket.user_id == user_id, Ticket.status != TicketStatus.closed)
    return int(await session.scalar(stmt) or 0)


def tickets_of(user_id: uuid.UUID) -> Select[Any]:
    """A customer's tickets, latest activity first."""
    return (
        select(Ticket)
        .where(Ticket.user_id == user_id)
        .order_by(Ticket.last_message_at.desc().nulls_last(), Ticket.id.desc())
    )


async def messages(session: AsyncSession, ticket_id: uuid.UUID) -> Sequence[TicketMessage]:
    """Messages of a ticket, oldest first."""
    stmt = (
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket_id)
        .order_by(TicketMessage.created_at, TicketMessage.id)
    )
    return (await session.scalars(stmt)).all()


async def staff_messages(
    session: AsyncSession, ticket_id: uuid.UUID
) -> Sequence[tuple[TicketMessage, str | None]]:
    """Messages of a ticket with the staff account's name, oldest first."""
    stmt = (
        select(TicketMessage, AdminAccount.username)
        .outerjoin(AdminAccount, AdminAccount.id == TicketMessage.admin_id)
        .where(TicketMessage.ticket_id == ticket_id)
        .order_by(TicketMessage.created_at, TicketMessage.id)
    )
    return [(m, name) for m, name in (await session.execute(stmt)).all()]


def queue(
    *,
    statuses: Sequence[TicketStatus] | None = None,
    q: str | None = None,
    user_id: uuid.UUID | None = None,
) -> AnySelect:
    """The staff queue: tickets with their customer, message count and who wrote last (unsorted)."""
    count = (
        select(func.count()).where(TicketMessage.ticket_id == Ticket.id).correlate(Ticket).scalar_subquery()
    )
    last_author = (
        select(TicketMessage.author)
        .where(TicketMessage.ticket_id == Ticket.id)
        .order_by(TicketMessage.created_at.desc(), TicketMessage.id.desc())
        .limit(1)
        .correlate(Ticket)
        .scalar_subquery()
    )
    stmt = select(Ticket, User, count.label("messages_count"), last_author.label("last_author")).join(
        User, User.id == Ticket.user_id
    )
    if statuses:
        stmt = stmt.where(Ticket.status.in_(statuses))
    if user_id is not None:
        stmt = stmt.where(Ticket.user_id == user_id)
    if q and q.strip():
        stmt = stmt.where(
            or_(
                func.lower(Ticket.subject.collate(ICU)).like(like_pattern(q.strip().lower()), escape="\\"),
                search_clause(q),
            )
        )
    return stmt
