"""Bot tests run against real processes: the backend API and arq worker (PostgreSQL and Redis from
`make test`), the Bot API emulator, and the bot itself polling the emulator.

The backend, worker and emulator start as subprocesses from the backend's virtualenv: the bot never
imports backend code.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from aiogram import Bot, Dispatcher

from bot.api.client import BackendClient
from bot.config import BotSettings
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.runner import run_polling
from tests.chat import Emulator

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
BACKEND_PYTHON = str(BACKEND / ".venv" / "bin" / "python")
SERVICE_TOKEN = "bot-tests-service-token-0123456789abcdef"
BOT_TOKEN = "700100:bot-tests-emulated-token"
ADMIN = ("admin", "bot-tests-admin-password-0123")
LOG_DIR = ROOT / ".data" / "bot-tests"

_user_ids = itertools.count(int(time.time()) % 1_000_000 * 1000 + 10_000_000)


def new_user_id() -> int:
    """A Telegram id no other test (or earlier run against the same database) used."""
    return next(_user_ids)


def _require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the tests with `make test`", pytrace=False)
    return value


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log(name: str) -> IO[str]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return open(LOG_DIR / f"{name}.log", "w")


def _wait_ready(url: str, proc: subprocess.Popen[Any], name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"the {name} exited at start; see .data/bot-tests/{name}.log", pytrace=False)
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"the {name} did not become ready", pytrace=False)


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_emulator(name: str, token: str, username: str) -> tuple[subprocess.Popen[Any], str, IO[str]]:
    """The Bot API emulator as its own process (`python -m fakes.telegram serve`)."""
    port = free_port()
    log = _log(name)
    proc = subprocess.Popen(
        [
            BACKEND_PYTHON,
            "-m",
            "fakes.telegram",
            "serve",
            "--port",
            str(port),
            "--token",
            token,
            "--username",
            username,
        ],
        cwd=BACKEND,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_ready(f"{url}/_emulator/state", proc, name)
    return proc, url, log


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """The emulator the main test bot polls and the worker sends notifications through."""
    proc, url, log = start_emulator("emulator", BOT_TOKEN, "vpnshop_test_bot")
    yield url
    _stop(proc)
    log.close()


@pytest.fixture(scope="session")
def backend_env(emulator_url: str) -> dict[str, str]:
    """Environment of the backend processes under test."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "ENVIRONMENT": "test",
        "DATABASE_URL": _require("TEST_BOT_DATABASE_URL"),
        "REDIS_URL": _require("TEST_BOT_REDIS_URL"),
        "JWT_SECRET_KEY": "bot-tests-jwt-secret-0123456789abcdef0123",
        "SECRET_KEY": "bot-tests-encryption-key-0123456789abcdef",
        "BOT_SERVICE_TOKEN": SERVICE_TOKEN,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_URL": emulator_url,
        "ADMIN_USERNAME": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1],
        "RATE_LIMIT_PUBLIC": "100000/minute",
        "RATE_LIMIT_CUSTOMER": "100000/minute",
        "RATE_LIMIT_TELEGRAM_AUTH": "100000/minute",
        "LOG_JSON": "true",
        "PUBLIC_BASE_URL": "https://shop.test",
    }


