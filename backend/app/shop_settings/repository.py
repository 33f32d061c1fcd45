"""SQL for stored settings."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Setting


async def stored(session: AsyncSession, keys: list[str] | None = None) -> dict[str, Setting]:
    """Stored rows by key (all, or only `keys`)."""
    # populate_existing: a value just written by an upsert replaces what the session holds.
    stmt = select(Setting).execution_options(populate_existing=True)
    if keys is not None:
        stmt = stmt.where(Setting.key.in_(keys))
    return {row.key: row for row in (await session.scalars(stmt)).all()}


async def remove(session: AsyncSession, key: str) -> None:
    """Forget a stored value (the default applies again)."""
    await session.execute(delete(Setting).where(Setting.key == key))
