"""`python -m app.cli migrate`: replicas starting together migrate once, under an advisory lock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from app.ops.migrations import alembic_config, upgrade_to_head
from tests.ops.helpers import cli_env, run_cli, scratch_database

DB_NAME = "vpnshop_migrate_lock"


@pytest.fixture
async def empty_url(settings: Settings) -> AsyncIterator[str]:
    """The URL of a new, empty database."""
    async with scratch_database(settings.database_url, DB_NAME) as url:
        yield url


async def current_revision(url: str) -> str | None:
    """What alembic_version says."""
    eng = create_async_engine(url)
    try:
        async with eng.connect() as conn:
            return await conn.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        await eng.dispose()


class TestMigrate:
    async def test_three_processes_at_once_migrate_an_empty_database_once(self, empty_url: str) -> None:
        head = ScriptDirectory.from_config(alembic_config(empty_url)).get_current_head()
        env = cli_env(empty_url)

        results = await asyncio.gather(*(run_cli("migrate", env=env) for _ in range(3)))
        for code, _, err in results:
            assert code == 0, err
        assert await current_revision(empty_url) == head

    async def test_an_up_to_date_database_is_left_alone(self, empty_url: str) -> None:
        await upgrade_to_head(empty_url)
        head = await current_revision(empty_url)
        await upgrade_to_head(empty_url)
        assert await current_revision(empty_url) == head
