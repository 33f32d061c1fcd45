"""The dashboard in the shop's time zone, cached for a few seconds."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app.dashboard import repository
from app.dashboard.schemas import (
    Dashboard,
    DayStats,
    RevenueStats,
    RevenueWindow,
    ServerLoad,
    ServerStats,
    SubscriptionStats,
    TrialStats,
    UserStats,
)
from app.kit.time import utcnow
from app.models.enums import ServerHealth
from app.shop_settings.definitions import SHOP_TIMEZONE
from app.shop_settings.registry import get_value

DAYS = 30
# Several staff with the dashboard open poll it; numbers a few seconds old are fine.
CACHE_SECONDS = 15


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _window(rows: list[tuple[date, str, Decimal, int]], first_day: date) -> RevenueWindow:
    by_method: dict[str, Decimal] = defaultdict(Decimal)
    payments = 0
    for day, method, amount, count in rows:
        if day >= first_day:
            by_method[method] += amount
            payments += count
    total = sum(by_method.values(), Decimal("0.00"))
    return RevenueWindow(total=total, payments=payments, by_method=dict(sorted(by_method.items())))


async def shop_timezone(session: AsyncSession) -> str:
    """The shop's time zone setting."""
    zone: str = await get_value(session, SHOP_TIMEZONE)
    return zone


async def build(session: AsyncSession, tz: str | None = None) -> Dashboard:
    """Compute the dashboard (about six queries, all aggregates)."""
    if tz is None:
        tz = await shop_timezone(session)
    zone = ZoneInfo(tz)
    now = utcnow()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=DAYS - 1)
    since = _local_midnight(first, zone)

    users = await repository.user_counts(
        session, _local_midnight(today, zone), _local_midnight(today - timedelta(days=6), zone), since
    )
    subs = await repository.subscription_counts(session, now, now + timedelta(days=7))
    revenue_rows = await repository.revenue_by_day(session, tz, since)
    new_users = await repository.new_users_by_day(session, tz, since)
    servers = await repository.server_loads(session)

    per_day: dict[date, tuple[Decimal, int]] = defaultdict(lambda: (Decimal("0.00"), 0))
    for day, _method, amount, count in revenue_rows:
        total, n = per_day[day]
        per_day[day] = (total + amount, n + count)
    days = [
        DayStats(date=d, revenue=per_day[d][0], payments=per_day[d][1], new_users=new_users.get(d, 0))
        for d in (first + timedelta(days=i) for i in range(DAYS))
    ]
    health = [s.health for s in servers]
    return Dashboard(
        generated_at=now,
        timezone=tz,
        users=UserStats(
            total=users.total,
            new_today=users.new_today,
            new_7_days=users.new_7_days,
            new_30_days=users.new_30_days,
            blocked=users.blocked,
            bot_blocked=users.bot_blocked,
        ),
        subscriptions=SubscriptionStats(
            active=subs.active, active_trials=subs.active_trials, expiring_7_days=subs.expiring_7_days
        ),
        trials=TrialStats(
            used=users.trials_used,
            started_30_days=users.trials_30_days,
            converted_30_days=users.trials_converted,
            conversion_percent=round(100 * users.trials_converted / users.trials_30_days, 1)
            if users.trials_30_days
            else 0.0,
        ),
        revenue=RevenueStats(
            today=_window(revenue_rows, today),
            last_7_days=_window(revenue_rows, today - timedelta(days=6)),
            last_30_days=_window(revenue_rows, first),
        ),
        days=days,
        servers=ServerStats(
            up=health.count(ServerHealth.ok),
            down=health.count(ServerHealth.down),
            unknown=health.count(ServerHealth.unknown),
            items=[
                ServerLoad(
                    id=s.id,
                    name=s.name,
                    location_name=s.location_name,
                    health=s.health,
                    is_active=s.is_active,
                    active_users=s.active_users,
                    max_users=s.max_users,
                    load_percent=round(100 * s.active_users / s.max_users, 1),
                    last_check_at=s.last_check_at,
                    last_latency_ms=s.last_latency_ms,
                )
                for s in servers
            ],
        ),
    )


async def cached(session: AsyncSession, redis: Redis, tz: str | None, fresh: bool) -> Dashboard:
    """The dashboard from a short Redis cache, or computed (and cached) when missing or `fresh`."""
    if tz is None:
        tz = await shop_timezone(session)
    key = f"dashboard:{tz}"
    if not fresh:
        hit = await redis.get(key)
        if hit:
            return Dashboard.model_validate_json(hit)
    dashboard = await build(session, tz)
    await redis.set(key, dashboard.model_dump_json(), ex=CACHE_SECONDS)
    return dashboard
