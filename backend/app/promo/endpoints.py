"""Promo routes: a customer enters a code; staff manage codes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record, snapshot
from app.deps import RedisDep, SessionDep
from app.errors import RateLimited, error_responses
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate
from app.models import PromoCode, PromoRedemption
from app.models.enums import AdminRole, PromoKind
from app.promo import service
from app.promo.errors import PromoCodeNotFound
from app.promo.schemas import (
    PromoCodeCreate,
    PromoCodeRead,
    PromoCodeUpdate,
    PromoRedeem,
    PromoRedeemResult,
    RedemptionRead,
)
from app.users.deps import CurrentUser

customer_router = APIRouter(prefix="/users/me", tags=["customer"])
admin_router = APIRouter(prefix="/admin/promo-codes", tags=["admin: promo codes"])

READ = Depends(RequireRole(AdminRole.support, "catalog:read"))
WRITE = Depends(RequireRole(AdminRole.admin, "catalog:write"))
# Guessing codes: this many unknown codes per customer per window, then 429.
MAX_MISSES, MISS_WINDOW_SECONDS = 10, 3600


@customer_router.post(
    "/promo", response_model=PromoRedeemResult, responses=error_responses(400, 401, 404, 409, 429)
)
async def redeem_promo(
    body: PromoRedeem, user: CurrentUser, session: SessionDep, redis: RedisDep
) -> PromoRedeemResult:
    """Apply a balance or free-days code (discount codes go with a purchase as `promo_code`)."""
    key = f"promo:misses:{user.id}"
    misses = await redis.get(key)
    if misses is not None and int(misses) >= MAX_MISSES:
        raise RateLimited(await redis.ttl(key), "Too many wrong codes; try again later")
    try:
        return await service.redeem(session, user, body.code, body.subscription_id)
    except PromoCodeNotFound:
        await redis.incr(key)
        await redis.expire(key, MISS_WINDOW_SECONDS, nx=True)
        raise


def _read(promo: PromoCode) -> PromoCodeRead:
    return PromoCodeRead.model_validate({**snapshot(promo), "state": service.state_of(promo)})


async def _promo(session: SessionDep, promo_id: uuid.UUID) -> PromoCode:
    return await service.get_code(session, promo_id)


PromoDep = Annotated[PromoCode, Depends(_promo)]
SORTS = {"code": PromoCode.code, "created_at": PromoCode.created_at, "used_count": PromoCode.used_count}


@admin_router.get("", response_model=Page[PromoCodeRead], dependencies=[READ])
async def list_codes(
    session: SessionDep,
    params: PageDep,
    q: Annotated[str | None, Query(max_length=64, description="part of the code")] = None,
    kind: PromoKind | None = None,
    is_active: bool | None = None,
    sort: str | None = None,
) -> Page[PromoCodeRead]:
    """Promo codes with their uses."""
    stmt = select(PromoCode)
    if q:
        stmt = stmt.where(PromoCode.code.like(f"%{q.strip().upper()}%"))
    if kind is not None:
        stmt = stmt.where(PromoCode.kind == kind)
    if is_active is not None:
        stmt = stmt.where(PromoCode.is_active.is_(is_active))
    stmt = apply_sort(stmt, sort, SORTS, [PromoCode.created_at.desc(), PromoCode.id])
    rows, total = await paginate(session, stmt, params)
    return make_page([_read(r) for r in rows], total, params)


@admin_router.post(
    "", response_model=PromoCodeRead, status_code=201, responses=error_responses(409), dependencies=[WRITE]
)
async def create_code(
    body: PromoCodeCreate, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> PromoCodeRead:
    """Create a promo code."""
    promo = await service.create_code(session, body)
    record(
        session,
        principal,
        "promo_code.create",
        "promo_code",
        promo.id,
        after=snapshot(promo),
        request=request,
    )
    return _read(promo)


@admin_router.get(
    "/{promo_id}", response_model=PromoCodeRead, responses=error_responses(404), dependencies=[READ]
)
async def get_code(promo: PromoDep) -> PromoCodeRead:
    """One promo code."""
    return _read(promo)


@admin_router.patch(
    "/{promo_id}",
    response_model=PromoCodeRead,
    responses=error_responses(400, 404, 409),
    dependencies=[WRITE],
)
async def update_code(
    body: PromoCodeUpdate, promo: PromoDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> PromoCodeRead:
    """Change a promo code (a used code keeps its kind)."""
    before = snapshot(promo)
    promo = await service.update_code(session, promo, body)
    record(
        session,
        principal,
        "promo_code.update",
        "promo_code",
        promo.id,
        before=before,
        after=snapshot(promo),
        request=request,
    )
    return _read(promo)


@admin_router.delete(
    "/{promo_id}", status_code=204, responses=error_responses(404, 409), dependencies=[WRITE]
)
async def delete_code(
    promo: PromoDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Response:
    """Delete a code nobody used (switch used ones off instead)."""
    before = snapshot(promo)
    await service.delete_code(session, promo)
    record(
        session, principal, "promo_code.delete", "promo_code", before["id"], before=before, request=request
    )
    return Response(status_code=204)


@admin_router.get(
    "/{promo_id}/redemptions",
    response_model=Page[RedemptionRead],
    responses=error_responses(404),
    dependencies=[READ],
)
async def list_redemptions(promo: PromoDep, session: SessionDep, params: PageDep) -> Page[RedemptionRead]:
    """Who used the code (including uses held by unpaid checkouts)."""
    stmt = (
        select(PromoRedemption)
        .where(PromoRedemption.promo_code_id == promo.id)
        .order_by(PromoRedemption.created_at.desc(), PromoRedemption.id)
    )
    rows, total = await paginate(session, stmt, params)
    return make_page([RedemptionRead.model_validate(r) for r in rows], total, params)
