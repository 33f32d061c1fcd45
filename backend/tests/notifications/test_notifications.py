"""Notifications reach customers through the Bot API (here the local emulator) in their language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import unit_of_work
from app.models import User
from app.notifications.service import notify_admins, notify_user
from fakes.server import BackgroundServer
from fakes.telegram import BotApiEmulator
from tests.conftest import make_settings, run_worker_burst
from tests.factories import create_user

TOKEN = "4242:notification-tests-token"


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[BotApiEmulator, str]]:
    emu = BotApiEmulator(TOKEN)
    async with BackgroundServer(emu.app) as url:
        yield emu, url


Sessions = async_sessionmaker[AsyncSession]


async def test_customer_gets_text_in_their_language_with_escaping(
    committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
) -> None:
    emu, url = emulator
    async with unit_of_work(committed_sessionmaker) as s:
        ru_user = await create_user(s, language="ru")
        en_user = await create_user(s, language="en")
        notify_user(s, ru_user.id, "payment_received", amount="100 ₽", balance="<b>150 ₽")
        notify_user(s, en_user.id, "payment_received", amount="100 ₽", balance="150 ₽")
    worker = await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
    assert worker.jobs_complete == 2
    assert emu.last_to(ru_user.telegram_id).text == "✅ Оплата получена: 100 ₽. Баланс: <b>150 ₽."
    assert emu.last_to(en_user.telegram_id).text == "✅ Payment received: 100 ₽. Balance: 150 ₽."


async def test_qr_code_is_sent_as_a_photo(
    committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
) -> None:
    emu, url = emulator
    async with unit_of_work(committed_sessionmaker) as s:
        user = await create_user(s)
        notify_user(
            s,
            user.id,
            "subscription_ready",
            qr="https://shop.test/sub/abc",
            flag="🇳🇱",
            location="Netherlands",
            until="01.01.2027",
            link="https://shop.test/sub/abc",
        )
    await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
    msg = emu.last_to(user.telegram_id)
    assert msg.method == "sendPhoto"
    assert msg.photo is not None and msg.photo.startswith(b"\x89PNG")
    assert msg.text is not None and "https://shop.test/sub/abc" in msg.text


async def test_blocked_bot_marks_the_user(
    committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
) -> None:
    emu, url = emulator
    async with unit_of_work(committed_sessionmaker) as s:
        user = await create_user(s)
        notify_user(s, user.id, "payment_received", amount="1", balance="1")
    emu.blocked_chats.add(user.telegram_id)
    await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
    async with committed_sessionmaker() as s:
        fresh = await s.get(User, user.id)
        assert fresh is not None and fresh.bot_blocked is True
    assert emu.messages_to(user.telegram_id) == []


async def test_dedupe_key_sends_once(
    committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
) -> None:
    emu, url = emulator
    async with unit_of_work(committed_sessionmaker) as s:
        user = await create_user(s)
        for _ in range(3):
            notify_user(s, user.id, "payment_received", amount="1", balance="1", dedupe_key="pay:1")
    await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
    assert len(emu.messages_to(user.telegram_id)) == 1


async def test_flood_control_is_retried(
    committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
) -> None:
    emu, url = emulator
    emu.limits.enabled = True
    async with unit_of_work(committed_sessionmaker) as s:
        user = await create_user(s)
        notify_user(s, user.id, "payment_received", amount="1", balance="1")
        notify_user(s, user.id, "payment_received", amount="2", balance="3")
    await run_worker_burst(make_settings(telegram_bot_token=TOKEN, telegram_api_url=url))
    assert sorted(m.text or "" for m in emu.messages_to(user.telegram_id)) == [
        "✅ Оплата получена: 1. Баланс: 1.",
        "✅ Оплата получена: 2. Баланс: 3.",
    ]
    assert emu.limits.throttled >= 1


async def test_staff_alert_goes_to_admin_chat(
    committed_sessionmaker: Sessions, emulator: tuple[BotApiEmulator, str]
) -> None:
    emu, url = emulator
    async with unit_of_work(committed_sessionmaker) as s:
        notify_admins(s, "alert_server_down", server="nl-1", error="timeout")
    await run_worker_burst(
        make_settings(telegram_bot_token=TOKEN, telegram_api_url=url, admin_chat_id=-100500)
    )
    assert emu.last_to(-100500).text == "🔴 Сервер nl-1 недоступен: timeout"


async def test_unknown_text_key_is_a_programming_error(session: AsyncSession) -> None:
    user = await create_user(session)
    with pytest.raises(KeyError):
        notify_user(session, user.id, "no_such_text")
