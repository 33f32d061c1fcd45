"""`make backup` / `make restore` (infra/local/backup.sh) against a real PostgreSQL: a full round trip."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.billing.ledger import change_balance
from app.config import Settings
from app.db import create_sessionmaker, unit_of_work
from app.models import Base
from app.models.enums import LedgerKind
from app.ops.migrations import upgrade_to_head
from tests.factories import create_server, create_tariff, create_user
from tests.ops.helpers import Done, run_process, scratch_database

SCRIPT = Path(__file__).resolve().parents[3] / "infra" / "local" / "backup.sh"
DB_NAME = "vpnshop_backup_roundtrip"


@pytest.fixture
async def shop_db(settings: Settings) -> AsyncIterator[tuple[AsyncEngine, str]]:
    """A migrated scratch database with a customer, money on the ledger, a tariff and a server."""
    async with scratch_database(settings.database_url, DB_NAME) as url:
        await upgrade_to_head(url)
        eng = create_async_engine(url)
        async with unit_of_work(create_sessionmaker(eng)) as session:
            user = await create_user(session, username="Ирина")
            await change_balance(session, user.id, Decimal("150.50"), LedgerKind.topup, reference="inv-1")
            await change_balance(session, user.id, Decimal("-49.00"), LedgerKind.purchase, reference="buy-1")
            await create_tariff(session, name="1 месяц", price=Decimal("49.00"))
            await create_server(session, password="panel-secret")
        yield eng, url
        await eng.dispose()


async def snapshot(eng: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (plus Alembic's version), as raw database values, in a stable order."""
    tables = [t.name for t in Base.metadata.sorted_tables] + ["alembic_version"]
    rows: dict[str, list[tuple[Any, ...]]] = {}
    # A restore recreates every table, which invalidates pooled connections' cached statements
    # (running API and worker processes are restarted after a restore for the same reason).
    await eng.dispose()
    async with eng.connect() as conn:
        for name in tables:
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))  # noqa: S608 - our own table names
            rows[name] = sorted((tuple(r) for r in result), key=repr)
    return rows


def script_env(url: str, backup_dir: Path, **env: str) -> dict[str, str]:
    """The environment of `make backup`: no stray PG* variables, no FORCE unless given."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "FORCE"}
    full_env.update(DATABASE_URL=url, BACKUP_DIR=str(backup_dir), **env)
    return full_env


async def run_script(*args: str, url: str, backup_dir: Path, **env: str) -> Done:
    """Run backup.sh as `make backup` / `make restore` do, without a terminal on stdin."""
    return await run_process("bash", str(SCRIPT), *args, env=script_env(url, backup_dir, **env))


def files(directory: Path, pattern: str) -> list[Path]:
    """Files in `directory` matching `pattern`, sorted."""
    return sorted(directory.glob(pattern))


def mode_of(path: Path) -> int:
    """The file's permission bits."""
    return path.stat().st_mode & 0o777


def age(path: Path, stamp: int) -> None:
    """Set the file's modification time."""
    os.utime(path, (stamp, stamp))


