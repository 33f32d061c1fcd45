"""Subscription rules other domains call: create a pending subscription, extend, pause, trial, views.

Nothing here talks to a panel: each function changes the database in the caller's transaction and
enqueues the worker job that brings the panel in line after the commit.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.ledger import lock_user
from app.catalog.repository import active_locations
from app.config import Settings
from app.kit.time import utcnow
from app.metrics import SUBSCRIPTION_JOBS
from app.models import Location, Subscription, Tariff, User
from app.models.enums import SubscriptionStatus
from app.servers.capacity import ensure_capacity, free_places
from app.shop_settings.registry import get_value, get_values
from app.subscriptions import repository
from app.subscriptions.errors import (
    AutoRenewUnavailable,
    SubscriptionIsForever,
    SubscriptionNotExtendable,
    SubscriptionNotFound,
    SubscriptionStateConflict,
    TariffNotForLocation,
    TrialAlreadyUsed,
    TrialUnavailable,
)
from app.subscriptions.identity import panel_identity
from app.subscriptions.notices import notify_subscription
from app.subscriptions.schemas import SubscriptionAdminView, SubscriptionDetail, SubscriptionView
from app.subscriptions.settings import (
    TRIAL_DAYS,
    TRIAL_DEVICE_LIMIT,
    TRIAL_ENABLED,
    TRIAL_LOCATION_ID,
    TRIAL_TRAFFIC_GB,
)
from app.users.service import subscription_url
from app.worker.enqueue import enqueue_after_commit

log = structlog.get_logger(__name__)

GB = 1024**3
_UNSET: Any = object()


def tariff_traffic(tariff: Tariff) -> int | None:
    """A tariff's traffic limit in bytes (None = unlimited)."""
    return tariff.traffic_limit_gb * GB if tariff.traffic_limit_gb else None


def provision_job_id(subscription_id: uuid.UUID, attempt: int) -> str:
    """arq job id of a provisioning attempt: a second enqueue of the same attempt is a no-op."""
    return f"provision:{subscription_id}:{attempt}"


def enqueue_provision(
    session: AsyncSession, sub: Subscription, *, delay: float = 0, avoid: uuid.UUID | None = None
) -> None:
    """Queue the next provisioning attempt of `sub` once the transaction commits."""
    kwargs: dict[str, Any] = {"_job_id": provision_job_id(sub.id, sub.provision_attempts)}
    if delay:
        kwargs["_defer_by"] = delay
    enqueue_after_commit(
        session, "subscriptions.provision", str(sub.id), str(avoid) if avoid else None, **kwargs
    )


def enqueue_sync(session: AsyncSession, sub: Subscription, job: str = "subscriptions.sync_client") -> None:
    """Queue a job that makes the panel client match the row after the commit."""
    # Unique per change: the job reads the row when it runs, so an older queued sync is harmless.
    job_id = f"{job}:{sub.id}:{utcnow().timestamp()}"
    enqueue_after_commit(session, job, str(sub.id), 1, _job_id=job_id)


async def create_pending_subscription(
    session: AsyncSession,
    user: User,
    tariff: Tariff | None,
    location: Location,
    *,
    is_trial: bool = False,
    duration_days: int | None = _UNSET,
    traffic_limit_bytes: int | None = _UNSET,
    device_limit: int | None = _UNSET,
) -> Subscription:
    """Create a `pending` subscription in the caller's transaction and provision it after the commit.

    Terms come from the tariff unless given (`duration_days=None` means forever). Raises
    LocationFull (409) when the location has no free place, TariffNotForLocation (400) when the
    tariff is tied to another location.
    """
    if tariff is not None and tariff.location_id is not None and tariff.location_id != location.id:
        raise TariffNotForLocation()
    await ensure_capacity(session, location.id)
    if duration_days is _UNSET:
        duration_days = tariff.duration_days if tariff else None
    if traffic_limit_bytes is _UNSET:
        traffic_limit_bytes = tariff_traffic(tariff) if tariff else None
    if device_limit is _UNSET:
        device_limit = tariff.device_limit if tariff else None
    sub_id = uuid.uuid4()
    sub = Subscription(
        id=sub_id,
        user_id=user.id,
        location_id=location.id,
        tariff_id=tariff.id if tariff else None,
        status=SubscriptionStatus.pending,
        is_trial=is_trial,
        duration_days=duration_days,
        traffic_limit_bytes=traffic_limit_bytes,
        device_limit=device_limit,
        panel_identity=panel_identity(user.telegram_id, sub_id),
    )
    session.add(sub)
    await session.flush()
    enqueue_provision(session, sub)
    SUBSCRIPTION_JOBS.labels("created").inc()
    log.info(
        "subscription_created",
        subscription_id=str(sub.id),
        user_id=str(user.id),
        location_id=str(location.id),
        tariff_id=str(tariff.id) if tariff else None,
        is_trial=is_trial,
    )
    return sub


