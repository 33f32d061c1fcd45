"""Support tickets: the customer's side, limits, the staff queue, replies delivered in Telegram."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.tokens import TokenType, issue_token
from app.config import Settings
from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import AuditLog, Ticket, TicketMessage, User
from app.models.enums import AdminRole, TicketStatus
from app.shop_settings.registry import set_value
from app.support.settings import MAX_OPEN_TICKETS, MESSAGES_PER_HOUR
from fakes.server import BackgroundServer
from fakes.telegram import BotApiEmulator
from tests.conftest import make_settings, run_worker_burst
from tests.factories import admin_headers, create_admin, create_ticket, create_user, login

MY = "/api/v1/users/me/tickets"
STAFF = "/api/v1/admin/tickets"
TOKEN = "4343:support-tests-token"


def customer_headers(settings: Settings, user: User) -> dict[str, str]:
    token, _ = issue_token(settings, user.id, TokenType.user, 600)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def support(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.support)


class TestCustomer:
    async def test_open_read_write_close(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, redis: ArqRedis
    ) -> None:
        user = await create_user(session)
        me = customer_headers(settings, user)
        resp = await client.post(
            MY, json={"subject": "  Не работает  ", "text": "VPN не подключается"}, headers=me
        )
        assert resp.status_code == 201, resp.text
        ticket = resp.json()
        assert ticket["subject"] == "Не работает" and ticket["status"] == "open"
        assert [m["author"] for m in ticket["messages"]] == ["user"]
        # Staff are alerted in their chat.
        assert await redis.zcard("arq:queue") == 1

        msg = await client.post(f"{MY}/{ticket['id']}/messages", json={"text": "Уже неделю"}, headers=me)
        assert msg.status_code == 201 and msg.json()["author"] == "user"

        listed = (await client.get(MY, headers=me)).json()
        assert listed["total"] == 1 and listed["items"][0]["id"] == ticket["id"]
        detail = (await client.get(f"{MY}/{ticket['id']}", headers=me)).json()
        assert [m["text"] for m in detail["messages"]] == ["VPN не подключается", "Уже неделю"]
        assert "admin_id" not in detail["messages"][0]

        closed = await client.post(f"{MY}/{ticket['id']}/close", headers=me)
        assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
        assert (await client.post(f"{MY}/{ticket['id']}/close", headers=me)).status_code == 200
        late = await client.post(f"{MY}/{ticket['id']}/messages", json={"text": "ещё"}, headers=me)
        assert late.status_code == 409 and late.json()["error"] == "TicketClosed"

    async def test_someone_elses_ticket_is_404(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        owner = await create_user(session)
        stranger = await create_user(session)
        ticket_id = (await create_ticket(session, owner)).id
        them = customer_headers(settings, stranger)
        assert (await client.get(f"{MY}/{ticket_id}", headers=them)).status_code == 404
        resp = await client.post(f"{MY}/{ticket_id}/messages", json={"text": "x"}, headers=them)
        assert resp.status_code == 404 and resp.json()["error"] == "TicketNotFound"
        assert (await client.post(f"{MY}/{ticket_id}/close", headers=them)).status_code == 404

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"subject": "", "text": "x"},
            {"subject": "   ", "text": "x"},
            {"subject": "x" * 201, "text": "x"},
            {"subject": "x", "text": ""},
            {"subject": "x", "text": "x" * 3501},
            {"subject": 5, "text": ["x"]},
        ],
    )
    async def test_invalid_bodies_are_422(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, body: dict[str, Any]
    ) -> None:
        user = await create_user(session)
        resp = await client.post(MY, json=body, headers=customer_headers(settings, user))
        assert resp.status_code == 422

    async def test_open_ticket_limit(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await set_value(session, MAX_OPEN_TICKETS, 2)
        me = customer_headers(settings, user)
        await create_ticket(session, user)
        await create_ticket(session, user, status=TicketStatus.closed)
        assert (await client.post(MY, json={"subject": "a", "text": "b"}, headers=me)).status_code == 201
        third = await client.post(MY, json={"subject": "c", "text": "d"}, headers=me)
        assert third.status_code == 409 and third.json()["error"] == "TooManyOpenTickets"
        assert "2 open tickets" in third.json()["detail"]

    async def test_message_rate_limit(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await set_value(session, MESSAGES_PER_HOUR, 3)
        me = customer_headers(settings, user)
        ticket = await create_ticket(session, user)
        for _ in range(3):
            ok = await client.post(f"{MY}/{ticket.id}/messages", json={"text": "ping"}, headers=me)
            assert ok.status_code == 201
        limited = await client.post(f"{MY}/{ticket.id}/messages", json={"text": "ping"}, headers=me)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        # Another customer is not affected.
        other = await create_user(session)
        resp = await client.post(
            MY, json={"subject": "s", "text": "t"}, headers=customer_headers(settings, other)
        )
        assert resp.status_code == 201

    async def test_blocked_customer_cannot_write(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session, is_blocked=True)
        resp = await client.post(
            MY, json={"subject": "s", "text": "t"}, headers=customer_headers(settings, user)
        )
        assert resp.status_code == 403

    async def test_staff_token_is_not_a_customer(self, client: AsyncClient, support: dict[str, str]) -> None:
        assert (await client.get(MY, headers=support)).status_code == 401


class TestStaffQueue:
    async def test_queue_filters_search_and_order(
        self, client: AsyncClient, session: AsyncSession, support: dict[str, str]
    ) -> None:
        alice = await create_user(session, username="alice", telegram_id=5550001)
        bob = await create_user(session, username="bob")
        now = utcnow()
        old = await create_ticket(
            session, alice, subject="Оплата не прошла", last_message_at=now - timedelta(hours=3)
        )
        new = await create_ticket(
            session, bob, subject="Скорость", last_message_at=now - timedelta(minutes=5)
        )
        done = await create_ticket(
            session,
            bob,
            subject="Вопрос",
            status=TicketStatus.closed,
            last_message_at=now - timedelta(hours=1),
        )

        async def queue(**params: Any) -> list[str]:
            resp = await client.get(STAFF, params=params, headers=support)
            assert resp.status_code == 200, resp.text
            return [t["id"] for t in resp.json()["items"]]

        assert await queue() == [str(new.id), str(done.id), str(old.id)]
        assert await queue(status=["open"]) == [str(new.id), str(old.id)]
        assert await queue(status=["open", "closed"], sort="last_message_at") == [
            str(old.id),
            str(done.id),
            str(new.id),
        ]
        assert await queue(q="оплата") == [str(old.id)]
        assert await queue(q="@alice") == [str(old.id)]
        assert await queue(q="5550001") == [str(old.id)]
        assert await queue(user_id=str(bob.id), status=["closed"]) == [str(done.id)]

        item = (await client.get(STAFF, params={"q": "alice"}, headers=support)).json()["items"][0]
        assert item["user"]["username"] == "alice"
        assert item["messages_count"] == 1 and item["last_message_author"] == "user"

        assert (await client.get(STAFF, params={"status": "lost"}, headers=support)).status_code == 422
        assert (await client.get(STAFF, params={"sort": "subject"}, headers=support)).status_code == 400

    async def test_reply_close_reopen_are_audited(
        self, client: AsyncClient, session: AsyncSession, redis: ArqRedis
    ) -> None:
        agent = await create_admin(session, AdminRole.support, username="agent007")
        headers = {"Authorization": f"Bearer {(await login(client, agent))['access_token']}"}
        ticket = await create_ticket(session, await create_user(session))

        resp = await client.post(
            f"{STAFF}/{ticket.id}/reply", json={"text": "Перезапустите приложение"}, headers=headers
        )
        assert resp.status_code == 201, resp.text
        body = resp.json()
        assert body["status"] == "answered"
        staff_msg = body["messages"][-1]
        assert staff_msg["author"] == "staff" and staff_msg["admin_username"] == "agent007"
        assert staff_msg["delivered_at"] is None
        assert await redis.zcard("arq:queue") == 1  # the delivery job

        assert (await client.post(f"{STAFF}/{ticket.id}/close", headers=headers)).json()["status"] == "closed"
        assert (await client.post(f"{STAFF}/{ticket.id}/close", headers=headers)).status_code == 200
        assert (await client.post(f"{STAFF}/{ticket.id}/reopen", headers=headers)).json()["status"] == "open"
        # A reply to a closed ticket answers it again.
        await client.post(f"{STAFF}/{ticket.id}/close", headers=headers)
        again = await client.post(f"{STAFF}/{ticket.id}/reply", json={"text": "Ещё вопрос?"}, headers=headers)
        assert again.json()["status"] == "answered" and again.json()["closed_at"] is None

        actions = (
            await session.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity_id == str(ticket.id))
                .order_by(AuditLog.created_at)
            )
        ).all()
        assert list(actions) == [
            "ticket.reply",
            "ticket.close",
            "ticket.reopen",
            "ticket.close",
            "ticket.reply",
        ]

    async def test_customer_message_reopens_an_answered_ticket(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, support: dict[str, str]
    ) -> None:
        user = await create_user(session)
        ticket = await create_ticket(session, user, status=TicketStatus.answered)
        await client.post(
            f"{MY}/{ticket.id}/messages",
            json={"text": "не помогло"},
            headers=customer_headers(settings, user),
        )
        assert (await client.get(f"{STAFF}/{ticket.id}", headers=support)).json()["status"] == "open"

    async def test_invalid_and_missing(
        self, client: AsyncClient, support: dict[str, str], session: AsyncSession
    ) -> None:
        ticket_id = (await create_ticket(session, await create_user(session))).id
        missing = "00000000-0000-0000-0000-000000000000"
        assert (await client.get(f"{STAFF}/{missing}", headers=support)).status_code == 404
        assert (
            await client.post(f"{STAFF}/{missing}/reply", json={"text": "x"}, headers=support)
        ).status_code == 404
        assert (
            await client.post(f"{STAFF}/{ticket_id}/reply", json={"text": ""}, headers=support)
        ).status_code == 422
        assert (await client.get(f"{STAFF}/not-a-uuid", headers=support)).status_code == 422


Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[BotApiEmulator, str]]:
    emu = BotApiEmulator(TOKEN)
    async with BackgroundServer(emu.app) as url:
        yield emu, url


class TestDelivery:
    async def test_reply_reaches_the_customer_once_and_is_marked_delivered(
        self,
        committed_client: AsyncClient,
        committed_sessionmaker: Sessions,
        emulator: tuple[BotApiEmulator, str],
    ) -> None:
        emu, url = emulator
        async with unit_of_work(committed_sessionmaker) as s:
            user = await create_user(s, language="ru")
            ticket = await create_ticket(s, user, subject="VPN <не> работает")
            admin = await create_admin(s, AdminRole.support)
        headers = {"Authorization": f"Bearer {(await login(committed_client, admin))['access_token']}"}
        resp = await committed_client.post(
            f"{STAFF}/{ticket.id}/reply", json={"text": "Проверьте <ключ>"}, headers=headers
        )
        assert resp.status_code == 201
        message_id = resp.json()["messages"][-1]["id"]

        worker_settings = make_settings(telegram_bot_token=TOKEN, telegram_api_url=url)
        await run_worker_burst(worker_settings)
        sent = emu.messages_to(user.telegram_id)
        assert [m.text for m in sent] == [
            "💬 Ответ поддержки по обращению «VPN <не> работает»:\n\nПроверьте <ключ>"
        ]
        async with committed_sessionmaker() as s:
            msg = await s.get(TicketMessage, message_id)
            assert msg is not None and msg.delivered_at is not None

        # Running the job again (a retry, a duplicate) sends nothing more.
        from app.support.tasks import deliver_reply

        ctx: dict[str, Any] = {"settings": worker_settings, "sessionmaker": committed_sessionmaker}
        assert await deliver_reply(ctx, message_id) == "already delivered"  # type: ignore[arg-type]
        assert len(emu.messages_to(user.telegram_id)) == 1

        detail = (await committed_client.get(f"{STAFF}/{ticket.id}", headers=headers)).json()
        assert detail["messages"][-1]["delivered_at"] is not None

    async def test_customer_who_blocked_the_bot_is_marked(
        self, committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
    ) -> None:
        from app.support import service

        emu, url = emulator
        async with unit_of_work(committed_sessionmaker) as s:
            user = await create_user(s)
            ticket = await create_ticket(s, user)
            message = await service.staff_reply(s, ticket, None, "answer")
        emu.blocked_chats.add(user.telegram_id)
        await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
        async with committed_sessionmaker() as s:
            assert (await s.get(User, user.id)).bot_blocked is True  # type: ignore[union-attr]
            assert (await s.get(TicketMessage, message.id)).delivered_at is None  # type: ignore[union-attr]


class TestConcurrency:
    async def test_parallel_new_tickets_respect_the_limit(
        self, committed_client: AsyncClient, committed_sessionmaker: Sessions, settings: Settings
    ) -> None:
        async with unit_of_work(committed_sessionmaker) as s:
            user = await create_user(s)
            await set_value(s, MAX_OPEN_TICKETS, 2)
        me = customer_headers(settings, user)
        results = await asyncio.gather(
            *(committed_client.post(MY, json={"subject": f"s{i}", "text": "t"}, headers=me) for i in range(5))
        )
        assert sorted(r.status_code for r in results) == [201, 201, 409, 409, 409]
        async with committed_sessionmaker() as s:
            count = await s.scalar(select(func.count()).select_from(Ticket).where(Ticket.user_id == user.id))
        assert count == 2
