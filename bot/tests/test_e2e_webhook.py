"""Webhook mode: the emulator posts updates to the bot's aiohttp server with the secret token."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.api.client import BackendClient
from bot.factory import create_bot, create_dispatcher
from bot.runner import start_webhook
from tests.chat import Emulator
from tests.conftest import SERVICE_TOKEN, _stop, bot_settings, free_port, new_user_id, start_emulator

HOOK_TOKEN = "700200:bot-tests-webhook-token"


@contextlib.asynccontextmanager
async def webhook_bot(backend_url: str) -> AsyncIterator[tuple[Emulator, str, str]]:
    proc, url, log = start_emulator("emulator-webhook", HOOK_TOKEN, "vpnshop_hook_bot")
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    settings = bot_settings(
        telegram_bot_token=HOOK_TOKEN,
        telegram_api_url=url,
        api_base_url=backend_url,
        telegram_webhook_url=hook,
        bot_webhook_port=port,
    )
    api = BackendClient(backend_url, SERVICE_TOKEN, timeout=5)
    bot = create_bot(settings)
    # Handled before the 200 goes back, so the emulator knows when an update is done.
    runner = await start_webhook(create_dispatcher(api), bot, settings, handle_in_background=False)
    emulator = Emulator(url, HOOK_TOKEN)
    try:
        yield emulator, hook, settings.webhook_secret
    finally:
        await emulator.close()
        await runner.cleanup()
        await api.close()
        await bot.session.close()
        _stop(proc)
        log.close()


class TestWebhook:
    async def test_updates_arrive_with_the_secret_and_polling_is_refused(self, backend_url: str) -> None:
        async with webhook_bot(backend_url) as (emulator, hook, secret):
            state = await emulator.get("/_emulator/state")
            assert state["webhook"] == {"url": hook, "secret_token": secret}

            chat = await emulator.chat(new_user_id(), first_name="Hook")
            await chat.send("/start")
            assert chat.messages[0].text.startswith("👋 Привет, Hook!")
            await chat.press("🎯 Выбрать тариф")
            assert chat.answers[-1]["data"] == "nav:locations"
            assert "локаци" in chat.last.text  # the list, or "no locations" when this test runs first

            with pytest.raises(AssertionError, match="409"):
                await emulator.bot_api("getUpdates")

            async with httpx.AsyncClient() as http:
                forged = await http.post(
                    hook, json={"update_id": 1}, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
                )
                missing = await http.post(hook, json={"update_id": 1})
                health = await http.get(hook.rsplit("/", 2)[0] + "/healthz")
            assert forged.status_code == 401
            assert missing.status_code == 401
            assert health.json() == {"status": "ok"}
