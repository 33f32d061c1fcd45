"""Support tickets: the customer's side (through the bot) and the staff queue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record
from app.deps import SessionDep
from app.errors import error_responses
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate, paginate_rows
from app.models import Ticket, User
from app.models.enums import AdminRole, TicketStatus
from app.ratelimit.deps import limiters
from app.shop_settings.registry import get_value
from app.support import repository, service
from app.support.schemas import (
    CustomerTicket,
    MessageCreate,
    StaffTicket,
    StaffTicketItem,
    TicketCreate,
    TicketMessageRead,
    TicketRead,
)
from app.support.settings import MESSAGES_PER_HOUR
from app.users.admin_service import get_user
from app.users.deps import CurrentUser

customer_router = APIRouter(prefix="/users/me/tickets", tags=["customer"])
admin_router = APIRouter(prefix="/admin", tags=["admin: support"])

READ = Depends(RequireRole(AdminRole.support, "support:read"))
WRITE = Depends(RequireRole(AdminRole.support, "support:write"))
# A burst limit on top of the hourly one from the settings: a stuck client cannot flood staff.
BURST_RULE = "5/minute"


async def limit_ticket_writes(request: Request, user: CurrentUser, session: SessionDep) -> None:
    """Per-customer limits on new tickets and messages (429 with Retry-After)."""
    per_hour = await get_value(session, MESSAGES_PER_HOUR)
    exact = limiters(request).exact
    await exact.check("ticket-burst", BURST_RULE, str(user.id))
    await exact.check("ticket-hour", f"{per_hour}/hour", str(user.id))


WriteLimit = Depends(limit_ticket_writes)


async def _own_ticket(ticket_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Ticket:
    return await service.get_ticket(session, ticket_id, user)


async def _any_ticket(ticket_id: uuid.UUID, session: SessionDep) -> Ticket:
    return await service.get_ticket(session, ticket_id)


OwnTicket = Annotated[Ticket, Depends(_own_ticket)]
AnyTicket = Annotated[Ticket, Depends(_any_ticket)]


# --- customers ---------------------------------------------------------------------------------


@customer_router.post(
    "",
    response_model=CustomerTicket,
    status_code=201,
    responses=error_responses(401, 403, 409, 429),
    dependencies=[WriteLimit],
)
async def open_ticket(body: TicketCreate, user: CurrentUser, session: SessionDep) -> CustomerTicket:
    """Open a ticket with a first message; staff are alerted."""
    ticket = await service.open_ticket(session, user, body.subject, body.text)
    return await service.customer_view(session, ticket)


@customer_router.get("", response_model=Page[TicketRead], responses=error_responses(401, 403))
async def my_tickets(user: CurrentUser, session: SessionDep, params: PageDep) -> Page[TicketRead]:
    """The customer's tickets, latest activity first."""
    rows, total = await paginate(session, repository.tickets_of(user.id), params)
    return make_page([TicketRead.model_validate(t) for t in rows], total, params)


@customer_router.get("/{ticket_id}", response_model=CustomerTicket, responses=error_responses(401, 403, 404))
async def my_ticket(ticket: OwnTicket, session: SessionDep) -> CustomerTicket:
    """One of the customer's tickets with its messages."""
    return await service.customer_view(session, ticket)


@customer_router.post(
    "/{ticket_id}/messages",
    response_model=TicketMessageRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 429),
    dependencies=[WriteLimit],
)
async def write_in_ticket(
    body: MessageCreate, ticket: OwnTicket, user: CurrentUser, session: SessionDep
) -> TicketMessageRead:
    """Add a message to the customer's ticket (a closed ticket answers 409)."""
    message = await service.customer_message(session, user, ticket, body.text)
    return TicketMessageRead.model_validate(message)


@customer_router.post(
    "/{ticket_id}/close", response_model=CustomerTicket, responses=error_responses(401, 403, 404)
)
async def close_my_ticket(ticket: OwnTicket, session: SessionDep) -> CustomerTicket:
    """The customer closes their ticket (closing twice is a no-op)."""
    await service.set_closed(session, ticket, True)
    return await service.customer_view(session, ticket)


# --- staff -------------------------------------------------------------------------------------

SORTS = {"last_message_at": Ticket.last_message_at, "created_at": Ticket.created_at}


