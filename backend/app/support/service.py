"""Support rules: limits on customers' tickets, the status machine, staff replies delivered by the worker.

Status: `open` waits for staff, `answered` waits for the customer, `closed` is done. A customer's
message (re)opens a ticket; a staff reply answers it (also a closed one); either side may close.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.kit.time import utcnow
from app.models import Ticket, TicketMessage, User
from app.models.enums import MessageAuthor, TicketStatus
from app.notifications.service import notify_admins
from app.shop_settings.registry import get_value
from app.support import repository
from app.support.schemas import (
    CustomerTicket,
    StaffMessageRead,
    StaffTicket,
    StaffTicketItem,
    TicketMessageRead,
    TicketRead,
)
from app.support.settings import MAX_OPEN_TICKETS
from app.users.admin_schemas import UserBrief
from app.worker.enqueue import enqueue_after_commit

log = structlog.get_logger(__name__)
_ALERT_EXCERPT = 500


class TicketNotFound(NotFound):
    """No such ticket (or not the caller's)."""

    default_detail = "Ticket not found"


class TicketClosed(Conflict):
    """A closed ticket takes no more customer messages."""

    default_detail = "This ticket is closed; open a new one"


class TooManyOpenTickets(Conflict):
    """The customer already has as many unclosed tickets as allowed."""


def _user_label(user: User) -> str:
    return f"@{user.username}" if user.username else f"{user.first_name or ''} ({user.telegram_id})".strip()


def _excerpt(text: str) -> str:
    return text if len(text) <= _ALERT_EXCERPT else text[: _ALERT_EXCERPT - 1] + "…"


def _add_message(
    session: AsyncSession, ticket: Ticket, author: MessageAuthor, text: str, admin_id: uuid.UUID | None = None
) -> TicketMessage:
    now = utcnow()
    message = TicketMessage(ticket_id=ticket.id, author=author, text=text, admin_id=admin_id, created_at=now)
    session.add(message)
    ticket.last_message_at = now
    return message


async def get_ticket(session: AsyncSession, ticket_id: uuid.UUID, user: User | None = None) -> Ticket:
    """A ticket (a customer only sees their own) or 404."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None or (user is not None and ticket.user_id != user.id):
        raise TicketNotFound()
    return ticket


async def open_ticket(session: AsyncSession, user: User, subject: str, text: str) -> Ticket:
    """A customer opens a ticket, within the limit of unclosed tickets; staff are alerted."""
    await repository.lock_user(session, user.id)
    limit = await get_value(session, MAX_OPEN_TICKETS)
    if await repository.count_unclosed(session, user.id) >= limit:
        raise TooManyOpenTickets(
            f"You already have {limit} open tickets; wait for an answer or close one first"
        )
    ticket = Ticket(user_id=user.id, subject=subject, status=TicketStatus.open)
    session.add(ticket)
    await session.flush()
    _add_message(session, ticket, MessageAuthor.user, text)
    await session.flush()
    notify_admins(
        session, "alert_ticket_opened", user=_user_label(user), subject=subject, text=_excerpt(text)
    )
    log.info("ticket_opened", ticket_id=str(ticket.id), user_id=str(user.id))
    return ticket


async def customer_message(session: AsyncSession, user: User, ticket: Ticket, text: str) -> TicketMessage:
    """A customer writes in their ticket: it waits for staff again; staff are alerted."""
    if ticket.status == TicketStatus.closed:
        raise TicketClosed()
    message = _add_message(session, ticket, MessageAuthor.user, text)
    ticket.status = TicketStatus.open
    await session.flush()
    notify_admins(
        session, "alert_ticket_message", user=_user_label(user), subject=ticket.subject, text=_excerpt(text)
    )
    return message


async def staff_reply(
    session: AsyncSession, ticket: Ticket, admin_id: uuid.UUID | None, text: str
) -> TicketMessage:
    """Staff answer: the ticket is answered (reopened if closed), the worker delivers it in Telegram."""
    message = _add_message(session, ticket, MessageAuthor.staff, text, admin_id)
    ticket.status = TicketStatus.answered
    ticket.closed_at = None
    await session.flush()
    enqueue_after_commit(
        session, "support.deliver_reply", str(message.id), _job_id=f"ticket-reply:{message.id}"
    )
    log.info("ticket_answered", ticket_id=str(ticket.id), message_id=str(message.id))
    return message


async def set_closed(session: AsyncSession, ticket: Ticket, closed: bool) -> bool:
    """Close or reopen a ticket; returns whether anything changed."""
    if (ticket.status == TicketStatus.closed) == closed:
        return False
    ticket.status = TicketStatus.closed if closed else TicketStatus.open
    ticket.closed_at = utcnow() if closed else None
    await session.flush()
    return True


async def customer_view(session: AsyncSession, ticket: Ticket) -> CustomerTicket:
    """A ticket with its messages, as the customer sees it."""
    messages = [TicketMessageRead.model_validate(m) for m in await repository.messages(session, ticket.id)]
    return CustomerTicket(**TicketRead.model_validate(ticket).model_dump(), messages=messages)


async def staff_view(session: AsyncSession, ticket: Ticket) -> StaffTicket:
    """A ticket with the customer and every message, as staff see it."""
    user = await session.get(User, ticket.user_id)
    assert user is not None  # tickets.user_id is a non-null foreign key
    messages = [
        StaffMessageRead.model_validate(m).model_copy(update={"admin_username": name})
        for m, name in await repository.staff_messages(session, ticket.id)
    ]
    return StaffTicket(
        **TicketRead.model_validate(ticket).model_dump(),
        user=UserBrief.model_validate(user),
        messages=messages,
    )


def queue_item(
    ticket: Ticket, user: User, messages_count: int, last_author: MessageAuthor | None
) -> StaffTicketItem:
    """A row of the staff queue."""
    return StaffTicketItem(
        **TicketRead.model_validate(ticket).model_dump(),
        user=UserBrief.model_validate(user),
        messages_count=messages_count,
        last_message_author=last_author,
    )
