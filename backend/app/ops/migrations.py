"""`alembic upgrade head` under a PostgreSQL advisory lock, so api replicas starting together migrate once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

log = structlog.get_logger(__name__)

BACKEND_DIR = Path(__file__).resolve().parents[2]
# Any constant shared by every process of the shop; "vpnshop" in ASCII.
MIGRATION_LOCK_ID = 0x76706E73686F70


def alembic_config(url: str) -> Config:
    """The project's Alembic configuration pointed at `url`."""
    cfg = Config(str(BACKEND_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(BACKEND_DIR / "migrations"))
    cfg.attributes["url"] = url
    # Alembic's own logging setup would replace the process's JSON log handler.
    cfg.attributes["configure_logger"] = False
    return cfg


async def upgrade_to_head(database_url: str) -> None:
    """Apply every pending migration; a second process waits for the first, then finds nothing to do."""
    cfg = alembic_config(database_url)
    # No statement timeout here: a migration may legitimately rewrite a large table.
    engine = create_async_engine(database_url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            await conn.commit()
            try:

                def upgrade(sync_conn: Any) -> None:
                    cfg.attributes["connection"] = sync_conn
                    command.upgrade(cfg, "head")

                await conn.run_sync(upgrade)
                await conn.commit()
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                await conn.commit()
    finally:
        await engine.dispose()
    log.info("migrations_applied")
