"""Bot tests run against the real backend process (real PostgreSQL and Redis from make test).

The backend is started as a subprocess from its own virtualenv: the bot never imports it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.api.client import BackendClient

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
SERVICE_TOKEN = "bot-tests-service-token-0123456789abcdef"


def _require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the tests with `make test`", pytrace=False)
    return value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def backend_env() -> dict[str, str]:
    """Environment of the backend process under test."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "ENVIRONMENT": "test",
        "DATABASE_URL": _require("TEST_BOT_DATABASE_URL"),
        "REDIS_URL": _require("TEST_BOT_REDIS_URL"),
        "JWT_SECRET_KEY": "bot-tests-jwt-secret-0123456789abcdef0123",
        "SECRET_KEY": "bot-tests-encryption-key-0123456789abcdef",
        "BOT_SERVICE_TOKEN": SERVICE_TOKEN,
        "LOG_JSON": "true",
        "PUBLIC_BASE_URL": "https://shop.test",
    }


@pytest.fixture(scope="session")
def backend_url(backend_env: dict[str, str]) -> Iterator[str]:
    """A migrated backend API on a free loopback port."""
    python = str(BACKEND / ".venv" / "bin" / "python")
    subprocess.run(
        [
            python,
            "-c",
            "import asyncio, sqlalchemy.ext.asyncio as a, sqlalchemy as s, os\n"
            "async def m():\n"
            "    e = a.create_async_engine(os.environ['DATABASE_URL'])\n"
            "    async with e.begin() as c:\n"
            "        await c.execute(s.text('DROP SCHEMA public CASCADE'))\n"
            "        await c.execute(s.text('CREATE SCHEMA public'))\n"
            "    await e.dispose()\n"
            "asyncio.run(m())",
        ],
        cwd=BACKEND,
        env=backend_env,
        check=True,
    )
    subprocess.run(
        [str(BACKEND / ".venv" / "bin" / "alembic"), "upgrade", "head"],
        cwd=BACKEND,
        env=backend_env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = open(ROOT / ".data" / "bot-tests-backend.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [
            python,
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            pytest.fail("the backend exited at start; see .data/bot-tests-backend.log", pytrace=False)
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the backend did not become ready", pytrace=False)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
async def api(backend_url: str) -> AsyncIterator[BackendClient]:
    """The bot's backend client, pointed at the test backend."""
    client = BackendClient(backend_url, SERVICE_TOKEN, timeout=5)
    yield client
    await client.close()