def run_backend_python(env: dict[str, str], code: str, *args: str) -> str:
    """Run a snippet with the backend's interpreter (the harness's way to reach its database and queue)."""
    done = subprocess.run(
        [BACKEND_PYTHON, "-c", code, *args], cwd=BACKEND, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


_SQL = """
import asyncio, os, sys
import sqlalchemy as s
import sqlalchemy.ext.asyncio as a
async def main():
    engine = a.create_async_engine(os.environ["DATABASE_URL"])
    async with engine.begin() as c:
        for statement in sys.argv[1:]:
            await c.execute(s.text(statement))
    await engine.dispose()
asyncio.run(main())
"""


@pytest.fixture(scope="session")
def backend_sql(backend_env: dict[str, str]) -> Any:
    """`backend_sql("UPDATE ...")`: for state no API can set yet (e.g. blocking a customer)."""
    return lambda statement: run_backend_python(backend_env, _SQL, statement)


@pytest.fixture(scope="session")
def backend_url(backend_env: dict[str, str]) -> Iterator[str]:
    """A migrated backend API on a free loopback port."""
    run_backend_python(backend_env, _SQL, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    subprocess.run(
        [str(BACKEND / ".venv" / "bin" / "alembic"), "upgrade", "head"],
        cwd=BACKEND,
        env=backend_env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = _log("backend")
    proc = subprocess.Popen(
        [
            BACKEND_PYTHON,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=BACKEND,
        env=backend_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_ready(f"{url}/readyz", proc, "backend")
    yield url
    _stop(proc)
    log.close()


@pytest.fixture(scope="session")
def worker(backend_env: dict[str, str], backend_url: str) -> Iterator[None]:
    """The real arq worker, sending notifications through the emulator."""
    log = _log("worker")
    proc = subprocess.Popen(
        [str(BACKEND / ".venv" / "bin" / "arq"), "app.worker.settings.WorkerSettings"],
        cwd=BACKEND,
        env=backend_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield
    _stop(proc)
    log.close()


@pytest.fixture
async def api(backend_url: str) -> AsyncIterator[BackendClient]:
    """The bot's backend client, pointed at the test backend."""
    client = BackendClient(backend_url, SERVICE_TOKEN, timeout=5)
    yield client
    await client.close()


@pytest.fixture(scope="session")
async def admin(backend_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An owner's HTTP client of the admin API (to put plans on sale and take them off)."""
    async with httpx.AsyncClient(base_url=f"{backend_url}/api/v1", timeout=10) as http:
        resp = await http.post("/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]})
        resp.raise_for_status()
        http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        yield http


def bot_settings(**overrides: Any) -> BotSettings:
    """Bot settings for tests, without reading .env."""
    values: dict[str, Any] = {
        "telegram_bot_token": BOT_TOKEN,
        "bot_service_token": SERVICE_TOKEN,
        "redis_url": os.environ.get("TEST_BOT_REDIS_URL", "redis://127.0.0.1:1/1"),
        **overrides,
    }
    return BotSettings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def polling_bot(settings: BotSettings) -> AsyncIterator[tuple[Bot, Dispatcher]]:
    """The real bot (Redis FSM storage, every middleware) polling TELEGRAM_API_URL in this event loop.

    Updates are handled one after another, so the emulator knows an update is done when the bot asks
    for the next offset.
    """
    api = BackendClient(settings.api_base_url, settings.bot_service_token.get_secret_value(), timeout=5)
    storage = create_storage(settings)
    bot = create_bot(settings)
    dp = create_dispatcher(api, storage=storage, throttle_rate=100, throttle_burst=100)
    task = asyncio.create_task(
        run_polling(dp, bot, handle_as_tasks=False, handle_signals=False, polling_timeout=2)
    )
    try:
        yield bot, dp
    finally:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        await task
        await api.close()
        await storage.close()
        await bot.session.close()


@pytest.fixture(scope="session")
async def running_bot(emulator_url: str, backend_url: str, worker: None) -> AsyncIterator[Bot]:
    """The bot under test, polling the emulator, with the backend and the worker running."""
    _require("TEST_BOT_REDIS_URL")
    settings = bot_settings(telegram_api_url=emulator_url, api_base_url=backend_url)
    async with polling_bot(settings) as (bot, _):
        yield bot


@pytest.fixture
async def emulator(emulator_url: str, running_bot: Bot) -> AsyncIterator[Emulator]:
    """The emulator's control routes, with the bot running behind it."""
    emu = Emulator(emulator_url, BOT_TOKEN)
    yield emu
    await emu.close()
