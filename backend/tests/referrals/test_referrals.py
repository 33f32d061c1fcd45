"""Referral rewards: percent of every top-up, first-payment bonuses once, no self-referral or cycles."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.billing import settings_keys as keys
from app.config import Settings
from app.db import unit_of_work
from app.models import Payment, ReferralReward, User
from app.models.enums import PaymentMethod
from app.payments.settlement import settle_paid
from app.shop_settings.registry import set_value
from tests.factories import create_user
from tests.money import balance_of, user_headers


async def pending_payment(
    session: AsyncSession, user: User, amount: str = "200", method: PaymentMethod = PaymentMethod.cryptopay
) -> Payment:
    payment = Payment(
        user_id=user.id, amount=Decimal(amount), method=method, provider_payment_id=uuid.uuid4().hex
    )
    session.add(payment)
    await session.flush()
    return payment


async def pair(session: AsyncSession) -> tuple[User, User]:
    inviter = await create_user(session)
    invited = await create_user(session, referred_by_id=inviter.id)
    return inviter, invited


async def bonuses(session: AsyncSession, inviter: str = "50", invited: str = "30") -> None:
    await set_value(session, keys.REFERRAL_FIRST_PAYMENT_BONUS, inviter)
    await set_value(session, keys.REFERRAL_INVITED_BONUS, invited)


class TestRewards:
    async def test_percent_of_each_top_up_and_first_payment_bonuses_once(self, session: AsyncSession) -> None:
        await bonuses(session)
        inviter, invited = await pair(session)
        first = await pending_payment(session, invited, "200")
        await settle_paid(session, first.id, source="test")
        assert await balance_of(session, inviter.id) == Decimal("70.00")  # 10 % of 200 + 50
        assert await balance_of(session, invited.id) == Decimal("230.00")  # 200 + welcome 30
        second = await pending_payment(session, invited, "99.95")
        await settle_paid(session, second.id, source="test")
        assert await balance_of(session, inviter.id) == Decimal("80.00")  # + 10 % of 99.95 = 9.995 → 10.00
        assert await balance_of(session, invited.id) == Decimal("329.95")
        kinds = sorted((await session.scalars(select(ReferralReward.kind))).all())
        assert kinds == ["first_payment", "percent", "percent", "welcome_bonus"]

    async def test_settling_twice_pays_once(self, session: AsyncSession) -> None:
        inviter, invited = await pair(session)
        payment = await pending_payment(session, invited, "100")
        await settle_paid(session, payment.id, source="webhook")
        await settle_paid(session, payment.id, source="poller")
        assert await balance_of(session, inviter.id) == Decimal("10.00")

    async def test_nothing_without_an_inviter_or_with_zero_settings(self, session: AsyncSession) -> None:
        loner = await create_user(session)
        await settle_paid(session, (await pending_payment(session, loner)).id, source="test")
        await set_value(session, keys.REFERRAL_PERCENT, "0")
        inviter, invited = await pair(session)
        await settle_paid(session, (await pending_payment(session, invited)).id, source="test")
        assert await balance_of(session, inviter.id) == 0
        assert (await session.scalars(select(ReferralReward))).all() == []

    async def test_no_reward_for_a_two_way_pair(self, session: AsyncSession) -> None:
        inviter, invited = await pair(session)
        inviter.referred_by_id = invited.id  # impossible through registration; guarded anyway
        await session.flush()
        await settle_paid(session, (await pending_payment(session, invited)).id, source="test")
        assert await balance_of(session, inviter.id) == 0

    async def test_self_referral_is_refused_by_the_database(self, session: AsyncSession) -> None:
        user = await create_user(session)
        nested = await session.begin_nested()
        with pytest.raises(IntegrityError, match="no_self_referral"):
            await session.execute(update(User).where(User.id == user.id).values(referred_by_id=user.id))
        await nested.rollback()


class TestRegistration:
    async def test_referrer_is_recorded_once_and_cycles_cannot_form(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        bot = {"X-Bot-Token": settings.bot_service_token.get_secret_value()}

        async def login(telegram_id: int, code: str | None = None) -> dict[str, Any]:
            body = {"telegram_id": telegram_id, "first_name": "T", "referral_code": code}
            resp = await client.post("/api/v1/auth/telegram", json=body, headers=bot)
            assert resp.status_code == 200
            return dict(resp.json()["user"])

        a = await login(91_000_001)
        b = await login(91_000_002, f"ref_{a['referral_code']}")
        assert b["referred_by_id"] == a["id"]
        again = await login(91_000_001, b["referral_code"])  # A tries to become B's invitee
        assert again["referred_by_id"] is None
        own = await login(91_000_003, "nonexistent")
        assert own["referred_by_id"] is None


class TestSummary:
    async def test_my_referrals(self, client: AsyncClient, session: AsyncSession, settings: Settings) -> None:
        await bonuses(session, "25", "0")
        inviter, invited = await pair(session)
        await create_user(session, referred_by_id=inviter.id)
        await settle_paid(session, (await pending_payment(session, invited, "300")).id, source="test")
        resp = await client.get("/api/v1/users/me/referrals", headers=user_headers(settings, inviter))
        assert resp.status_code == 200
        body = resp.json()
        assert body["invited_count"] == 2 and body["paying_count"] == 1
        assert body["earned"] == "55.00"
        assert body["rules"] == {
            "percent": "10",
            "inviter_first_payment_bonus": "25.00",
            "invited_bonus": "0.00",
        }
        assert body["link"] is None  # no TELEGRAM_BOT_USERNAME in these settings
        assert body["code"] == inviter.referral_code


async def test_two_first_payments_settled_at_once_pay_the_bonus_once(
    committed_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(committed_sessionmaker) as s:
        await bonuses(s, "50", "30")
        inviter, invited = await pair(s)
        payments = [await pending_payment(s, invited, "100") for _ in range(5)]

    async def settle(payment_id: uuid.UUID) -> None:
        async with unit_of_work(committed_sessionmaker) as s:
            await settle_paid(s, payment_id, source="test")

    await asyncio.gather(*[settle(p.id) for p in payments])
    async with committed_sessionmaker() as s:
        assert await balance_of(s, inviter.id) == Decimal("100.00")  # 5 × 10 + one 50 bonus
        assert await balance_of(s, invited.id) == Decimal("530.00")
