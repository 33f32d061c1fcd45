"""Running the operator CLI as a separate process, the way an operator or a container does."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.conftest import TEST_SECRETS

BACKEND_DIR = Path(__file__).resolve().parents[2]


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
    proc = await asyncio.create_subprocess_exec(
        str(BACKEND_DIR / ".venv" / "bin" / "python"),
        "-m",
        "app.cli",
        *args,
        cwd=str(BACKEND_DIR),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        stdout, stderr = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, stdout.decode(), stderr.decode()