async def _queue_page(
    session: SessionDep,
    params: PageDep,
    statuses: list[TicketStatus] | None,
    q: str | None,
    user_id: uuid.UUID | None,
    sort: str | None,
) -> Page[StaffTicketItem]:
    stmt = repository.queue(statuses=statuses, q=q, user_id=user_id)
    stmt = apply_sort(stmt, sort, SORTS, [Ticket.last_message_at.desc().nulls_last(), Ticket.id.desc()])
    rows, total = await paginate_rows(session, stmt, params)
    users = await repository.users_by_id(session, [ticket.user_id for ticket, _, _ in rows])
    items = [service.queue_item(t, users[t.user_id], count, author) for t, count, author in rows]
    return make_page(items, total, params)


@admin_router.get("/tickets", response_model=Page[StaffTicketItem], dependencies=[READ])
async def list_tickets(
    session: SessionDep,
    params: PageDep,
    status: Annotated[list[TicketStatus] | None, Query(description="repeat for several")] = None,
    q: Annotated[str | None, Query(max_length=100, description="subject, @username or Telegram id")] = None,
    user_id: uuid.UUID | None = None,
    sort: Annotated[
        str | None, Query(description="default -last_message_at; last_message_at = waiting longest")
    ] = None,
) -> Page[StaffTicketItem]:
    """The support queue, latest message first; filter by status (open = waiting for staff)."""
    return await _queue_page(session, params, status, q, user_id, sort)


@admin_router.get(
    "/users/{user_id}/tickets",
    response_model=Page[StaffTicketItem],
    responses=error_responses(404),
    dependencies=[Depends(RequireRole(AdminRole.support, "users:read"))],
)
async def user_tickets(
    user_id: uuid.UUID,
    session: SessionDep,
    params: PageDep,
    status: Annotated[list[TicketStatus] | None, Query()] = None,
) -> Page[StaffTicketItem]:
    """One customer's tickets, latest message first."""
    user: User = await get_user(session, user_id)
    return await _queue_page(session, params, status, None, user.id, None)


@admin_router.get(
    "/tickets/{ticket_id}", response_model=StaffTicket, responses=error_responses(404), dependencies=[READ]
)
async def get_ticket(ticket: AnyTicket, session: SessionDep) -> StaffTicket:
    """A ticket with the customer and every message."""
    return await service.staff_view(session, ticket)


@admin_router.post(
    "/tickets/{ticket_id}/reply",
    response_model=StaffTicket,
    status_code=201,
    responses=error_responses(404),
    dependencies=[WRITE],
)
async def reply(
    body: MessageCreate, ticket: AnyTicket, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> StaffTicket:
    """Answer the customer; the worker sends it to them in Telegram and marks it delivered."""
    before = {"status": ticket.status.value}
    message = await service.staff_reply(session, ticket, principal.admin_id, body.text)
    record(
        session,
        principal,
        "ticket.reply",
        "ticket",
        ticket.id,
        before=before,
        after={"status": ticket.status.value, "message_id": str(message.id), "text": body.text},
        request=request,
    )
    return await service.staff_view(session, ticket)


async def _set_closed(
    ticket: Ticket, closed: bool, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> StaffTicket:
    before = {"status": ticket.status.value}
    if await service.set_closed(session, ticket, closed):
        record(
            session,
            principal,
            "ticket.close" if closed else "ticket.reopen",
            "ticket",
            ticket.id,
            before=before,
            after={"status": ticket.status.value},
            request=request,
        )
    return await service.staff_view(session, ticket)


@admin_router.post(
    "/tickets/{ticket_id}/close",
    response_model=StaffTicket,
    responses=error_responses(404),
    dependencies=[WRITE],
)
async def close_ticket(
    ticket: AnyTicket, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> StaffTicket:
    """Close a ticket (closing twice is a no-op)."""
    return await _set_closed(ticket, True, session, principal, request)


@admin_router.post(
    "/tickets/{ticket_id}/reopen",
    response_model=StaffTicket,
    responses=error_responses(404),
    dependencies=[WRITE],
)
async def reopen_ticket(
    ticket: AnyTicket, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> StaffTicket:
    """Reopen a closed ticket: it waits for staff again (reopening an open one is a no-op)."""
    return await _set_closed(ticket, False, session, principal, request)
