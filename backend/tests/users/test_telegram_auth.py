"""The bot's service login: upsert, referral recorded once, customer token, blocked users."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.models import User
from tests.factories import admin_headers, create_user


def bot_headers(settings: Settings) -> dict[str, str]:
    return {"X-Bot-Token": settings.bot_service_token.get_secret_value()}


def tg(telegram_id: int, **kw: Any) -> dict[str, Any]:
    return {
        "telegram_id": telegram_id,
        "username": f"u{telegram_id}",
        "first_name": "Ivan",
        "last_name": None,
        "language_code": "ru",
        **kw,
    }


class TestServiceAuth:
    async def test_requires_the_bot_token(self, client: AsyncClient, settings: Settings) -> None:
        no = await client.post("/api/v1/auth/telegram", json=tg(1))
        wrong = await client.post("/api/v1/auth/telegram", json=tg(1), headers={"X-Bot-Token": "x" * 40})
        assert no.status_code == wrong.status_code == 401

    async def test_registers_then_logs_in(
        self, client: AsyncClient, settings: Settings, session: AsyncSession
    ) -> None:
        first = await client.post("/api/v1/auth/telegram", json=tg(555), headers=bot_headers(settings))
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["created"] is True
        assert body["token_type"] == "bearer"
        user = body["user"]
        assert user["telegram_id"] == 555
        assert user["balance"] == "0.00"
        assert user["language"] == "ru"
        assert user["subscription_url"].startswith("https://shop.test/sub/")

        again = await client.post(
            "/api/v1/auth/telegram", json=tg(555, username="renamed"), headers=bot_headers(settings)
        )
        assert again.json()["created"] is False
        assert again.json()["user"]["id"] == user["id"]
        assert again.json()["user"]["username"] == "renamed"
        assert again.json()["user"]["referral_code"] == user["referral_code"]

        me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200
        assert me.json()["id"] == user["id"]

    async def test_language_from_telegram(self, client: AsyncClient, settings: Settings) -> None:
        en = await client.post(
            "/api/v1/auth/telegram", json=tg(601, language_code="en-US"), headers=bot_headers(settings)
        )
        uk = await client.post(
            "/api/v1/auth/telegram", json=tg(602, language_code="uk"), headers=bot_headers(settings)
        )
        none = await client.post(
            "/api/v1/auth/telegram", json=tg(603, language_code=None), headers=bot_headers(settings)
        )
        assert [r.json()["user"]["language"] for r in (en, uk, none)] == ["en", "ru", "ru"]

    async def test_invalid_body_is_422(self, client: AsyncClient, settings: Settings) -> None:
        for body in ({"telegram_id": -5}, {"telegram_id": "abc"}, {}, tg(7, username="x" * 200)):
            resp = await client.post("/api/v1/auth/telegram", json=body, headers=bot_headers(settings))
            assert resp.status_code == 422, body


class TestReferral:
    async def test_referral_recorded_once_at_registration(
        self, client: AsyncClient, settings: Settings, session: AsyncSession
    ) -> None:
        inviter = await create_user(session)
        other = await create_user(session)
        resp = await client.post(
            "/api/v1/auth/telegram",
            json=tg(700, referral_code=f"ref_{inviter.referral_code}"),
            headers=bot_headers(settings),
        )
        assert resp.json()["user"]["referred_by_id"] == str(inviter.id)
        # A later /start with another code changes nothing.
        resp = await client.post(
            "/api/v1/auth/telegram",
            json=tg(700, referral_code=other.referral_code),
            headers=bot_headers(settings),
        )
        assert resp.json()["user"]["referred_by_id"] == str(inviter.id)

    async def test_existing_user_cannot_be_referred_later(
        self, client: AsyncClient, settings: Settings, session: AsyncSession
    ) -> None:
        inviter = await create_user(session)
        await client.post("/api/v1/auth/telegram", json=tg(701), headers=bot_headers(settings))
        resp = await client.post(
            "/api/v1/auth/telegram",
            json=tg(701, referral_code=inviter.referral_code),
            headers=bot_headers(settings),
        )
        assert resp.json()["user"]["referred_by_id"] is None

    async def test_unknown_and_own_codes_are_ignored(self, client: AsyncClient, settings: Settings) -> None:
        resp = await client.post(
            "/api/v1/auth/telegram", json=tg(702, referral_code="nosuchcode"), headers=bot_headers(settings)
        )
        assert resp.status_code == 200
        assert resp.json()["user"]["referred_by_id"] is None

    async def test_concurrent_starts_create_one_user(
        self,
        committed_client: AsyncClient,
        settings: Settings,
        committed_sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        async with committed_sessionmaker() as s:
            inviter = await create_user(s)
            await s.commit()
        results = await asyncio.gather(
            *[
                committed_client.post(
                    "/api/v1/auth/telegram",
                    json=tg(900, referral_code=inviter.referral_code),
                    headers=bot_headers(settings),
                )
                for _ in range(20)
            ]
        )
        assert all(r.status_code == 200 for r in results), [r.text for r in results if r.status_code != 200]
        assert sum(r.json()["created"] for r in results) == 1
        async with committed_sessionmaker() as s:
            count = await s.scalar(select(func.count()).select_from(User).where(User.telegram_id == 900))
            user = await s.scalar(select(User).where(User.telegram_id == 900))
        assert count == 1
        assert user is not None and user.referred_by_id == inviter.id


class TestCustomerToken:
    async def test_blocked_user_gets_403(
        self, client: AsyncClient, settings: Settings, session: AsyncSession
    ) -> None:
        resp = await client.post("/api/v1/auth/telegram", json=tg(800), headers=bot_headers(settings))
        token = resp.json()["access_token"]
        user = await session.scalar(select(User).where(User.telegram_id == 800))
        assert user is not None
        user.is_blocked = True
        await session.flush()
        me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 403
        assert me.json()["error"] == "UserBlocked"
        again = await client.post("/api/v1/auth/telegram", json=tg(800), headers=bot_headers(settings))
        assert again.status_code == 403
        assert again.json()["error"] == "UserBlocked"

    async def test_customer_token_cannot_reach_admin_and_admin_token_cannot_act_as_customer(
        self, client: AsyncClient, settings: Settings, session: AsyncSession
    ) -> None:
        resp = await client.post("/api/v1/auth/telegram", json=tg(801), headers=bot_headers(settings))
        customer = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        assert (await client.get("/api/v1/admin/locations", headers=customer)).status_code == 401
        assert (await client.get("/api/v1/auth/me", headers=customer)).status_code == 401
        staff = await admin_headers(client, session)
        assert (await client.get("/api/v1/users/me", headers=staff)).status_code == 401

    async def test_change_language(self, client: AsyncClient, settings: Settings) -> None:
        resp = await client.post("/api/v1/auth/telegram", json=tg(802), headers=bot_headers(settings))
        headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        assert (await client.patch("/api/v1/users/me", json={"language": "en"}, headers=headers)).json()[
            "language"
        ] == "en"
        assert (
            await client.patch("/api/v1/users/me", json={"language": "de"}, headers=headers)
        ).status_code == 422
