"""Customers for staff: search and filters, the customer page and its history, block, message."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record
from app.deps import SessionDep
from app.errors import error_responses
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate, paginate_rows
from app.models import User
from app.models.enums import AdminRole, PaymentMethod, PaymentStatus, SubscriptionStatus
from app.users import admin_repository as repo
from app.users import admin_service as service
from app.users.admin_deps import UserDep
from app.users.admin_schemas import (
    AdminUserDetail,
    AdminUserItem,
    BlockRequest,
    MessageQueued,
    MessageRequest,
    UserPaymentItem,
    UserReferralItem,
    UserSubscriptionItem,
)

router = APIRouter(prefix="/admin/users", tags=["admin: users"])

READ = Depends(RequireRole(AdminRole.support, "users:read"))
WRITE = Depends(RequireRole(AdminRole.admin, "users:write"))
MESSAGE = Depends(RequireRole(AdminRole.support, "support:write"))


SORTS = {
    "created_at": User.created_at,
    "last_seen_at": User.last_seen_at,
    "telegram_id": User.telegram_id,
    "username": User.username,
    "balance": User.balance,
}


@router.get("", response_model=Page[AdminUserItem], dependencies=[READ])
async def list_users(
    session: SessionDep,
    params: PageDep,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Telegram id (exact), or part of the @username or the name"),
    ] = None,
    is_blocked: bool | None = None,
    bot_blocked: bool | None = None,
    has_active_subscription: bool | None = None,
    referred_by: Annotated[uuid.UUID | None, Query(description="customers invited by this one")] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    sort: Annotated[str | None, Query(description="e.g. -created_at, balance, -last_seen_at")] = None,
) -> Page[AdminUserItem]:
    """Customers, searched, filtered and sorted (newest first by default)."""
    stmt = repo.list_users(
        q=q,
        is_blocked=is_blocked,
        bot_blocked=bot_blocked,
        has_active=has_active_subscription,
        referred_by=referred_by,
        language=language,
        created_from=created_from,
        created_to=created_to,
    )
    stmt = apply_sort(stmt, sort, SORTS, [User.created_at.desc(), User.id.desc()])
    rows, total = await paginate(session, stmt, params)
    counts = await repo.active_subscription_counts(session, [u.id for u in rows])
    return make_page([service.to_item(u, counts.get(u.id, 0)) for u in rows], total, params)


@router.get("/{user_id}", response_model=AdminUserDetail, responses=error_responses(404), dependencies=[READ])
async def get_user(user: UserDep, session: SessionDep) -> AdminUserDetail:
    """The customer page: profile, balance, inviter and counts."""
    return await service.detail(session, user)


@router.get(
    "/{user_id}/payments",
    response_model=Page[UserPaymentItem],
    responses=error_responses(404),
    dependencies=[READ],
)
async def user_payments(
    user: UserDep,
    session: SessionDep,
    params: PageDep,
    status: PaymentStatus | None = None,
    method: PaymentMethod | None = None,
) -> Page[UserPaymentItem]:
    """The customer's payments, newest first."""
    rows, total = await paginate(session, repo.payments_of(user.id, status, method), params)
    return make_page([UserPaymentItem.model_validate(r) for r in rows], total, params)


@router.get(
    "/{user_id}/subscriptions",
    response_model=Page[UserSubscriptionItem],
    responses=error_responses(404),
    dependencies=[READ],
)
async def user_subscriptions(
    user: UserDep, session: SessionDep, params: PageDep, status: SubscriptionStatus | None = None
) -> Page[UserSubscriptionItem]:
    """The customer's subscriptions, newest first."""
    rows, total = await paginate_rows(session, repo.subscriptions_of(user.id, status), params)
    return make_page([service.subscription_item(*row) for row in rows], total, params)


@router.get(
    "/{user_id}/referrals",
    response_model=Page[UserReferralItem],
    responses=error_responses(404),
    dependencies=[READ],
)
async def user_referrals(user: UserDep, session: SessionDep, params: PageDep) -> Page[UserReferralItem]:
    """Customers this customer invited, newest first."""
    rows, total = await paginate_rows(session, repo.referrals_of(user.id), params)
    return make_page([service.referral_item(*row) for row in rows], total, params)


async def _set_blocked(
    user: User,
    blocked: bool,
    reason: str | None,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> AdminUserDetail:
    if await service.set_blocked(session, user, blocked):
        record(
            session,
            principal,
            "user.block" if blocked else "user.unblock",
            "user",
            user.id,
            before={"is_blocked": not blocked},
            after={"is_blocked": blocked, "reason": reason},
            request=request,
        )
    return await service.detail(session, user)


@router.post(
    "/{user_id}/block", response_model=AdminUserDetail, responses=error_responses(404), dependencies=[WRITE]
)
async def block_user(
    user: UserDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
    body: BlockRequest | None = None,
) -> AdminUserDetail:
    """Block a customer: their token stops working and the bot refuses them (repeating is a no-op)."""
    return await _set_blocked(user, True, body.reason if body else None, session, principal, request)


@router.post(
    "/{user_id}/unblock", response_model=AdminUserDetail, responses=error_responses(404), dependencies=[WRITE]
)
async def unblock_user(
    user: UserDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
    body: BlockRequest | None = None,
) -> AdminUserDetail:
    """Let a blocked customer back in (repeating is a no-op)."""
    return await _set_blocked(user, False, body.reason if body else None, session, principal, request)


@router.post(
    "/{user_id}/message",
    response_model=MessageQueued,
    status_code=202,
    responses=error_responses(404, 409),
    dependencies=[MESSAGE],
)
async def message_user(
    body: MessageRequest, user: UserDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> MessageQueued:
    """Send the customer a message in Telegram (HTML formatting); the worker delivers it."""
    service.send_message(session, user, body.text)
    record(session, principal, "user.message", "user", user.id, after={"text": body.text}, request=request)
    return MessageQueued()
