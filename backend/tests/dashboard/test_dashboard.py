"""The dashboard: numbers from SQL aggregates, days in the shop's time zone, cheap to compute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from httpx import AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.dashboard.service import build
from app.models.enums import AdminRole, PaymentMethod, PaymentStatus, ServerHealth, SubscriptionStatus
from tests.factories import (
    admin_headers,
    create_location,
    create_payment,
    create_server,
    create_subscription,
    create_user,
)

URL = "/api/v1/admin/dashboard"
# 21:30 UTC is already the next day in Moscow (UTC+3): the time zone decides what "today" is.
NOW = datetime(2026, 6, 15, 21, 30, tzinfo=UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


async def shop(session: AsyncSession) -> None:
    """A small shop with something on either side of every boundary the dashboard draws."""
    ago = lambda **kw: NOW - timedelta(**kw)  # noqa: E731
    today_msk = await create_user(session, created_at=NOW)
    yesterday_msk = await create_user(session, created_at=ago(hours=1))
    await create_user(session, created_at=ago(days=10), is_blocked=True)
    await create_user(session, created_at=ago(days=40), bot_blocked=True)

    # Revenue: providers only; balance purchases, admin credits, refunds and pending ones are not revenue.
    await create_payment(session, today_msk, "100.00", method=PaymentMethod.cryptopay, paid_at=NOW)
    await create_payment(
        session, yesterday_msk, "200.00", method=PaymentMethod.severpay, paid_at=ago(hours=1)
    )
    await create_payment(session, yesterday_msk, "50.50", method=PaymentMethod.xrocket, paid_at=ago(days=5))
    await create_payment(session, yesterday_msk, "70.00", method=PaymentMethod.stars, paid_at=ago(days=20))
    await create_payment(session, yesterday_msk, "1000.00", paid_at=ago(days=40))
    await create_payment(session, today_msk, "49.00", method=PaymentMethod.balance, paid_at=NOW)
    await create_payment(session, today_msk, "500.00", method=PaymentMethod.admin, paid_at=NOW)
    await create_payment(session, today_msk, "300.00", status=PaymentStatus.refunded, paid_at=NOW)
    await create_payment(session, today_msk, "999.00", status=PaymentStatus.pending)

    # Trials of the last 30 days: one paid after the trial, one never paid, one paid only before it;
    # and an old trial that converted long ago (outside the funnel's window).
    converted = await create_user(session, created_at=ago(days=50), trial_used_at=ago(days=10))
    await create_payment(session, converted, "10.00", created_at=ago(days=9), paid_at=ago(days=60))
    await create_user(session, created_at=ago(days=50), trial_used_at=ago(days=10))
    earlier = await create_user(session, created_at=ago(days=50), trial_used_at=ago(days=10))
    await create_payment(session, earlier, "10.00", created_at=ago(days=30), paid_at=ago(days=60))
    veteran = await create_user(session, created_at=ago(days=90), trial_used_at=ago(days=80))
    await create_payment(session, veteran, "10.00", created_at=ago(days=70), paid_at=ago(days=70))

    nl = await create_location(session, name="Netherlands")
    up = await create_server(session, nl, name="nl-1", max_users=10, health=ServerHealth.ok)
    await create_server(session, nl, name="nl-2", health=ServerHealth.down)
    await create_subscription(session, converted, nl, server_id=up.id, ends_at=NOW + timedelta(days=3))
    await create_subscription(
        session, today_msk, nl, server_id=up.id, is_trial=True, ends_at=NOW + timedelta(days=20)
    )
    await create_subscription(session, yesterday_msk, nl, ends_at=None)
    await create_subscription(session, earlier, nl, server_id=up.id, status=SubscriptionStatus.expired)


async def test_numbers_in_the_shops_time_zone(
    frozen: Any, client: AsyncClient, session: AsyncSession
) -> None:
    await shop(session)
    headers = await admin_headers(client, session, AdminRole.admin)
    resp = await client.get(URL, headers=headers)
    assert resp.status_code == 200, resp.text
    d = resp.json()
    assert d["timezone"] == "Europe/Moscow"
    assert d["users"] == {
        "total": 8,
        "new_today": 1,
        "new_7_days": 2,
        "new_30_days": 3,
        "blocked": 1,
        "bot_blocked": 1,
    }
    assert d["subscriptions"] == {"active": 3, "active_trials": 1, "expiring_7_days": 1}
    assert d["trials"] == {
        "used": 4,
        "started_30_days": 3,
        "converted_30_days": 1,
        "conversion_percent": 33.3,
    }
    assert d["revenue"]["today"] == {"total": "100.00", "payments": 1, "by_method": {"cryptopay": "100.00"}}
    assert d["revenue"]["last_7_days"]["total"] == "350.50"
    assert d["revenue"]["last_30_days"] == {
        "total": "420.50",
        "payments": 4,
        "by_method": {"cryptopay": "100.00", "severpay": "200.00", "stars": "70.00", "xrocket": "50.50"},
    }
    days = d["days"]
    assert len(days) == 30 and days[0]["date"] == "2026-05-18" and days[-1]["date"] == "2026-06-16"
    assert days[-1] == {"date": "2026-06-16", "revenue": "100.00", "payments": 1, "new_users": 1}
    assert days[-2] == {"date": "2026-06-15", "revenue": "200.00", "payments": 1, "new_users": 1}
    assert sum(Decimal(x["revenue"]) for x in days) == Decimal("420.50")
    assert days[0] == {"date": "2026-05-18", "revenue": "0.00", "payments": 0, "new_users": 0}

    servers = d["servers"]
    assert (servers["up"], servers["down"], servers["unknown"]) == (1, 1, 0)
    nl1 = next(s for s in servers["items"] if s["name"] == "nl-1")
    assert (nl1["active_users"], nl1["max_users"], nl1["load_percent"]) == (2, 10, 20.0)
    assert nl1["location_name"] == "Netherlands"


async def test_another_time_zone_moves_the_day(
    frozen: Any, client: AsyncClient, session: AsyncSession
) -> None:
    await shop(session)
    headers = await admin_headers(client, session, AdminRole.admin)
    d = (await client.get(URL, params={"tz": "UTC", "fresh": "true"}, headers=headers)).json()
    assert d["timezone"] == "UTC" and d["days"][-1]["date"] == "2026-06-15"
    assert d["users"]["new_today"] == 2
    assert d["revenue"]["today"]["total"] == "300.00"


async def test_cached_for_a_few_seconds(frozen: Any, client: AsyncClient, session: AsyncSession) -> None:
    headers = await admin_headers(client, session, AdminRole.admin)
    first = (await client.get(URL, headers=headers)).json()
    await create_user(session)
    cached = (await client.get(URL, headers=headers)).json()
    assert cached == first
    fresh = (await client.get(URL, params={"fresh": "true"}, headers=headers)).json()
    assert fresh["users"]["total"] == first["users"]["total"] + 1


async def test_a_handful_of_queries(engine: AsyncEngine, session: AsyncSession) -> None:
    await shop(session)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await build(session)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) <= 6, statements


async def test_bad_time_zone_and_roles(client: AsyncClient, session: AsyncSession) -> None:
    admin = await admin_headers(client, session, AdminRole.admin)
    assert (await client.get(URL, params={"tz": "Mars/Base"}, headers=admin)).status_code == 422
    support = await admin_headers(client, session, AdminRole.support)
    assert (await client.get(URL, headers=support)).status_code == 403