async def request_extension(
    session: AsyncSession, subscription: Subscription, days: int, *, notify: bool = True
) -> Subscription:
    """Add `days` to a subscription in the caller's transaction; the panel follows after the commit.

    Active and paused subscriptions get days on top of their end; an expired one restarts from now
    (and is re-created on the panel if its client was already deleted); a pending one gets a longer
    duration. The customer is told the new end date (unless `notify=False`). Raises
    SubscriptionNotExtendable (failed) and SubscriptionIsForever (no end date).
    """
    if days <= 0:
        raise ValueError("days must be positive")
    sub = await repository.lock(session, subscription.id)
    if sub is None:
        raise SubscriptionNotFound()
    if sub.status is SubscriptionStatus.failed:
        raise SubscriptionNotExtendable()
    now = utcnow()
    if sub.status is SubscriptionStatus.pending:
        if sub.starts_at is None:
            if sub.duration_days is None:
                raise SubscriptionIsForever()
            sub.duration_days += days
        else:  # waiting to be re-created after expiry: its end is already fixed
            sub.ends_at = max(sub.ends_at or now, now) + timedelta(days=days)
        await session.flush()
        return sub
    if sub.ends_at is None:
        raise SubscriptionIsForever()
    sub.ends_at = max(sub.ends_at, now) + timedelta(days=days)
    sub.quota_exhausted_at = None if sub.traffic_limit_bytes is None else sub.quota_exhausted_at
    if sub.status is SubscriptionStatus.expired:
        sub.status = SubscriptionStatus.active
        sub.disabled_on_panel_at = None
        if sub.deleted_on_panel_at is not None:
            # The client is gone from the panel: provision it again (same identity, new credentials).
            sub.status = SubscriptionStatus.pending
            sub.deleted_on_panel_at = None
            sub.provision_attempts = 0
            await session.flush()
            enqueue_provision(session, sub)
            log.info("subscription_extended", subscription_id=str(sub.id), days=days, reprovision=True)
            return sub
    await session.flush()
    enqueue_sync(session, sub, "subscriptions.extend")
    if notify:
        await notify_subscription(
            session, sub, "subscription_extended", dedupe_key=f"extended:{sub.id}:{sub.ends_at.isoformat()}"
        )
    SUBSCRIPTION_JOBS.labels("extended").inc()
    log.info("subscription_extended", subscription_id=str(sub.id), days=days, ends_at=sub.ends_at.isoformat())
    return sub


async def set_enabled(session: AsyncSession, subscription: Subscription, enabled: bool) -> Subscription:
    """Pause (`disabled`) or resume (`active`) a subscription; the panel client follows after the commit."""
    sub = await repository.lock(session, subscription.id)
    if sub is None:
        raise SubscriptionNotFound()
    target = SubscriptionStatus.active if enabled else SubscriptionStatus.disabled
    if sub.status is target:
        return sub
    allowed = SubscriptionStatus.disabled if enabled else SubscriptionStatus.active
    if sub.status is not allowed:
        raise SubscriptionStateConflict(
            f"A {sub.status.value} subscription cannot be {'enabled' if enabled else 'disabled'}"
            + ("; extend it instead" if sub.status is SubscriptionStatus.expired else "")
        )
    if enabled and sub.ends_at is not None and sub.ends_at <= utcnow():
        sub.status = SubscriptionStatus.expired
    else:
        sub.status = target
    await session.flush()
    enqueue_sync(session, sub)
    if sub.status is not SubscriptionStatus.expired:
        key = "subscription_enabled" if enabled else "subscription_disabled"
        await notify_subscription(session, sub, key, dedupe_key=f"{key}:{sub.id}:{utcnow().timestamp()}")
    log.info("subscription_enabled" if enabled else "subscription_disabled", subscription_id=str(sub.id))
    return sub


