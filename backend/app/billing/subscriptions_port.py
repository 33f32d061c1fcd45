"""The three subscription operations money needs, until the subscriptions domain provides them.

Same signatures as `subscriptions.service.create_pending_subscription`, `request_extension` and
`servers.capacity.location_has_capacity`; the lead swaps these for the real ones when merging.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.time import utcnow
from app.models import Location, Server, Subscription, Tariff, User
from app.models.enums import ServerHealth, SubscriptionStatus
from app.worker.enqueue import enqueue_after_commit

LIVE_STATUSES = (SubscriptionStatus.pending, SubscriptionStatus.active)


def panel_identity_for(user: User, subscription_id: uuid.UUID) -> str:
    """The client name on the panel, fixed at creation so a retried provisioning finds its client."""
    return f"u{user.telegram_id}-{subscription_id.hex[:10]}"


async def create_pending_subscription(
    session: AsyncSession,
    user: User,
    tariff: Tariff,
    location: Location,
    *,
    is_trial: bool = False,
    duration_days: int | None = None,
) -> Subscription:
    """Insert a `pending` subscription and provision it after commit."""
    subscription_id = uuid.uuid4()
    subscription = Subscription(
        id=subscription_id,
        user_id=user.id,
        location_id=location.id,
        tariff_id=tariff.id,
        status=SubscriptionStatus.pending,
        is_trial=is_trial,
        duration_days=duration_days if duration_days is not None else tariff.duration_days,
        panel_identity=panel_identity_for(user, subscription_id),
        traffic_limit_bytes=tariff.traffic_limit_gb * 1024**3 if tariff.traffic_limit_gb else None,
        device_limit=tariff.device_limit,
    )
    session.add(subscription)
    await session.flush()
    enqueue_after_commit(
        session, "subscriptions.provision", str(subscription.id), _job_id=f"provision:{subscription.id}"
    )
    return subscription


async def request_extension(session: AsyncSession, subscription: Subscription, days: int) -> Subscription:
    """Move the end date by `days` (from now when it already ended) and extend on the panel after commit."""
    if subscription.ends_at is not None:
        base = max(subscription.ends_at, utcnow())
        subscription.ends_at = base + timedelta(days=days)
    await session.flush()
    enqueue_after_commit(
        session,
        "subscriptions.extend",
        str(subscription.id),
        _job_id=f"extend:{subscription.id}:{subscription.ends_at.isoformat() if subscription.ends_at else 'forever'}",
    )
    return subscription


async def location_has_capacity(session: AsyncSession, location_id: uuid.UUID) -> bool:
    """Whether the location's active, not-down servers have a seat left (max_users minus live ones)."""
    seats = await session.scalar(
        select(func.coalesce(func.sum(Server.max_users), 0)).where(
            Server.location_id == location_id,
            Server.is_active.is_(True),
            Server.health != ServerHealth.down,
        )
    )
    used = await session.scalar(
        select(func.count(Subscription.id)).where(
            Subscription.location_id == location_id, Subscription.status.in_(LIVE_STATUSES)
        )
    )
    return int(seats or 0) > int(used or 0)
