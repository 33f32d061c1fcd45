"""The dashboard's aggregates: a handful of queries, each one pass over an index or a table."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Location, Payment, Server, Subscription, User
from app.models.enums import PaymentMethod, PaymentStatus, SubscriptionStatus
from app.users.admin_repository import PROVIDER_METHODS


async def user_counts(
    session: AsyncSession, today_start: datetime, d7_start: datetime, d30_start: datetime
) -> Any:
    """Customers: total, new in windows, blocked, and the last 30 days' trial funnel, in one scan."""
    paid_after_trial = exists().where(
        Payment.user_id == User.id,
        Payment.status == PaymentStatus.paid,
        Payment.method != PaymentMethod.admin,
        Payment.created_at >= User.trial_used_at,
    )
    recent_trial = User.trial_used_at >= d30_start
    stmt = select(
        func.count().label("total"),
        func.count().filter(User.created_at >= today_start).label("new_today"),
        func.count().filter(User.created_at >= d7_start).label("new_7_days"),
        func.count().filter(User.created_at >= d30_start).label("new_30_days"),
        func.count().filter(User.is_blocked).label("blocked"),
        func.count().filter(User.bot_blocked).label("bot_blocked"),
        func.count().filter(User.trial_used_at.is_not(None)).label("trials_used"),
        func.count().filter(recent_trial).label("trials_30_days"),
        # The paid-after-trial probe runs for recent trials only: the funnel of the last 30 days.
        func.count().filter(and_(recent_trial, paid_after_trial)).label("trials_converted"),
    ).select_from(User)
    return (await session.execute(stmt)).one()


async def subscription_counts(session: AsyncSession, now: datetime, week_later: datetime) -> Any:
    """Active subscriptions, active trials, and those ending within a week (the status index)."""
    s = Subscription
    stmt = select(
        func.count().label("active"),
        func.count().filter(s.is_trial).label("active_trials"),
        func.count().filter(s.ends_at >= now, s.ends_at < week_later).label("expiring_7_days"),
    ).where(s.status == SubscriptionStatus.active)
    return (await session.execute(stmt)).one()


async def revenue_by_day(
    session: AsyncSession, tz: str, since: datetime
) -> list[tuple[date, str, Decimal, int]]:
    """Provider payments since `since`, summed per local day and method."""
    day = cast(func.timezone(tz, Payment.paid_at), Date).label("day")
    stmt = (
        select(day, Payment.method, func.sum(Payment.amount), func.count())
        .where(
            Payment.status == PaymentStatus.paid,
            Payment.method.in_(PROVIDER_METHODS),
            Payment.paid_at >= since,
        )
        .group_by(day, Payment.method)
    )
    return [
        (d, PaymentMethod(m).value, Decimal(a), int(n)) for d, m, a, n in (await session.execute(stmt)).all()
    ]


async def new_users_by_day(session: AsyncSession, tz: str, since: datetime) -> dict[date, int]:
    """Registrations since `since` per local day."""
    day = cast(func.timezone(tz, User.created_at), Date).label("day")
    stmt = select(day, func.count()).where(User.created_at >= since).group_by(day)
    return {d: int(n) for d, n in (await session.execute(stmt)).all()}


async def server_loads(session: AsyncSession) -> list[Any]:
    """Every server with its location and live (active or pending) subscriptions."""
    live = Subscription.status.in_([SubscriptionStatus.active, SubscriptionStatus.pending])
    stmt = (
        select(
            Server.id,
            Server.name,
            Location.name.label("location_name"),
            Server.health,
            Server.is_active,
            Server.max_users,
            Server.last_check_at,
            Server.last_latency_ms,
            func.count(Subscription.id).label("active_users"),
        )
        .join(Location, Location.id == Server.location_id)
        .outerjoin(Subscription, and_(Subscription.server_id == Server.id, or_(live)))
        .group_by(Server.id, Location.name)
        .order_by(Location.name, Server.name)
    )
    return list((await session.execute(stmt)).all())
