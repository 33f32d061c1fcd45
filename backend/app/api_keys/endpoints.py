"""API keys for third parties (owner only): create (shown once), list, revoke."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from app.admin_auth.api_keys import SCOPES
from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.api_keys import service
from app.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, ScopeRead
from app.audit.service import record, snapshot
from app.deps import SessionDep
from app.errors import error_responses
from app.kit.pagination import Page, PageDep, make_page, paginate
from app.models import ApiKey
from app.models.enums import AdminRole

router = APIRouter(prefix="/admin/api-keys", tags=["admin: API keys"])
OWNER = Depends(RequireRole(AdminRole.owner))


async def _key(key_id: uuid.UUID, session: SessionDep) -> ApiKey:
    return await service.get_key(session, key_id)


KeyDep = Annotated[ApiKey, Depends(_key)]


@router.get("/scopes", response_model=list[ScopeRead], dependencies=[OWNER])
async def list_scopes() -> list[ScopeRead]:
    """Every scope a key can hold, with what it allows."""
    return [ScopeRead(scope=k, description=v) for k, v in sorted(SCOPES.items())]


@router.get("", response_model=Page[ApiKeyRead], dependencies=[OWNER])
async def list_keys(session: SessionDep, params: PageDep, revoked: bool | None = None) -> Page[ApiKeyRead]:
    """Keys, newest first (never the keys themselves)."""
    stmt = select(ApiKey)
    if revoked is not None:
        stmt = stmt.where(ApiKey.revoked_at.is_not(None) if revoked else ApiKey.revoked_at.is_(None))
    rows, total = await paginate(session, stmt.order_by(ApiKey.created_at.desc(), ApiKey.id.desc()), params)
    return make_page([ApiKeyRead.model_validate(r) for r in rows], total, params)


@router.post(
    "",
    response_model=ApiKeyCreated,
    status_code=201,
    responses=error_responses(403),
    dependencies=[OWNER],
)
async def create_key(
    body: ApiKeyCreate, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> ApiKeyCreated:
    """Create a key; the answer's `key` is shown this once. Send it as the `X-API-Key` header."""
    created = await service.create(session, body, principal.admin_id)
    record(
        session,
        principal,
        "api_key.create",
        "api_key",
        created.id,
        after=created.model_dump(exclude={"key"}),
        request=request,
    )
    return created


@router.get("/{key_id}", response_model=ApiKeyRead, responses=error_responses(404), dependencies=[OWNER])
async def get_key(key: KeyDep) -> ApiKey:
    """One key."""
    return key


@router.post(
    "/{key_id}/revoke", response_model=ApiKeyRead, responses=error_responses(404, 409), dependencies=[OWNER]
)
async def revoke_key(
    key: KeyDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> ApiKey:
    """Revoke a key; requests with it are refused from now on."""
    before = snapshot(key)
    await service.revoke(session, key)
    record(
        session,
        principal,
        "api_key.revoke",
        "api_key",
        key.id,
        before=before,
        after=snapshot(key),
        request=request,
    )
    return key