async def set_auto_renew(session: AsyncSession, subscription: Subscription, auto_renew: bool) -> Subscription:
    """Switch auto-renewal (only for subscriptions of a time-limited tariff)."""
    if auto_renew and not await can_auto_renew(session, subscription):
        raise AutoRenewUnavailable()
    subscription.auto_renew = auto_renew
    await session.flush()
    return subscription


async def can_auto_renew(session: AsyncSession, subscription: Subscription) -> bool:
    """Whether the subscription could renew itself from the balance."""
    return _renewable(subscription, await _tariff_durations(session, [(subscription,)]))


async def start_trial(session: AsyncSession, user: User) -> Subscription:
    """Give the customer their one free trial (settings decide length, traffic and location)."""
    values = await get_values(
        session, [TRIAL_ENABLED, TRIAL_DAYS, TRIAL_TRAFFIC_GB, TRIAL_DEVICE_LIMIT, TRIAL_LOCATION_ID]
    )
    if not values[TRIAL_ENABLED.key]:
        raise TrialUnavailable("The free trial is switched off")
    locked = await lock_user(session, user.id)
    if locked.trial_used_at is not None:
        raise TrialAlreadyUsed()
    location = await _trial_location(session, values[TRIAL_LOCATION_ID.key])
    traffic_gb = values[TRIAL_TRAFFIC_GB.key]
    sub = await create_pending_subscription(
        session,
        locked,
        None,
        location,
        is_trial=True,
        duration_days=values[TRIAL_DAYS.key],
        traffic_limit_bytes=traffic_gb * GB if traffic_gb else None,
        device_limit=values[TRIAL_DEVICE_LIMIT.key],
    )
    locked.trial_used_at = utcnow()
    await session.flush()
    log.info("trial_started", user_id=str(user.id), subscription_id=str(sub.id))
    return sub


async def _trial_location(session: AsyncSession, configured: uuid.UUID | None) -> Location:
    if configured is not None:
        location = await session.get(Location, configured)
        if location is None or not location.is_active:
            raise TrialUnavailable("The trial location is not available")
        return location
    locations = list(await active_locations(session))
    places = await free_places(session, [loc.id for loc in locations])
    for location in locations:
        if places[location.id] > 0:
            return location
    raise TrialUnavailable("No location has free places for a trial right now")


async def trial_location_hint(session: AsyncSession) -> uuid.UUID | None:
    """The configured trial location (for the bot's texts)."""
    return await get_value(session, TRIAL_LOCATION_ID)


# --- views --------------------------------------------------------------------------------------


def days_left(ends_at: datetime | None, now: datetime) -> int | None:
    """Whole days until `ends_at` (rounded up; 0 once it passed); None when it never ends."""
    if ends_at is None:
        return None
    seconds = (ends_at - now).total_seconds()
    return max(math.ceil(seconds / 86400), 0)


def _view_fields(row: Any, now: datetime, renewable: bool, fallback_url: str | None) -> dict[str, Any]:
    sub: Subscription = row[0]
    location: Location = row[1]
    usable = sub.status is not SubscriptionStatus.failed
    return {
        "id": sub.id,
        "status": sub.status,
        "location_id": location.id,
        "location_name": location.name,
        "country_code": location.country_code,
        "flag_emoji": location.flag_emoji,
        "tariff_id": sub.tariff_id,
        "tariff_name": row[2],
        "is_trial": sub.is_trial,
        "starts_at": sub.starts_at,
        "ends_at": sub.ends_at,
        "days_left": days_left(sub.ends_at, now) if sub.starts_at else None,
        "traffic_used_bytes": sub.traffic_used_bytes,
        "traffic_limit_bytes": sub.traffic_limit_bytes,
        "quota_exhausted": sub.quota_exhausted_at is not None,
        "device_limit": sub.device_limit,
        "config_url": (sub.config_url or fallback_url) if usable else None,
        "auto_renew": sub.auto_renew,
        "can_auto_renew": renewable,
        "created_at": sub.created_at,
    }


