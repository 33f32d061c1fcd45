"""Broadcasts for staff: drafts, validation, segments, preview, start (frozen recipients), cancel."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import unit_of_work
from app.models import AuditLog, BroadcastDelivery
from app.models.enums import AdminRole, PaymentMethod, PaymentStatus, SubscriptionStatus
from tests.factories import (
    admin_headers,
    create_admin,
    create_location,
    create_payment,
    create_subscription,
    create_user,
    login,
)

URL = "/api/v1/admin/broadcasts"


@pytest.fixture
async def admin(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.admin)


async def population(session: AsyncSession) -> dict[str, Any]:
    """One customer of each kind a segment tells apart."""
    nl = await create_location(session, name="Netherlands")
    de = await create_location(session, name="Germany")
    active_nl = await create_user(session, username="active_nl")
    await create_subscription(session, active_nl, nl)
    await create_payment(session, active_nl)
    active_de_en = await create_user(session, username="active_de_en", language="en")
    await create_subscription(session, active_de_en, de)
    await create_payment(session, active_de_en, method=PaymentMethod.balance)
    expired = await create_user(session, username="expired")
    await create_subscription(session, expired, nl, status=SubscriptionStatus.expired)
    await create_payment(session, expired, status=PaymentStatus.refunded)
    newcomer = await create_user(session, username="newcomer", language="en")
    await create_payment(session, newcomer, status=PaymentStatus.pending)
    gifted = await create_user(session, username="gifted")
    await create_payment(session, gifted, method=PaymentMethod.admin)
    blocked = await create_user(session, username="blocked", is_blocked=True)
    left_bot = await create_user(session, username="left_bot", bot_blocked=True)
    await create_subscription(session, left_bot, nl)
    return {"nl": nl, "de": de, "blocked": blocked}


class TestDrafts:
    async def test_create_read_update_delete(
        self, client: AsyncClient, admin: dict[str, str], session: AsyncSession
    ) -> None:
        resp = await client.post(URL, json={"text": "<b>Привет</b>"}, headers=admin)
        assert resp.status_code == 201, resp.text
        draft = resp.json()
        assert draft["status"] == "draft" and draft["segment"] == {
            "kind": "all",
            "location_id": None,
            "language": None,
        }
        assert draft["progress"]["percent"] == 0.0 and draft["total"] == 0

        changed = await client.patch(
            f"{URL}/{draft['id']}", json={"segment": {"kind": "language", "language": "en"}}, headers=admin
        )
        assert changed.status_code == 200 and changed.json()["segment"]["language"] == "en"
        assert changed.json()["text"] == "<b>Привет</b>"

        listed = await client.get(URL, params={"status": "draft"}, headers=admin)
        assert [b["id"] for b in listed.json()["items"]] == [draft["id"]]
        assert (await client.delete(f"{URL}/{draft['id']}", headers=admin)).status_code == 204
        assert (await client.get(f"{URL}/{draft['id']}", headers=admin)).status_code == 404
        actions = (
            await session.scalars(select(AuditLog.action).where(AuditLog.entity_id == draft["id"]))
        ).all()
        assert sorted(actions) == ["broadcast.create", "broadcast.delete", "broadcast.update"]

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"text": ""},
            {"text": "<div>no</div>"},
            {"text": "<b>open"},
            {"text": "x" * 4097},
            {"text": "ok", "segment": {"kind": "location"}},
            {"text": "ok", "segment": {"kind": "language"}},
            {"text": "ok", "segment": {"kind": "language", "language": "Russian"}},
            {"text": "ok", "segment": {"kind": "all", "location_id": "00000000-0000-0000-0000-000000000000"}},
            {"text": "ok", "segment": {"kind": "vip"}},
            {"text": "ok", "segment": {"kind": "all", "extra": 1}},
        ],
    )
    async def test_invalid_bodies_are_422(
        self, client: AsyncClient, admin: dict[str, str], body: Any
    ) -> None:
        resp = await client.post(URL, json=body, headers=admin)
        assert resp.status_code == 422, resp.text

    async def test_html_error_names_the_problem(self, client: AsyncClient, admin: dict[str, str]) -> None:
        resp = await client.post(URL, json={"text": "Скидка <blink>20%</blink>"}, headers=admin)
        error = resp.json()["detail"][0]
        assert error["loc"] == ["body", "text"] and "<blink> is not supported" in error["msg"]

    async def test_unknown_location_is_404(self, client: AsyncClient, admin: dict[str, str]) -> None:
        body = {
            "text": "x",
            "segment": {"kind": "location", "location_id": "00000000-0000-0000-0000-000000000000"},
        }
        assert (await client.post(URL, json=body, headers=admin)).status_code == 404

    async def test_support_cannot_broadcast(self, client: AsyncClient, session: AsyncSession) -> None:
        support = await admin_headers(client, session, AdminRole.support)
        assert (await client.post(URL, json={"text": "x"}, headers=support)).status_code == 403
        assert (await client.get(URL, headers=support)).status_code == 403


class TestSegments:
    @pytest.mark.parametrize(
        ("segment", "expected"),
        [
            ({"kind": "all"}, 5),
            ({"kind": "active"}, 2),
            ({"kind": "expired"}, 1),
            ({"kind": "never_paid"}, 2),
            ({"kind": "language", "language": "en"}, 2),
            ({"kind": "active", "language": "en"}, 1),
        ],
    )
    async def test_preview_counts(
        self, client: AsyncClient, admin: dict[str, str], session: AsyncSession, segment: Any, expected: int
    ) -> None:
        await population(session)
        resp = await client.post(f"{URL}/preview", json={"segment": segment}, headers=admin)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"text": None, "length": None, "recipients": expected}

    async def test_location_segment(
        self, client: AsyncClient, admin: dict[str, str], session: AsyncSession
    ) -> None:
        people = await population(session)
        for loc, expected in ((people["nl"], 1), (people["de"], 1)):
            segment = {"kind": "location", "location_id": str(loc.id)}
            resp = await client.post(f"{URL}/preview", json={"segment": segment}, headers=admin)
            assert resp.json()["recipients"] == expected

    async def test_preview_renders_the_text(self, client: AsyncClient, admin: dict[str, str]) -> None:
        resp = await client.post(
            f"{URL}/preview",
            json={"text": '<b>Скидка</b> &amp; <a href="https://x.test">😀</a>'},
            headers=admin,
        )
        assert resp.json() == {"text": "Скидка & 😀", "length": 11, "recipients": 0}


class TestStartAndCancel:
    async def test_start_freezes_recipients_and_queues_the_sender(
        self, client: AsyncClient, admin: dict[str, str], session: AsyncSession, redis: ArqRedis
    ) -> None:
        await population(session)
        draft = (
            await client.post(URL, json={"text": "Hi", "segment": {"kind": "active"}}, headers=admin)
        ).json()
        resp = await client.post(f"{URL}/{draft['id']}/start", headers=admin)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["status"] == "running" and body["total"] == 2 and body["started_at"]
        assert body["progress"]["pending"] == 2 and body["progress"]["percent"] == 0.0
        seqs = (await session.scalars(select(BroadcastDelivery.seq).order_by(BroadcastDelivery.seq))).all()
        assert list(seqs) == [1, 2]
        assert await redis.zcard("arq:queue") == 1

        # Customers who arrive later are not added to a running broadcast.
        await create_subscription(session, await create_user(session))
        again = await client.post(f"{URL}/{draft['id']}/start", headers=admin)
        assert again.status_code == 409 and again.json()["error"] == "BroadcastNotDraft"
        assert (
            await client.patch(f"{URL}/{draft['id']}", json={"text": "x"}, headers=admin)
        ).status_code == 409
        assert (await client.delete(f"{URL}/{draft['id']}", headers=admin)).status_code == 409

        deliveries = (await client.get(f"{URL}/{draft['id']}/deliveries", headers=admin)).json()
        assert deliveries["total"] == 2 and {d["status"] for d in deliveries["items"]} == {"pending"}

        cancelled = await client.post(f"{URL}/{draft['id']}/cancel", headers=admin)
        assert cancelled.json()["status"] == "cancelled" and cancelled.json()["finished_at"]
        assert (await client.post(f"{URL}/{draft['id']}/cancel", headers=admin)).status_code == 409

    async def test_empty_segment_cannot_start(
        self, client: AsyncClient, admin: dict[str, str], session: AsyncSession
    ) -> None:
        draft = (
            await client.post(URL, json={"text": "Hi", "segment": {"kind": "active"}}, headers=admin)
        ).json()
        resp = await client.post(f"{URL}/{draft['id']}/start", headers=admin)
        assert resp.status_code == 400 and resp.json()["error"] == "EmptySegment"
        assert (await client.get(f"{URL}/{draft['id']}", headers=admin)).json()["status"] == "draft"

    async def test_cancel_a_draft(self, client: AsyncClient, admin: dict[str, str]) -> None:
        draft = (await client.post(URL, json={"text": "Hi"}, headers=admin)).json()
        assert (await client.post(f"{URL}/{draft['id']}/cancel", headers=admin)).json()[
            "status"
        ] == "cancelled"
        assert (await client.post(f"{URL}/{draft['id']}/start", headers=admin)).status_code == 409

    async def test_parallel_starts_freeze_once(
        self, committed_client: AsyncClient, committed_sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async with unit_of_work(committed_sessionmaker) as s:
            for _ in range(20):
                await create_user(s)
            owner = await create_admin(s, AdminRole.owner)
        headers = {"Authorization": f"Bearer {(await login(committed_client, owner))['access_token']}"}
        draft = (await committed_client.post(URL, json={"text": "Hi"}, headers=headers)).json()
        results = await asyncio.gather(
            *(committed_client.post(f"{URL}/{draft['id']}/start", headers=headers) for _ in range(4))
        )
        assert sorted(r.status_code for r in results) == [200, 409, 409, 409]
        async with committed_sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(BroadcastDelivery)) == 20
