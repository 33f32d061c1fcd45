"""The Bot API emulator is as strict as Telegram where the bot's tests rely on it: one answer per
callback query, getUpdates or a webhook (never both), the secret token on webhook calls, and knowing
when the bot has handled an update."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fakes.server import BackgroundServer
from fakes.telegram import BotApiEmulator

TOKEN = "4343:emulator-tests-token"


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[BotApiEmulator, httpx.AsyncClient]]:
    emu = BotApiEmulator(TOKEN)
    async with BackgroundServer(emu.app) as url, httpx.AsyncClient(base_url=url) as http:
        yield emu, http


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = (await http.post(f"/bot{TOKEN}/{method}", json=params)).json()
    return body


class TestCallbacks:
    async def test_a_press_is_answered_once(self, emulator: tuple[BotApiEmulator, httpx.AsyncClient]) -> None:
        emu, http = emulator
        sent = await call(
            http,
            "sendMessage",
            chat_id=7,
            text="Меню",
            reply_markup={"inline_keyboard": [[{"text": "Тарифы", "callback_data": "nav:locations"}]]},
        )
        resp = await http.post(
            "/_emulator/callback",
            json={"user_id": 7, "message_id": sent["result"]["message_id"], "text": "Тарифы"},
        )
        query_id = resp.json()["callback_query"]["id"]
        assert len(emu.unanswered_callbacks) == 1
        assert (await call(http, "answerCallbackQuery", callback_query_id=query_id, text="ok"))["ok"] is True
        again = await call(http, "answerCallbackQuery", callback_query_id=query_id)
        assert again["ok"] is False and "query is too old" in again["description"]
        chat = (await http.get("/_emulator/chat", params={"chat_id": 7})).json()
        assert chat["callback_answers"] == [{"data": "nav:locations", "text": "ok", "show_alert": False}]
        missing = await http.post("/_emulator/callback", json={"user_id": 7, "message_id": 1, "data": "x"})
        assert missing.status_code == 404

    async def test_reply_keyboard_is_the_newest_one(
        self, emulator: tuple[BotApiEmulator, httpx.AsyncClient]
    ) -> None:
        emu, http = emulator
        await call(http, "sendMessage", chat_id=8, text="a", reply_markup={"keyboard": [["🏠"]]})
        await call(http, "sendMessage", chat_id=8, text="b")
        assert emu.reply_keyboard(8) == [["🏠"]]
        await call(http, "sendMessage", chat_id=8, text="c", reply_markup={"remove_keyboard": True})
        assert emu.reply_keyboard(8) is None


class TestUpdates:
    async def test_processed_once_the_bot_asks_for_the_next_offset(
        self, emulator: tuple[BotApiEmulator, httpx.AsyncClient]
    ) -> None:
        emu, http = emulator
        update = (await http.post("/_emulator/updates", json={"user_id": 9, "text": "/start"})).json()
        waiting = await http.get(
            "/_emulator/processed", params={"update_id": update["update_id"], "timeout": 0.1}
        )
        assert waiting.status_code == 408
        got = await call(http, "getUpdates", timeout=0)
        assert [u["update_id"] for u in got["result"]] == [update["update_id"]]
        await call(http, "getUpdates", offset=update["update_id"] + 1, timeout=0)
        assert await emu.wait_processed(update["update_id"], 1) is True

    async def test_webhook_gets_updates_with_the_secret_and_polling_is_refused(
        self, emulator: tuple[BotApiEmulator, httpx.AsyncClient]
    ) -> None:
        emu, http = emulator
        received: list[tuple[str | None, dict[str, Any]]] = []

        async def hook(request: Request) -> Response:
            received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
            return Response(status_code=200)

        async with BackgroundServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as hook_url:
            assert (await call(http, "setWebhook", url=f"{hook_url}/hook", secret_token="s3cret_-1"))["ok"]
            conflict = await call(http, "getUpdates")
            assert conflict["error_code"] == 409
            update = emu.push_text(10, "hello")
            assert await emu.wait_processed(update["update_id"], 5) is True
            assert received == [("s3cret_-1", update)]
            bad = await call(http, "setWebhook", url="https://x.test/h", secret_token="no spaces")
            assert bad["ok"] is False
            assert (await call(http, "deleteWebhook"))["ok"] is True
            await asyncio.sleep(0)
            assert (await call(http, "getUpdates", timeout=0))["ok"] is True
