"""Customer and staff endpoints of subscriptions, the trial, and the drift report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record, snapshot
from app.catalog.service import get_location, get_tariff
from app.deps import RedisDep, SessionDep, SettingsDep
from app.errors import error_responses
from app.kit.crypto import random_token
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate
from app.models import Subscription
from app.models.enums import AdminRole, SubscriptionStatus
from app.subscriptions import reconcile, repository, service
from app.subscriptions.errors import DriftNotFixable, SubscriptionNotFound
from app.subscriptions.schemas import (
    Accepted,
    DriftReport,
    ExtendBody,
    FixBody,
    GrantBody,
    SubscriptionAdminView,
    SubscriptionDetail,
    SubscriptionPatch,
    SubscriptionView,
)
from app.users.admin_service import get_user
from app.users.deps import CurrentUser
from app.users.service import subscription_url
from app.worker.enqueue import enqueue_after_commit

customer_router = APIRouter(prefix="/users/me", tags=["customer"])
admin_router = APIRouter(prefix="/admin", tags=["admin: subscriptions"])

READ = Depends(RequireRole(AdminRole.support, "subscriptions:read"))
WRITE = Depends(RequireRole(AdminRole.admin, "subscriptions:write"))
GB = 1024**3


class SubscriptionUrl(BaseModel):
    """The customer's personal link (all active subscriptions in one)."""

    subscription_url: str


# --- customer ------------------------------------------------------------------------------------


