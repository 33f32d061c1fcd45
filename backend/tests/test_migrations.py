"""Stairway: every revision upgrades, downgrades and upgrades again on an empty database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from app.config import Settings
from app.models import AuditLog, BalanceLedger, Base
from app.models.enums import LedgerKind
from tests.conftest import alembic_config
from tests.factories import create_user

DB_NAME = "vpnshop_stairway"


@pytest.fixture
async def empty_db(settings: Settings) -> AsyncIterator[AsyncEngine]:
    admin = create_async_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME}"))
        await conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
    url = make_url(settings.database_url).set(database=DB_NAME).render_as_string(hide_password=False)
    eng = create_async_engine(url)
    yield eng
    await eng.dispose()
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME}"))
    await admin.dispose()


async def _run(eng: AsyncEngine, fn: Any) -> Any:
    async with eng.connect() as conn:
        result = await conn.run_sync(fn)
        await conn.commit()
    return result


async def _tables(eng: AsyncEngine) -> set[str]:
    async with eng.connect() as conn:
        rows = await conn.execute(text("select tablename from pg_tables where schemaname = 'public'"))
        return {r[0] for r in rows}


async def _enum_types(eng: AsyncEngine) -> set[str]:
    async with eng.connect() as conn:
        rows = await conn.execute(text("select typname from pg_type where typtype = 'e'"))
        return {r[0] for r in rows}


async def test_stairway_up_and_down(empty_db: AsyncEngine) -> None:
    url = empty_db.url.render_as_string(hide_password=False)
    cfg = alembic_config(url)
    revisions = list(reversed(list(ScriptDirectory.from_config(cfg).walk_revisions())))
    assert revisions, "no migrations found"

    def step(target: str, down: bool = False) -> Any:
        def run(sync_conn: Any) -> None:
            cfg.attributes["connection"] = sync_conn
            (command.downgrade if down else command.upgrade)(cfg, target)

        return run

    for rev in revisions:
        await _run(empty_db, step(rev.revision))
        await _run(empty_db, step(rev.down_revision or "base", down=True))
        await _run(empty_db, step(rev.revision))

    # The models and the migrations describe the same schema.
    def diff(sync_conn: Any) -> list[Any]:
        ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)

    assert await _run(empty_db, diff) == []
    assert "users" in await _tables(empty_db)

    await _run(empty_db, step("base", down=True))
    assert await _tables(empty_db) == {"alembic_version"}
    assert await _enum_types(empty_db) == set()


async def test_ledger_and_audit_log_are_append_only(session: AsyncSession) -> None:
    user = await create_user(session, balance=Decimal("10"))
    session.add(
        BalanceLedger(
            user_id=user.id, amount=Decimal("10"), kind=LedgerKind.topup, balance_after=Decimal("10")
        )
    )
    session.add(AuditLog(actor="system", action="test", entity_type="user", entity_id=str(user.id)))
    await session.flush()
    for statement in (
        "UPDATE balance_ledger SET amount = 1000",
        "DELETE FROM balance_ledger",
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
    ):
        nested = await session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(text(statement))
        await nested.rollback()
