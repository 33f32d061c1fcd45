"""SQL for tickets and their messages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.pagination import AnySelect, like_pattern
from app.models import AdminAccount, Ticket, TicketMessage, User
from app.models.enums import TicketStatus
from app.users.admin_repository import ICU, search_clause


async def lock_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Serialise one customer's ticket writes (limits are checked, then rows added)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


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
    """The staff queue: tickets with their message count and who wrote last (unsorted).

    The customer is matched through EXISTS and loaded per page (`users_by_id`): joining every ticket
    to its customer before sorting and counting made the queue ten times slower on a big shop.
    """
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
    stmt = select(Ticket, count.label("messages_count"), last_author.label("last_author"))
    if statuses:
        stmt = stmt.where(Ticket.status.in_(statuses))
    if user_id is not None:
        stmt = stmt.where(Ticket.user_id == user_id)
    if q and q.strip():
        customer = exists().where(User.id == Ticket.user_id, search_clause(q))
        subject = func.lower(Ticket.subject.collate(ICU)).like(like_pattern(q.strip().lower()), escape="\\")
        stmt = stmt.where(or_(subject, customer))
    return stmt


async def users_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    """The customers of one page of tickets."""
    if not ids:
        return {}
    return {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(set(ids))))).all()}
