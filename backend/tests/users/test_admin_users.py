"""Customers for staff: search, filters, the customer page and its history, block, direct messages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.tokens import TokenType, issue_token
from app.billing.ledger import change_balance
from app.config import Settings
from app.kit.time import utcnow
from app.models import AuditLog, ReferralReward
from app.models.enums import AdminRole, LedgerKind, PaymentMethod, PaymentStatus, SubscriptionStatus
from tests.factories import (
    admin_headers,
    create_location,
    create_payment,
    create_server,
    create_subscription,
    create_tariff,
    create_ticket,
    create_user,
)

USERS = "/api/v1/admin/users"


@pytest.fixture
async def owner(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.owner)


@pytest.fixture
async def support(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.support)


def ids(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [item["id"] for item in resp.json()["items"]]


class TestSearch:
    async def test_by_telegram_id_username_and_name(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession
    ) -> None:
        alice = await create_user(session, telegram_id=777001, username="Alice_VPN", first_name="Алиса")
        bob = await create_user(
            session, telegram_id=777002, username="bob", first_name="Bob", last_name="Smith"
        )
        await create_user(session, telegram_id=9_777_001, username="carol", first_name="Carol")

        assert ids(await client.get(USERS, params={"q": "777001"}, headers=support)) == [str(alice.id)]
        assert ids(await client.get(USERS, params={"q": "@alice"}, headers=support)) == [str(alice.id)]
        assert ids(await client.get(USERS, params={"q": "vpn"}, headers=support)) == [str(alice.id)]
        assert ids(await client.get(USERS, params={"q": "алис"}, headers=support)) == [str(alice.id)]
        assert ids(await client.get(USERS, params={"q": "bob smi"}, headers=support)) == [str(bob.id)]
        # LIKE wildcards in the query are literal characters.
        assert ids(await client.get(USERS, params={"q": "%"}, headers=support)) == []
        assert ids(await client.get(USERS, params={"q": "a_i"}, headers=support)) == []

    async def test_search_uses_the_trigram_indexes(self, session: AsyncSession) -> None:
        from app.users.admin_repository import list_users

        await session.execute(text("SET LOCAL enable_seqscan = off"))
        stmt = list_users(q="alice").compile(compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in (await session.execute(text(f"EXPLAIN {stmt}"))).all())
        assert "ix_users_username_trgm" in plan and "ix_users_name_trgm" in plan, plan

    async def test_filters_and_sorting(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession
    ) -> None:
        referrer = await create_user(session, username="ref")
        old = await create_user(session, created_at=utcnow() - timedelta(days=40), balance=Decimal("5"))
        active = await create_user(
            session, referred_by_id=referrer.id, language="en", balance=Decimal("50.00")
        )
        await create_subscription(session, active)
        blocked = await create_user(session, is_blocked=True, bot_blocked=True)

        async def query(**params: Any) -> list[str]:
            return ids(await client.get(USERS, params=params, headers=support))

        assert await query(is_blocked="true") == [str(blocked.id)]
        assert await query(bot_blocked="true") == [str(blocked.id)]
        assert await query(has_active_subscription="true") == [str(active.id)]
        assert str(active.id) not in await query(has_active_subscription="false")
        assert await query(referred_by=str(referrer.id)) == [str(active.id)]
        assert await query(language="en") == [str(active.id)]
        assert await query(created_to=(utcnow() - timedelta(days=30)).isoformat()) == [str(old.id)]
        assert str(old.id) not in await query(created_from=(utcnow() - timedelta(days=30)).isoformat())
        by_balance = await query(sort="-balance", size=2)
        assert by_balance == [str(active.id), str(old.id)]

        page = (await client.get(USERS, params={"has_active_subscription": "true"}, headers=support)).json()
        assert page["items"][0]["active_subscriptions"] == 1
        assert page["items"][0]["balance"] == "50.00"

    async def test_bad_queries_are_4xx(self, client: AsyncClient, support: dict[str, str]) -> None:
        assert (await client.get(USERS, params={"sort": "password"}, headers=support)).status_code == 400
        assert (await client.get(USERS, params={"q": "x" * 101}, headers=support)).status_code == 422
        assert (await client.get(USERS, params={"referred_by": "nope"}, headers=support)).status_code == 422
        assert (await client.get(USERS, params={"q": "9" * 30}, headers=support)).status_code == 200


class TestCustomerPage:
    async def test_detail_counts_and_history(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession
    ) -> None:
        inviter = await create_user(session, username="inviter")
        user = await create_user(session, referred_by_id=inviter.id, phone="+7900")
        friend = await create_user(session, referred_by_id=user.id, username="friend")
        await create_user(session, referred_by_id=user.id, username="lazy")
        location = await create_location(session, name="Netherlands", flag_emoji="🇳🇱")
        server = await create_server(session, location, name="nl-1")
        tariff = await create_tariff(session, name="Month")
        await create_subscription(session, user, location, server_id=server.id, tariff_id=tariff.id)
        await create_subscription(session, user, location, status=SubscriptionStatus.expired)
        await create_payment(session, user, "100.00")
        await create_payment(session, user, "49.00", method=PaymentMethod.balance)
        await create_payment(session, user, "300.00", status=PaymentStatus.pending)
        friend_payment = await create_payment(session, friend, "200.00")
        session.add(
            ReferralReward(
                beneficiary_id=user.id,
                referred_user_id=friend.id,
                payment_id=friend_payment.id,
                kind="percent",
                source_key=str(friend_payment.id),
                amount=Decimal("20.00"),
            )
        )
        await change_balance(session, user.id, Decimal("100"), LedgerKind.topup)
        await change_balance(session, user.id, Decimal("-49"), LedgerKind.purchase)
        await create_ticket(session, user)

        resp = await client.get(f"{USERS}/{user.id}", headers=support)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["balance"] == "51.00"
        assert body["phone"] == "+7900"
        assert body["referred_by"]["username"] == "inviter"
        assert body["counts"] == {
            "subscriptions": 2,
            "active_subscriptions": 1,
            "payments_paid": 2,
            "total_paid": "100.00",
            "referrals": 2,
            "referral_earnings": "20.00",
            "tickets": 1,
            "open_tickets": 1,
        }

        subs = (await client.get(f"{USERS}/{user.id}/subscriptions", headers=support)).json()
        assert subs["total"] == 2
        active = next(s for s in subs["items"] if s["status"] == "active")
        assert (
            active["location_name"],
            active["flag_emoji"],
            active["server_name"],
            active["tariff_name"],
        ) == (
            "Netherlands",
            "🇳🇱",
            "nl-1",
            "Month",
        )
        only_expired = await client.get(
            f"{USERS}/{user.id}/subscriptions", params={"status": "expired"}, headers=support
        )
        assert only_expired.json()["total"] == 1

        payments = (
            await client.get(f"{USERS}/{user.id}/payments", params={"size": 2}, headers=support)
        ).json()
        assert payments["total"] == 3 and payments["pages"] == 2
        paid = await client.get(f"{USERS}/{user.id}/payments", params={"status": "paid"}, headers=support)
        assert {p["amount"] for p in paid.json()["items"]} == {"100.00", "49.00"}

        ledger = (await client.get(f"{USERS}/{user.id}/ledger", headers=support)).json()
        assert [(e["amount"], e["kind"], e["balance_after"]) for e in ledger["items"]] == [
            ("-49.00", "purchase", "51.00"),
            ("100.00", "topup", "100.00"),
        ]

        referrals = (await client.get(f"{USERS}/{user.id}/referrals", headers=support)).json()
        by_name = {r["username"]: r for r in referrals["items"]}
        assert by_name["friend"]["has_paid"] is True and by_name["friend"]["rewards"] == "20.00"
        assert by_name["lazy"]["has_paid"] is False and by_name["lazy"]["rewards"] == "0.00"

        tickets = (await client.get(f"{USERS}/{user.id}/tickets", headers=support)).json()
        assert tickets["total"] == 1 and tickets["items"][0]["user"]["id"] == str(user.id)

    async def test_unknown_user_is_404_everywhere(self, client: AsyncClient, support: dict[str, str]) -> None:
        missing = "00000000-0000-0000-0000-000000000000"
        for suffix in ("", "/payments", "/ledger", "/subscriptions", "/referrals", "/tickets"):
            resp = await client.get(f"{USERS}/{missing}{suffix}", headers=support)
            assert resp.status_code == 404, suffix
            assert resp.json()["error"] == "UserNotFound"


class TestBlock:
    async def test_block_stops_the_customer_token_and_is_audited(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        token, _ = issue_token(settings, user.id, TokenType.user, 600)
        customer = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/users/me", headers=customer)).status_code == 200

        resp = await client.post(f"{USERS}/{user.id}/block", json={"reason": "fraud"}, headers=owner)
        assert resp.status_code == 200 and resp.json()["is_blocked"] is True
        again = await client.post(f"{USERS}/{user.id}/block", headers=owner)
        assert again.status_code == 200
        me = await client.get("/api/v1/users/me", headers=customer)
        assert me.status_code == 403 and me.json()["error"] == "UserBlocked"

        assert (await client.post(f"{USERS}/{user.id}/unblock", headers=owner)).json()["is_blocked"] is False
        assert (await client.get("/api/v1/users/me", headers=customer)).status_code == 200

        entries = (
            await session.execute(
                select(AuditLog.action, AuditLog.after)
                .where(AuditLog.entity_id == str(user.id))
                .order_by(AuditLog.created_at)
            )
        ).all()
        assert [e[0] for e in entries] == ["user.block", "user.unblock"]  # the repeated block changed nothing
        assert entries[0][1] == {"is_blocked": True, "reason": "fraud"}

    async def test_support_cannot_block(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession
    ) -> None:
        user = await create_user(session)
        resp = await client.post(f"{USERS}/{user.id}/block", headers=support)
        assert resp.status_code == 403


class TestMessage:
    async def test_message_is_queued_for_the_worker_and_audited(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession, redis: Any
    ) -> None:
        user = await create_user(session)
        resp = await client.post(
            f"{USERS}/{user.id}/message",
            json={"text": "Привет! <b>Сервер</b> снова работает."},
            headers=support,
        )
        assert resp.status_code == 202, resp.text
        assert resp.json() == {"status": "queued"}
        assert await redis.zcard("arq:queue") == 1
        action = await session.scalar(select(AuditLog.action).where(AuditLog.entity_id == str(user.id)))
        assert action == "user.message"

    @pytest.mark.parametrize(
        "body", [{}, {"text": ""}, {"text": "<div>x</div>"}, {"text": "a < b"}, {"text": "x" * 4097}]
    )
    async def test_invalid_text_is_422(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession, body: dict[str, Any]
    ) -> None:
        user = await create_user(session)
        resp = await client.post(f"{USERS}/{user.id}/message", json=body, headers=support)
        assert resp.status_code == 422

    async def test_user_who_blocked_the_bot_is_409(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession, redis: Any
    ) -> None:
        user = await create_user(session, bot_blocked=True)
        resp = await client.post(f"{USERS}/{user.id}/message", json={"text": "hi"}, headers=support)
        assert resp.status_code == 409 and resp.json()["error"] == "BotBlockedByUser"
        assert await redis.zcard("arq:queue") == 0
