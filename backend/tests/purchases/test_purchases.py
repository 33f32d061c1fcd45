"""Purchases: server-side prices, balance debit + subscription in one transaction, renewals, full locations."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import BalanceLedger, Location, Payment, Server, Subscription, Tariff, User
from app.models.enums import LedgerKind, PaymentMethod, PaymentPurpose, PaymentStatus, SubscriptionStatus
from tests.factories import create_location, create_server, create_tariff, create_user
from tests.money import balance_of, fund, user_headers

URL = "/api/v1/users/me/purchases"


async def catalog(
    session: AsyncSession, *, seats: int = 10, price: str = "49.00", **tariff_kw: Any
) -> tuple[Location, Tariff]:
    location = await create_location(session)
    await create_server(session, location, max_users=seats)
    tariff = await create_tariff(session, price=Decimal(price), **tariff_kw)
    return location, tariff


def order(location: Location, tariff: Tariff, **kw: Any) -> dict[str, Any]:
    return {"tariff_id": str(tariff.id), "location_id": str(location.id), **kw}


async def active_subscription(
    session: AsyncSession, user: User, location: Location, days_left: int = 5
) -> Subscription:
    # A live subscription sits on one of the location's servers (that is what takes a place).
    server_id = await session.scalar(select(Server.id).where(Server.location_id == location.id).limit(1))
    sub = Subscription(
        user_id=user.id,
        location_id=location.id,
        server_id=server_id,
        status=SubscriptionStatus.active,
        starts_at=utcnow() - timedelta(days=25),
        ends_at=utcnow() + timedelta(days=days_left),
        duration_days=30,
        panel_identity=f"test-{user.telegram_id}-{days_left}",
    )
    session.add(sub)
    await session.flush()
    return sub


class TestFromBalance:
    async def test_debits_and_creates_a_pending_subscription_in_one_go(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, redis: ArqRedis
    ) -> None:
        user = await fund(session, await create_user(session), "100")
        location, tariff = await catalog(session)
        resp = await client.post(URL, json=order(location, tariff), headers=user_headers(settings, user))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["status"] == "completed" and body["price"] == "49.00" and body["balance"] == "51.00"
        sub = body["subscription"]
        assert (
            sub["status"] == "pending"
            and sub["duration_days"] == 30
            and sub["location_id"] == str(location.id)
        )
        assert (
            sub["location"]["name"] == location.name and sub["location"]["flag_emoji"] == location.flag_emoji
        )
        assert body["payment"]["method"] == "balance" and body["payment"]["status"] == "paid"
        assert await balance_of(session, user.id) == Decimal("51.00")
        debit = await session.scalar(select(BalanceLedger).where(BalanceLedger.kind == LedgerKind.purchase))
        assert (
            debit is not None
            and debit.amount == Decimal("-49.00")
            and str(debit.subscription_id) == sub["id"]
        )
        assert await redis.exists(f"arq:job:provision:{sub['id']}:0")  # provisioning queued after commit

    async def test_short_balance_without_method_is_402_and_changes_nothing(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, redis: ArqRedis
    ) -> None:
        user = await fund(session, await create_user(session), "48.99")
        user_id = user.id  # the failed request rolls back and expires the test's objects
        location, tariff = await catalog(session)
        resp = await client.post(URL, json=order(location, tariff), headers=user_headers(settings, user))
        assert resp.status_code == 402 and resp.json()["error"] == "InsufficientBalance"
        assert "0.01 ₽ is missing" in resp.json()["detail"]
        assert await balance_of(session, user_id) == Decimal("48.99")
        assert await session.scalar(select(func.count(Subscription.id))) == 0
        assert await session.scalar(select(func.count(Payment.id))) == 0
        assert await redis.zcard("arq:queue") == 0

    async def test_price_comes_from_the_catalog_only(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await fund(session, await create_user(session), "200")
        location, tariff = await catalog(session, price="149.90")
        resp = await client.post(
            URL,
            json=order(location, tariff, price="1.00", amount="1.00"),
            headers=user_headers(settings, user),
        )
        assert resp.json()["price"] == "149.90" and resp.json()["balance"] == "50.10"

    async def test_renewal_extends_from_the_current_end(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, redis: ArqRedis
    ) -> None:
        user = await fund(session, await create_user(session), "100")
        location, tariff = await catalog(session, seats=1)
        sub = await active_subscription(session, user, location, days_left=5)
        ends = sub.ends_at
        assert ends is not None
        resp = await client.post(
            URL,
            json=order(location, tariff, subscription_id=str(sub.id)),
            headers=user_headers(settings, user),
        )
        assert resp.status_code == 200, resp.text  # a full location does not stop a renewal
        await session.refresh(sub)
        assert sub.ends_at == ends + timedelta(days=30)
        assert resp.json()["payment"]["purpose"] == "renewal"
        keys = [k async for k in redis.scan_iter(f"arq:job:subscriptions.extend:{sub.id}:*")]
        assert len(keys) == 1

    async def test_free_with_a_100_percent_code(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        from app.models import PromoCode
        from app.models.enums import PromoKind

        session.add(PromoCode(code="FREE", kind=PromoKind.discount, value=Decimal("100")))
        user = await create_user(session)
        location, tariff = await catalog(session)
        resp = await client.post(
            URL, json=order(location, tariff, promo_code="free"), headers=user_headers(settings, user)
        )
        assert resp.status_code == 200, resp.text
        assert (
            resp.json()["price"] == "0.00"
            and resp.json()["discount"] == "49.00"
            and resp.json()["payment"] is None
        )


class TestRefusals:
    @pytest.mark.parametrize(
        ("case", "status", "error"),
        [
            ("unknown tariff", 404, "TariffNotFound"),
            ("unknown location", 404, "LocationNotFound"),
            ("inactive tariff", 409, "TariffUnavailable"),
            ("other location's tariff", 400, "TariffNotForLocation"),
            ("full location", 409, "LocationFull"),
            ("someone else's subscription", 404, "SubscriptionNotFound"),
            ("pending subscription", 409, "SubscriptionNotRenewable"),
            ("lifetime plan as renewal", 409, "SubscriptionNotRenewable"),
            ("unknown promo", 404, "PromoCodeNotFound"),
        ],
    )
    async def test_bad_orders(
        self,
        client: AsyncClient,
        session: AsyncSession,
        settings: Settings,
        case: str,
        status: int,
        error: str,
    ) -> None:
        import uuid

        user = await fund(session, await create_user(session), "1000")
        location, tariff = await catalog(session)
        body = order(location, tariff)
        if case == "unknown tariff":
            body["tariff_id"] = str(uuid.uuid4())
        elif case == "unknown location":
            body["location_id"] = str(uuid.uuid4())
        elif case == "inactive tariff":
            tariff.is_active = False
        elif case == "other location's tariff":
            other = await create_location(session)
            tariff.location_id = other.id
        elif case == "full location":
            location2, _ = await catalog(session, seats=1)
            await active_subscription(session, await create_user(session), location2)
            body["location_id"] = str(location2.id)
        elif case == "someone else's subscription":
            sub = await active_subscription(session, await create_user(session), location)
            body["subscription_id"] = str(sub.id)
        elif case == "pending subscription":
            sub = await active_subscription(session, user, location)
            sub.status, sub.ends_at = SubscriptionStatus.pending, None
            body["subscription_id"] = str(sub.id)
        elif case == "lifetime plan as renewal":
            sub = await active_subscription(session, user, location)
            tariff.duration_days = None
            body["subscription_id"] = str(sub.id)
        elif case == "unknown promo":
            body["promo_code"] = "NOPE"
        await session.flush()
        user_id = user.id
        resp = await client.post(URL, json=body, headers=user_headers(settings, user))
        assert resp.status_code == status, resp.text
        assert resp.json()["error"] == error
        assert await balance_of(session, user_id) == Decimal("1000")


async def test_200_concurrent_purchases_on_a_balance_for_3_succeed_exactly_3_times(
    committed_client: AsyncClient,
    committed_sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with unit_of_work(committed_sessionmaker) as s:
        user = await fund(s, await create_user(s), "150")
        location, tariff = await catalog(s, seats=500)
    headers = user_headers(settings, user)
    results = await asyncio.gather(
        *[committed_client.post(URL, json=order(location, tariff), headers=headers) for _ in range(200)]
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) == 3 and statuses.count(402) == 197, {
        s: statuses.count(s) for s in set(statuses)
    }
    async with committed_sessionmaker() as s:
        assert await balance_of(s, user.id) == Decimal("3.00")
        assert await s.scalar(select(func.count(Subscription.id))) == 3
        payments = (await s.scalars(select(Payment))).all()
        assert len(payments) == 3 and all(p.method is PaymentMethod.balance for p in payments)
        assert {p.purpose for p in payments} == {PaymentPurpose.purchase}
        assert {p.status for p in payments} == {PaymentStatus.paid}


async def test_last_seat_is_sold_once(
    committed_client: AsyncClient,
    committed_sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with unit_of_work(committed_sessionmaker) as s:
        location, tariff = await catalog(s, seats=1)
        users = [await fund(s, await create_user(s), "100") for _ in range(10)]
    results = await asyncio.gather(
        *[
            committed_client.post(URL, json=order(location, tariff), headers=user_headers(settings, u))
            for u in users
        ]
    )
    assert sorted(r.status_code for r in results) == [200] + [409] * 9
