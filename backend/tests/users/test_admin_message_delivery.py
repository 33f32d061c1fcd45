"""A staff message to one customer reaches them through the Bot API, formatting intact."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import unit_of_work
from app.models import User
from app.models.enums import AdminRole
from fakes.server import BackgroundServer
from fakes.telegram import BotApiEmulator
from tests.conftest import make_settings, run_worker_burst
from tests.factories import create_admin, create_user, login

TOKEN = "4545:direct-message-token"
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[BotApiEmulator, str]]:
    emu = BotApiEmulator(TOKEN)
    async with BackgroundServer(emu.app) as url:
        yield emu, url


async def test_message_is_delivered(
    committed_client: AsyncClient, committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
) -> None:
    emu, url = emulator
    async with unit_of_work(committed_sessionmaker) as s:
        user = await create_user(s)
        gone = await create_user(s)
        agent = await create_admin(s, AdminRole.support)
    headers = {"Authorization": f"Bearer {(await login(committed_client, agent))['access_token']}"}
    for who in (user, gone):
        resp = await committed_client.post(
            f"/api/v1/admin/users/{who.id}/message",
            json={"text": "Ваш сервер <b>снова</b> работает &amp; быстрее"},
            headers=headers,
        )
        assert resp.status_code == 202
    emu.blocked_chats.add(gone.telegram_id)
    worker = await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
    assert worker.jobs_failed == 0
    assert [m.text for m in emu.messages_to(user.telegram_id)] == ["Ваш сервер снова работает & быстрее"]
    assert emu.messages_to(user.telegram_id)[0].parse_mode == "HTML"
    async with committed_sessionmaker() as s:
        assert (await s.get(User, gone.id)).bot_blocked is True  # type: ignore[union-attr]


async def test_without_a_bot_token_nothing_is_sent(committed_sessionmaker: Sessions) -> None:
    from app.notifications.service import message_user
    from app.notifications.tasks import send_text

    async with unit_of_work(committed_sessionmaker) as s:
        user = await create_user(s)
        message_user(s, user.id, "hi")
    ctx = {"settings": make_settings(), "sessionmaker": committed_sessionmaker}
    assert await send_text(ctx, str(user.id), "hi") == "skipped: no TELEGRAM_BOT_TOKEN"  # type: ignore[arg-type]