@customer_router.get(
    "/subscriptions", response_model=list[SubscriptionView], responses=error_responses(401, 403)
)
async def my_subscriptions(
    user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> list[SubscriptionView]:
    """The customer's subscriptions, newest first."""
    return await service.customer_views(session, settings, user)


@customer_router.get(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionDetail,
    responses=error_responses(401, 403, 404),
)
async def my_subscription(
    subscription_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> SubscriptionDetail:
    """One subscription with its share links."""
    return await service.customer_detail(session, settings, user, subscription_id)


@customer_router.patch(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionDetail,
    responses=error_responses(400, 401, 403, 404),
)
async def update_my_subscription(
    subscription_id: uuid.UUID,
    body: SubscriptionPatch,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> SubscriptionDetail:
    """Switch auto-renewal from the balance on or off."""
    sub = await session.get(Subscription, subscription_id)
    if sub is None or sub.user_id != user.id or sub.status is SubscriptionStatus.failed:
        raise SubscriptionNotFound()
    await service.set_auto_renew(session, sub, body.auto_renew)
    return await service.customer_detail(session, settings, user, subscription_id)


@customer_router.post(
    "/trial", response_model=SubscriptionView, status_code=201, responses=error_responses(400, 401, 403, 409)
)
async def start_trial(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> SubscriptionView:
    """Start the free trial (once per account): 409 TrialAlreadyUsed, 400 TrialUnavailable, 409 LocationFull."""
    sub = await service.start_trial(session, user)
    row = await repository.one_with_refs(session, sub.id)
    return service.customer_view(row, settings, user, {})


@customer_router.post(
    "/subscription-url/rotate", response_model=SubscriptionUrl, responses=error_responses(401, 403)
)
async def rotate_subscription_url(
    user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> SubscriptionUrl:
    """Replace the personal link (the old one stops working at once), e.g. after sharing it by mistake."""
    user.sub_token = random_token(24)
    await session.flush()
    return SubscriptionUrl(subscription_url=subscription_url(settings, user))


# --- staff ---------------------------------------------------------------------------------------

SORTS = {
    "created_at": Subscription.created_at,
    "ends_at": Subscription.ends_at,
    "status": Subscription.status,
    "traffic_used_bytes": Subscription.traffic_used_bytes,
}


@admin_router.get("/subscriptions", response_model=Page[SubscriptionAdminView], dependencies=[READ])
async def list_subscriptions(
    session: SessionDep,
    params: PageDep,
    status: SubscriptionStatus | None = None,
    user_id: uuid.UUID | None = None,
    server_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
    is_trial: bool | None = None,
    expiring_before: Annotated[
        datetime | None, Query(description="active subscriptions ending before this time")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=64, description="panel identity (client name on the panel)")
    ] = None,
    sort: Annotated[str | None, Query(description="e.g. ends_at or -created_at")] = None,
) -> Page[SubscriptionAdminView]:
    """Subscriptions, filtered and paginated."""
    stmt = select(Subscription)
    if status is not None:
        stmt = stmt.where(Subscription.status == status)
    if user_id is not None:
        stmt = stmt.where(Subscription.user_id == user_id)
    if server_id is not None:
        stmt = stmt.where(Subscription.server_id == server_id)
    if location_id is not None:
        stmt = stmt.where(Subscription.location_id == location_id)
    if is_trial is not None:
        stmt = stmt.where(Subscription.is_trial.is_(is_trial))
    if expiring_before is not None:
        stmt = stmt.where(
            Subscription.status == SubscriptionStatus.active,
            Subscription.ends_at.is_not(None),
            Subscription.ends_at < expiring_before,
        )
    if q:
        stmt = stmt.where(func.lower(Subscription.panel_identity).like(f"%{q.lower()}%"))
    stmt = apply_sort(stmt, sort, SORTS, [Subscription.created_at.desc(), Subscription.id])
    subs, total = await paginate(session, stmt, params)
    order = {s.id: n for n, s in enumerate(subs)}
    rows = (await session.execute(repository.with_refs().where(Subscription.id.in_(order)))).all()
    rows = sorted(rows, key=lambda r: order[r[0].id])
    return make_page(await service.admin_views(session, list(rows)), total, params)


@admin_router.get(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionAdminView,
    responses=error_responses(404),
    dependencies=[READ],
)
async def get_subscription(subscription_id: uuid.UUID, session: SessionDep) -> SubscriptionAdminView:
    """One subscription."""
    return await service.admin_view(session, subscription_id)


@admin_router.post(
    "/subscriptions/{subscription_id}/extend",
    response_model=SubscriptionAdminView,
    responses=error_responses(404, 409),
    dependencies=[WRITE],
)
async def extend_subscription(
    subscription_id: uuid.UUID,
    body: ExtendBody,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> SubscriptionAdminView:
    """Give extra days (the panel follows in the background; the customer is told)."""
    sub = await service.get_subscription(session, subscription_id)
    before = snapshot(sub)
    sub = await service.request_extension(session, sub, body.days)
    record(
        session,
        principal,
        "subscription.extend",
        "subscription",
        sub.id,
        before=before,
        after=snapshot(sub) | {"days": body.days},
        request=request,
    )
    return await service.admin_view(session, sub.id)


async def _set_enabled(
    subscription_id: uuid.UUID,
    enabled: bool,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> SubscriptionAdminView:
    sub = await service.get_subscription(session, subscription_id)
    before = snapshot(sub)
    sub = await service.set_enabled(session, sub, enabled)
    action = "subscription.enable" if enabled else "subscription.disable"
    record(
        session,
        principal,
        action,
        "subscription",
        sub.id,
        before=before,
        after=snapshot(sub),
        request=request,
    )
    return await service.admin_view(session, sub.id)


@admin_router.post(
    "/subscriptions/{subscription_id}/disable",
    response_model=SubscriptionAdminView,
    responses=error_responses(404, 409),
    dependencies=[WRITE],
)
async def disable_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> SubscriptionAdminView:
    """Pause a subscription (its client is switched off on the panel)."""
    return await _set_enabled(subscription_id, False, session, principal, request)


@admin_router.post(
    "/subscriptions/{subscription_id}/enable",
    response_model=SubscriptionAdminView,
    responses=error_responses(404, 409),
    dependencies=[WRITE],
)
async def enable_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> SubscriptionAdminView:
    """Resume a paused subscription."""
    return await _set_enabled(subscription_id, True, session, principal, request)


@admin_router.post(
    "/users/{user_id}/subscriptions",
    response_model=SubscriptionAdminView,
    status_code=201,
    responses=error_responses(400, 404, 409),
    dependencies=[WRITE],
)
async def grant_subscription(
    user_id: uuid.UUID, body: GrantBody, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> SubscriptionAdminView:
    """Give a customer a subscription without payment (a tariff's terms, or days with optional limits)."""
    user = await get_user(session, user_id)
    location = await get_location(session, body.location_id)
    tariff = await get_tariff(session, body.tariff_id) if body.tariff_id else None
    # Without a tariff the body's limits are the terms; with one, only what the body sets overrides it.
    traffic = body.traffic_limit_gb * GB if body.traffic_limit_gb else None
    sub = await service.create_pending_subscription(
        session,
        user,
        tariff,
        location,
        duration_days=body.days if body.days is not None or tariff is None else tariff.duration_days,
        traffic_limit_bytes=traffic
        if body.traffic_limit_gb is not None or tariff is None
        else service.tariff_traffic(tariff),
        device_limit=body.device_limit
        if body.device_limit is not None or tariff is None
        else tariff.device_limit,
    )
    record(
        session, principal, "subscription.grant", "subscription", sub.id, after=snapshot(sub), request=request
    )
    return await service.admin_view(session, sub.id)


@admin_router.get("/reconcile", response_model=DriftReport, dependencies=[READ])
async def drift_report(redis: RedisDep) -> DriftReport:
    """The latest comparison of the panels with the database (rebuilt hourly, or on demand)."""
    return await reconcile.load_report(redis)


@admin_router.post("/reconcile/run", response_model=Accepted, status_code=202, dependencies=[WRITE])
async def run_reconcile(session: SessionDep, principal: CurrentPrincipal, request: Request) -> Accepted:
    """Rebuild the drift report now (in the background; read it again in a minute)."""
    enqueue_after_commit(session, "subscriptions.reconcile", _job_id=f"reconcile:{random_token(8)}")
    record(session, principal, "reconcile.run", "reconcile", None, request=request)
    return Accepted(detail="The drift report is being rebuilt")


@admin_router.post(
    "/reconcile/fix",
    response_model=Accepted,
    status_code=202,
    responses=error_responses(400, 404),
    dependencies=[WRITE],
)
async def fix_drift(
    body: FixBody, session: SessionDep, redis: RedisDep, principal: CurrentPrincipal, request: Request
) -> Accepted:
    """Apply the fix of one drift item (in the background); items without a fix are refused with 400."""
    item = await reconcile.find_item(redis, body.item_id)
    if item.fix is None:
        raise DriftNotFixable()
    enqueue_after_commit(
        session, "subscriptions.reconcile_fix", item.id, _job_id=f"fix:{item.id}:{random_token(6)}"
    )
    record(
        session,
        principal,
        "reconcile.fix",
        "reconcile",
        item.id,
        after=item.model_dump(mode="json"),
        request=request,
    )
    return Accepted(detail=f"Fix '{item.fix}' queued for {item.identity}")
