"""Promo codes: admin CRUD, balance and free-days codes, limits, once per customer, no over-use."""

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
from app.models import AuditLog, BalanceLedger, PromoCode, PromoRedemption
from app.models.enums import AdminRole, LedgerKind, PromoKind
from tests.factories import admin_headers, create_location, create_user
from tests.money import balance_of, user_headers
from tests.purchases.test_purchases import active_subscription

ADMIN = "/api/v1/admin/promo-codes"
REDEEM = "/api/v1/users/me/promo"


async def code(
    session: AsyncSession,
    text: str = "GIFT100",
    kind: PromoKind = PromoKind.balance,
    value: str = "100",
    **kw: Any,
) -> PromoCode:
    promo = PromoCode(code=text, kind=kind, value=Decimal(value), **kw)
    session.add(promo)
    await session.flush()
    return promo


class TestAdminCrud:
    async def test_create_list_update_delete(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        resp = await client.post(
            ADMIN,
            json={"code": "spring25", "kind": "discount", "value": "25", "max_uses": 100},
            headers=headers,
        )
        assert resp.status_code == 201, resp.text
        created = resp.json()
        assert created["code"] == "SPRING25" and created["state"] == "active" and created["used_count"] == 0
        dup = await client.post(
            ADMIN, json={"code": "Spring25", "kind": "balance", "value": "5"}, headers=headers
        )
        assert dup.status_code == 409 and dup.json()["error"] == "PromoCodeTaken"
        listed = (await client.get(f"{ADMIN}?q=spring&kind=discount", headers=headers)).json()
        assert listed["total"] == 1
        patched = await client.patch(
            f"{ADMIN}/{created['id']}", json={"is_active": False, "max_uses": None}, headers=headers
        )
        assert patched.json()["state"] == "inactive" and patched.json()["max_uses"] is None
        assert (await client.delete(f"{ADMIN}/{created['id']}", headers=headers)).status_code == 204
        assert (await client.get(f"{ADMIN}/{created['id']}", headers=headers)).status_code == 404
        actions = (await session.scalars(select(AuditLog.action).order_by(AuditLog.created_at))).all()
        assert list(actions) == ["promo_code.create", "promo_code.update", "promo_code.delete"]

    @pytest.mark.parametrize(
        "body",
        [
            {"code": "X1", "kind": "balance", "value": "5"},
            {"code": "BAD CODE", "kind": "balance", "value": "5"},
            {"code": "OVER", "kind": "discount", "value": "101"},
            {"code": "HALFDAY", "kind": "days", "value": "1.5"},
            {"code": "ZERO", "kind": "balance", "value": "0"},
            {"code": "RICH", "kind": "balance", "value": "100001"},
        ],
    )
    async def test_invalid_codes(
        self, client: AsyncClient, session: AsyncSession, body: dict[str, Any]
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        assert (await client.post(ADMIN, json=body, headers=headers)).status_code == 422

    async def test_used_codes_keep_their_kind_and_cannot_be_deleted(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        url = f"{ADMIN}/{(await code(session, used_count=3, max_uses=10)).id}"
        resp = await client.patch(url, json={"kind": "discount"}, headers=headers)
        assert resp.status_code == 409
        resp = await client.patch(url, json={"max_uses": 2}, headers=headers)
        assert resp.status_code == 400
        resp = await client.patch(url, json={"value": "250"}, headers=headers)
        assert resp.status_code == 200 and resp.json()["value"] == "250.00"
        assert (await client.delete(url, headers=headers)).status_code == 409

    async def test_support_reads_but_cannot_write(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        assert (await client.get(ADMIN, headers=headers)).status_code == 200
        resp = await client.post(
            ADMIN, json={"code": "NOPE1", "kind": "balance", "value": "5"}, headers=headers
        )
        assert resp.status_code == 403

    async def test_redemptions_list(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        promo = await code(session)
        user = await create_user(session)
        await client.post(REDEEM, json={"code": "GIFT100"}, headers=user_headers(settings, user))
        page = (await client.get(f"{ADMIN}/{promo.id}/redemptions", headers=headers)).json()
        assert page["total"] == 1 and page["items"][0]["user_id"] == str(user.id)
        assert page["items"][0]["amount"] == "100.00"


class TestRedeem:
    async def test_balance_code_credits_the_ledger_once(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        await code(session, description="Welcome gift")
        user = await create_user(session)
        headers = user_headers(settings, user)
        resp = await client.post(REDEEM, json={"code": " gift100 "}, headers=headers)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {
            "kind": "balance",
            "amount": "100.00",
            "days": None,
            "balance": "100.00",
            "subscription_id": None,
            "ends_at": None,
        }
        entry = await session.scalar(select(BalanceLedger).where(BalanceLedger.user_id == user.id))
        assert entry is not None and entry.kind is LedgerKind.promo and entry.reference == "promo:GIFT100"
        again = await client.post(REDEEM, json={"code": "GIFT100"}, headers=headers)
        assert again.status_code == 409 and again.json()["error"] == "PromoCodeAlreadyUsed"

    @pytest.mark.parametrize(
        ("setup", "status", "error"),
        [
            ({"is_active": False}, 404, "PromoCodeNotFound"),
            ({"expires_at": "past"}, 409, "PromoCodeExpired"),
            ({"max_uses": 2, "used_count": 2}, 409, "PromoCodeExhausted"),
            ({"kind": PromoKind.discount, "value": "10"}, 400, "PromoCodeNotApplicable"),
            ({"kind": PromoKind.days, "value": "7"}, 400, "PromoCodeNotApplicable"),
        ],
    )
    async def test_refusals(
        self,
        client: AsyncClient,
        session: AsyncSession,
        settings: Settings,
        setup: dict[str, Any],
        status: int,
        error: str,
    ) -> None:
        if setup.get("expires_at") == "past":
            setup = {"expires_at": utcnow() - timedelta(minutes=1)}
        await code(session, "LIMITED", **setup)
        user = await create_user(session)
        resp = await client.post(REDEEM, json={"code": "LIMITED"}, headers=user_headers(settings, user))
        assert resp.status_code == status and resp.json()["error"] == error

    async def test_days_code_extends_the_subscription(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        await code(session, "WEEK", PromoKind.days, "7")
        user = await create_user(session)
        location = await create_location(session)
        sub = await active_subscription(session, user, location, days_left=2)
        ends = sub.ends_at
        assert ends is not None
        resp = await client.post(REDEEM, json={"code": "week"}, headers=user_headers(settings, user))
        assert resp.status_code == 200, resp.text
        assert resp.json()["days"] == 7 and resp.json()["subscription_id"] == str(sub.id)
        await session.refresh(sub)
        assert sub.ends_at == ends + timedelta(days=7)

    async def test_days_code_needs_a_choice_between_subscriptions(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        await code(session, "WEEK", PromoKind.days, "7")
        user = await create_user(session)
        location = await create_location(session)
        await active_subscription(session, user, location, days_left=2)
        second = str((await active_subscription(session, user, location, days_left=9)).id)
        headers = user_headers(settings, user)
        assert (await client.post(REDEEM, json={"code": "WEEK"}, headers=headers)).status_code == 400
        resp = await client.post(REDEEM, json={"code": "WEEK", "subscription_id": second}, headers=headers)
        assert resp.status_code == 200 and resp.json()["subscription_id"] == second

    async def test_guessing_is_rate_limited(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, redis: ArqRedis
    ) -> None:
        await code(session)
        user = await create_user(session)
        headers = user_headers(settings, user)
        for i in range(10):
            assert (await client.post(REDEEM, json={"code": f"GUESS{i}"}, headers=headers)).status_code == 404
        resp = await client.post(REDEEM, json={"code": "GIFT100"}, headers=headers)
        assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0


async def test_50_customers_racing_for_10_uses_get_exactly_10(
    committed_client: AsyncClient,
    committed_sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with unit_of_work(committed_sessionmaker) as s:
        promo = await code(s, "RACE", max_uses=10, value="50")
        users = [await create_user(s) for _ in range(50)]
    results = await asyncio.gather(
        *[
            committed_client.post(REDEEM, json={"code": "RACE"}, headers=user_headers(settings, u))
            for u in users
        ]
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) == 10 and statuses.count(409) == 40
    async with committed_sessionmaker() as s:
        assert (await s.get(PromoCode, promo.id)).used_count == 10  # type: ignore[union-attr]
        assert await s.scalar(select(func.count(PromoRedemption.id))) == 10
        assert sum([await balance_of(s, u.id) for u in users], Decimal(0)) == Decimal("500.00")


async def test_one_customer_redeeming_twice_at_once_gets_it_once(
    committed_client: AsyncClient,
    committed_sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with unit_of_work(committed_sessionmaker) as s:
        await code(s, "TWICE")
        user = await create_user(s)
    headers = user_headers(settings, user)
    results = await asyncio.gather(
        *[committed_client.post(REDEEM, json={"code": "TWICE"}, headers=headers) for _ in range(10)]
    )
    assert sorted(r.status_code for r in results) == [200] + [409] * 9
    async with committed_sessionmaker() as s:
        assert await balance_of(s, user.id) == Decimal("100.00")
