"""`make chat` end to end: `python -m bot` as its own process (long polling, JSON logs) and the terminal
chat of the emulator, driven through its standard input."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import BACKEND, BACKEND_PYTHON, LOG_DIR, SERVICE_TOKEN, _stop, new_user_id, start_emulator

BOT_DIR = Path(__file__).resolve().parents[1]
CHAT_TOKEN = "700300:bot-tests-chat-token"


async def read_until(stream: asyncio.StreamReader, needle: str, timeout: float = 60) -> str:
    """Lines of the terminal chat up to the one containing `needle`."""
    seen: list[str] = []

    async def scan() -> str:
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError(f"the chat ended before {needle!r}: {seen}")
            seen.append(line)
            if needle in line:
                return "".join(seen)

    return await asyncio.wait_for(scan(), timeout)


class TestEntrypoint:
    def test_missing_configuration_is_named(self) -> None:
        env = {"PATH": os.environ.get("PATH", ""), "BOT_SERVICE_TOKEN": "s" * 40, "REDIS_URL": "redis://x"}
        done = subprocess.run(
            [sys.executable, "-m", "bot"], cwd=BOT_DIR, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 1
        assert "TELEGRAM_BOT_TOKEN is required but not set" in done.stderr

    async def test_the_bot_process_with_the_terminal_chat(self, backend_url: str) -> None:
        emulator, url, emulator_log = start_emulator("emulator-chat", CHAT_TOKEN, "vpnshop_chat_bot")
        bot_log = (LOG_DIR / "bot-process.log").open("w")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "TELEGRAM_BOT_TOKEN": CHAT_TOKEN,
            "TELEGRAM_API_URL": url,
            "API_BASE_URL": backend_url,
            "BOT_SERVICE_TOKEN": SERVICE_TOKEN,
            "REDIS_URL": os.environ["TEST_BOT_REDIS_URL"],
            "LOG_JSON": "true",
        }
        bot = subprocess.Popen(  # noqa: ASYNC220 - started once, stopped in finally
            [sys.executable, "-m", "bot"], cwd=BOT_DIR, env=env, stdout=bot_log, stderr=subprocess.STDOUT
        )
        chat = await asyncio.create_subprocess_exec(
            BACKEND_PYTHON,
            "-m",
            "fakes.telegram",
            "chat",
            "--url",
            url,
            "--user-id",
            str(new_user_id()),
            "--first-name",
            "Terminal",
            cwd=BACKEND,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert chat.stdin is not None and chat.stdout is not None
        try:
            await read_until(chat.stdout, "Start with /start")
            chat.stdin.write(b"/start\n")
            shown = await read_until(chat.stdout, "[7] 🌐 Язык")
            assert "👋 Привет, Terminal!" in shown
            assert "   [1] 🎯 Выбрать тариф" in shown
            assert "   [2] 🔗 Пригласить друга   [3] 🌐 Язык / Language" in shown
            assert "⌨️  [4] 🏠 Главная   [5] 🎯 Тарифы" in shown

            chat.stdin.write(b"3\n")
            shown = await read_until(chat.stdout, "🇬🇧 English")
            assert "✏️  bot (edited)" in shown and "🌐 Выберите язык / Choose your language" in shown

            chat.stdin.write(b"/quit\n")
            await chat.stdin.drain()
            assert await asyncio.wait_for(chat.wait(), 10) == 0
        finally:
            if chat.returncode is None:
                chat.kill()
                await chat.wait()
            _stop(bot)
            bot_log.close()
            _stop(emulator)
            emulator_log.close()
        events = [
            json.loads(line).get("event")
            for line in (LOG_DIR / "bot-process.log").read_text().splitlines()
            if line.startswith("{")
        ]
        assert "bot_started" in events
        assert bot.returncode == 0, "SIGTERM stops the bot cleanly"
