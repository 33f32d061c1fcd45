"""Operator tools run as separate processes (the way an operator or a container runs them), and
scratch databases for them to work on."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import TEST_SECRETS

BACKEND_DIR = Path(__file__).resolve().parents[2]


class Done:
    """What a finished process left: exit code and output."""

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode = returncode
        self.stdout = stdout.decode()
        self.stderr = stderr.decode()


async def run_process(*argv: str, env: dict[str, str], cwd: Path | None = None) -> Done:
    """Run a command without a terminal on stdin and wait (bounded) for it."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=str(cwd) if cwd else None,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        stdout, stderr = await proc.communicate()
    assert proc.returncode is not None
    return Done(proc.returncode, stdout, stderr)


@asynccontextmanager
async def scratch_database(server_url: str, name: str) -> AsyncIterator[str]:
    """A new empty database on the test server, dropped afterwards; yields its URL."""
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    drop = text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    try:
        async with admin.connect() as conn:
            await conn.execute(drop)
            await conn.execute(text(f"CREATE DATABASE {name}"))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(drop)
        await admin.dispose()


def cli_env(database_url: str, **overrides: str) -> dict[str, str]:
    """A complete environment for `python -m app.cli` (the environment wins over any .env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "SECRET_KEY"))}
    env.update(
        ENVIRONMENT="test",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ["TEST_REDIS_URL"],
        JWT_SECRET_KEY=TEST_SECRETS["jwt_secret_key"],
        SECRET_KEY=TEST_SECRETS["secret_key"],
        BOT_SERVICE_TOKEN=TEST_SECRETS["bot_service_token"],
        ADMIN_PASSWORD="",
        LOG_JSON="true",
    )
    env.update(overrides)
    return env


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run `python -m app.cli ARGS`; returns exit code, stdout and stderr."""
    python = str(BACKEND_DIR / ".venv" / "bin" / "python")
    done = await run_process(python, "-m", "app.cli", *args, env=env, cwd=BACKEND_DIR)
    return done.returncode, done.stdout, done.stderr