def truncate_copy(path: Path, target: Path) -> None:
    """Copy the first two thirds of a file: a backup cut off by a full disk."""
    content = path.read_bytes()
    target.write_bytes(content[: len(content) * 2 // 3])


async def wipe(eng: AsyncEngine) -> None:
    """Lose the shop's data the way an accident would: rows gone, a stray table added."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with eng.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} CASCADE"))
        await conn.execute(text("CREATE TABLE stray (id int)"))


class TestBackupRoundTrip:
    async def test_backup_wipe_restore_gives_back_every_row(
        self, shop_db: tuple[AsyncEngine, str], tmp_path: Path
    ) -> None:
        eng, url = shop_db
        before = await snapshot(eng)
        assert before["users"] and before["balance_ledger"] and before["servers"]

        done = await run_script("backup", url=url, backup_dir=tmp_path)
        assert done.returncode == 0, done.stderr
        dump = Path(done.stdout.strip())
        assert dump.parent == tmp_path
        assert dump.name.startswith(f"{DB_NAME}-") and dump.suffix == ".dump"
        assert mode_of(dump) & 0o077 == 0, "a dump holds personal data: owner-only permissions"

        await wipe(eng)
        assert (await snapshot(eng))["users"] == []

        done = await run_script("restore", url=url, backup_dir=tmp_path, FORCE="1")
        assert done.returncode == 0, done.stderr
        assert await snapshot(eng) == before
        await eng.dispose()
        async with eng.connect() as conn:
            stray = await conn.scalar(text("SELECT to_regclass('public.stray')"))
        assert stray is None, "restore leaves exactly the backed-up schema"
        pre_restore = files(tmp_path, f"pre-restore-{DB_NAME}-*.dump")
        assert len(pre_restore) == 1, "the replaced data is kept in a safety dump"
        assert not files(tmp_path, ".restore-*"), "the temporary SQL script is removed"

    async def test_restore_takes_the_newest_backup_unless_a_file_is_named(
        self, shop_db: tuple[AsyncEngine, str], tmp_path: Path
    ) -> None:
        eng, url = shop_db
        first = await snapshot(eng)
        older = Path((await run_script("backup", url=url, backup_dir=tmp_path)).stdout.strip())
        async with eng.begin() as conn:
            await conn.execute(text("UPDATE users SET username = 'renamed'"))
        second = await snapshot(eng)
        newer = Path((await run_script("backup", url=url, backup_dir=tmp_path)).stdout.strip())
        assert older != newer
        age(older, 1_000_000_000)

        await wipe(eng)
        assert (await run_script("restore", url=url, backup_dir=tmp_path, FORCE="1")).returncode == 0
        assert await snapshot(eng) == second

        done = await run_script("restore", str(older), url=url, backup_dir=tmp_path, FORCE="1")
        assert done.returncode == 0, done.stderr
        assert await snapshot(eng) == first

    async def test_restore_without_confirmation_changes_nothing(
        self, shop_db: tuple[AsyncEngine, str], tmp_path: Path
    ) -> None:
        eng, url = shop_db
        assert (await run_script("backup", url=url, backup_dir=tmp_path)).returncode == 0
        await wipe(eng)
        wiped = await snapshot(eng)

        done = await run_script("restore", url=url, backup_dir=tmp_path)
        assert done.returncode != 0
        assert "FORCE=1" in done.stderr
        assert await snapshot(eng) == wiped
        assert not files(tmp_path, "pre-restore-*")

    async def test_a_damaged_archive_leaves_the_database_as_it_was(
        self, shop_db: tuple[AsyncEngine, str], tmp_path: Path
    ) -> None:
        eng, url = shop_db
        dump = Path((await run_script("backup", url=url, backup_dir=tmp_path)).stdout.strip())
        damaged = tmp_path / "damaged.dump"
        truncate_copy(dump, damaged)
        before = await snapshot(eng)

        done = await run_script("restore", str(damaged), url=url, backup_dir=tmp_path, FORCE="1")
        assert done.returncode != 0
        assert await snapshot(eng) == before

    async def test_missing_database_url_and_bad_urls_are_refused(self, tmp_path: Path) -> None:
        done = await run_script("backup", url="mysql://root@127.0.0.1/shop", backup_dir=tmp_path)
        assert done.returncode != 0
        assert "postgresql://" in done.stderr
        done = await run_script("backup", url="postgresql://127.0.0.1:5432", backup_dir=tmp_path)
        assert done.returncode != 0
        assert "names no database" in done.stderr
        assert not files(tmp_path, "*")

    async def test_keeps_only_the_newest_dumps(
        self, shop_db: tuple[AsyncEngine, str], tmp_path: Path
    ) -> None:
        _, url = shop_db
        made: list[Path] = []
        for round_ in range(4):
            done = await run_script("backup", url=url, backup_dir=tmp_path, BACKUP_KEEP="2")
            assert done.returncode == 0, done.stderr
            made.append(Path(done.stdout.strip()))
            # Age the earlier dumps so the order by time is unambiguous.
            for i, path in enumerate(made[:-1]):
                if path in files(tmp_path, "*.dump"):
                    age(path, 1_000_000_000 + i * 100 + round_)
        left = files(tmp_path, f"{DB_NAME}-*.dump")
        assert len(left) == 2
        assert made[-1] in left

    async def test_schedule_backs_up_at_start_and_stops_cleanly(
        self, shop_db: tuple[AsyncEngine, str], tmp_path: Path
    ) -> None:
        _, url = shop_db
        proc = await asyncio.create_subprocess_exec(
            "bash",
            str(SCRIPT),
            "schedule",
            env=script_env(url, tmp_path, BACKUP_KEEP="3", BACKUP_TIME="03:30"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            for _ in range(600):
                if files(tmp_path, f"{DB_NAME}-*.dump"):
                    break
                await asyncio.sleep(0.1)
            assert len(files(tmp_path, f"{DB_NAME}-*.dump")) == 1, (
                "no backup younger than a day: the service makes one at start"
            )
        finally:
            proc.terminate()
            async with asyncio.timeout(30):
                _, stderr = await proc.communicate()
        assert proc.returncode == 0, stderr
        assert b"daily at 03:30 UTC" in stderr

    async def test_check_fails_without_a_recent_backup(
        self, shop_db: tuple[AsyncEngine, str], tmp_path: Path
    ) -> None:
        _, url = shop_db
        done = await run_script("check", url=url, backup_dir=tmp_path)
        assert done.returncode != 0
        assert "no backup" in done.stderr

        dump = Path((await run_script("backup", url=url, backup_dir=tmp_path)).stdout.strip())
        assert (await run_script("check", url=url, backup_dir=tmp_path)).returncode == 0

        age(dump, 1_000_000_000)
        done = await run_script("check", url=url, backup_dir=tmp_path)
        assert done.returncode != 0
        assert "hours old" in done.stderr
