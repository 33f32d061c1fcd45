"""Staff login, token refresh, logout, the current account, and admin accounts (owner only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy import select

from app.admin_auth import service
from app.admin_auth.deps import CurrentAdmin, CurrentPrincipal, RequireRole
from app.admin_auth.schemas import (
    AdminCreate,
    AdminRead,
    AdminUpdate,
    LoginRequest,
    LogoutRequest,
    MeRead,
    RefreshRequest,
    TokenPair,
)
from app.audit.service import record, snapshot
from app.auth.passwords import hash_password
from app.deps import ClientIpDep, RedisDep, SessionDep, SettingsDep
from app.errors import BadRequest, Conflict, NotAuthenticated, NotFound, error_responses
from app.kit.pagination import Page, PageDep, make_page, paginate
from app.models import AdminAccount
from app.models.enums import AdminRole
from app.ratelimit.deps import limit_login, limiters

router = APIRouter(prefix="/auth", tags=["auth"])
OWNER = Depends(RequireRole(AdminRole.owner))
accounts_router = APIRouter(prefix="/admin/accounts", tags=["admin: accounts"])


@router.post(
    "/login",
    response_model=TokenPair,
    responses=error_responses(401, 429),
    dependencies=[Depends(limit_login)],
)
async def login(
    body: LoginRequest,
    session: SessionDep,
    settings: SettingsDep,
    redis: RedisDep,
    request: Request,
    ip: ClientIpDep,
) -> TokenPair:
    """Log a staff account in and return an access token and a refresh token.

    Repeated failures lock the account (and, separately, the address) for LOGIN_LOCKOUT_SECONDS.
    """
    lockout = limiters(request).lockout
    await lockout.ensure_allowed(body.username, ip)
    try:
        admin = await service.authenticate(session, body.username, body.password)
    except NotAuthenticated:
        await lockout.record_failure(body.username, ip)
        raise
    await lockout.record_success(body.username)
    return await service.issue_pair(settings, redis, admin)


@router.post("/refresh", response_model=TokenPair, responses=error_responses(401))
async def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, redis: RedisDep
) -> TokenPair:
    """Exchange a refresh token (single use) for a new pair."""
    return await service.rotate(settings, redis, session, body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
async def logout(
    principal: CurrentPrincipal, settings: SettingsDep, redis: RedisDep, body: LogoutRequest | None = None
) -> None:
    """Revoke the current session's tokens."""
    if principal.token_jti is None:
        raise BadRequest("API keys are revoked in the admin panel, not logged out")
    await service.logout(
        settings, redis, principal.token_jti, principal.token_family, body.refresh_token if body else None
    )


@router.get("/me", response_model=MeRead, responses=error_responses(401, 403))
async def me(admin: CurrentAdmin, settings: SettingsDep) -> MeRead:
    """The staff account the token belongs to, with the shop's name for the admin panel."""
    return MeRead(**AdminRead.model_validate(admin).model_dump(), shop_name=settings.shop_name)


async def _get_account(session: SessionDep, account_id: uuid.UUID) -> AdminAccount:
    account = await session.get(AdminAccount, account_id)
    if account is None:
        raise NotFound("Admin account not found")
    return account


AccountDep = Annotated[AdminAccount, Depends(_get_account)]


@accounts_router.get("", response_model=Page[AdminRead], dependencies=[OWNER])
async def list_accounts(session: SessionDep, params: PageDep) -> Page[AdminRead]:
    """List staff accounts."""
    rows, total = await paginate(session, select(AdminAccount).order_by(AdminAccount.username), params)
    return make_page([AdminRead.model_validate(r) for r in rows], total, params)


@accounts_router.post(
    "", response_model=AdminRead, status_code=201, responses=error_responses(409), dependencies=[OWNER]
)
async def create_account(
    body: AdminCreate, session: SessionDep, owner: CurrentPrincipal, request: Request
) -> AdminAccount:
    """Create a staff account."""
    if await service.get_by_username(session, body.username):
        raise Conflict("An account with this username exists")
    account = AdminAccount(username=body.username, password_hash=hash_password(body.password), role=body.role)
    session.add(account)
    await session.flush()
    record(
        session,
        owner,
        "admin_account.create",
        "admin_account",
        account.id,
        after=snapshot(account),
        request=request,
    )
    return account


@accounts_router.patch(
    "/{account_id}", response_model=AdminRead, responses=error_responses(404, 409), dependencies=[OWNER]
)
async def update_account(
    body: AdminUpdate, account: AccountDep, session: SessionDep, owner: CurrentPrincipal, request: Request
) -> AdminAccount:
    """Change a staff account's role, password or active flag."""
    before = snapshot(account)
    if account.id == owner.id and (body.is_active is False or (body.role and body.role != AdminRole.owner)):
        raise Conflict("You cannot demote or disable your own account")
    if body.password is not None:
        account.password_hash = hash_password(body.password)
    if body.role is not None:
        account.role = body.role
    if body.is_active is not None:
        account.is_active = body.is_active
    await session.flush()
    record(
        session,
        owner,
        "admin_account.update",
        "admin_account",
        account.id,
        before=before,
        after=snapshot(account) | {"password_changed": body.password is not None},
        request=request,
    )
    return account