def _renewable(sub: Subscription, durations: dict[uuid.UUID, int | None]) -> bool:
    return (
        not sub.is_trial
        and sub.tariff_id is not None
        and durations.get(sub.tariff_id) is not None
        and sub.status in (SubscriptionStatus.pending, SubscriptionStatus.active)
    )


async def _tariff_durations(session: AsyncSession, rows: list[Any]) -> dict[uuid.UUID, int | None]:
    ids = {r[0].tariff_id for r in rows if r[0].tariff_id}
    if not ids:
        return {}
    result = await session.execute(select(Tariff.id, Tariff.duration_days).where(Tariff.id.in_(ids)))
    return {row[0]: row[1] for row in result.all()}


def customer_view(
    row: Any, settings: Settings, user: User, durations: dict[uuid.UUID, int | None]
) -> SubscriptionView:
    """The customer's view of a subscription row (from repository.with_refs)."""
    # Without a panel link of its own, the personal link (all subscriptions in one) is what to import.
    fields = _view_fields(row, utcnow(), _renewable(row[0], durations), subscription_url(settings, user))
    return SubscriptionView(**fields)


async def customer_views(session: AsyncSession, settings: Settings, user: User) -> list[SubscriptionView]:
    """All of a customer's subscriptions."""
    rows = list(await repository.user_subscriptions(session, user.id))
    durations = await _tariff_durations(session, rows)
    return [customer_view(r, settings, user, durations) for r in rows]


async def customer_detail(
    session: AsyncSession, settings: Settings, user: User, subscription_id: uuid.UUID
) -> SubscriptionDetail:
    """One of the customer's subscriptions with its share links (404 for anyone else's)."""
    row = await repository.one_with_refs(session, subscription_id)
    if row is None or row[0].user_id != user.id or row[0].status is SubscriptionStatus.failed:
        raise SubscriptionNotFound()
    view = customer_view(row, settings, user, await _tariff_durations(session, [row]))
    return SubscriptionDetail(**view.model_dump(), links=links_of(row[0]))


def links_of(sub: Subscription) -> list[str]:
    """The stored share links of a subscription."""
    return [line for line in (sub.share_links or "").splitlines() if line.strip()]


async def admin_view(session: AsyncSession, subscription_id: uuid.UUID) -> SubscriptionAdminView:
    """One subscription as staff see it."""
    row = await repository.one_with_refs(session, subscription_id)
    if row is None:
        raise SubscriptionNotFound()
    return admin_view_of(row, await _tariff_durations(session, [row]))


def admin_view_of(row: Any, durations: dict[uuid.UUID, int | None]) -> SubscriptionAdminView:
    """Staff view of a row from repository.with_refs."""
    sub: Subscription = row[0]
    return SubscriptionAdminView(
        **_view_fields(row, utcnow(), _renewable(sub, durations), None),
        user_id=sub.user_id,
        telegram_id=row[4],
        server_id=sub.server_id,
        server_name=row[3],
        panel_identity=sub.panel_identity,
        panel_sub_id=sub.panel_sub_id,
        duration_days=sub.duration_days,
        provision_attempts=sub.provision_attempts,
        last_error=sub.last_error,
        traffic_synced_at=sub.traffic_synced_at,
        disabled_on_panel_at=sub.disabled_on_panel_at,
        deleted_on_panel_at=sub.deleted_on_panel_at,
        updated_at=sub.updated_at,
    )


async def admin_views(session: AsyncSession, rows: list[Any]) -> list[SubscriptionAdminView]:
    """Staff views of several rows."""
    durations = await _tariff_durations(session, rows)
    return [admin_view_of(r, durations) for r in rows]


async def get_subscription(session: AsyncSession, subscription_id: uuid.UUID) -> Subscription:
    """A subscription or 404."""
    sub = await session.get(Subscription, subscription_id)
    if sub is None:
        raise SubscriptionNotFound()
    return sub
