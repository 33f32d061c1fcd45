"""SQL for customers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User


async def upsert_telegram_user(session: AsyncSession, values: dict[str, Any]) -> tuple[User, bool]:
    """Insert or refresh a user by telegram_id in one statement; returns (user, created)."""
    update_cols = {k: values[k] for k in ("username", "first_name", "last_name") if k in values}
    stmt: Any = (
        insert(User)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[User.telegram_id],
            set_={**update_cols, "last_seen_at": func.now(), "bot_blocked": False, "updated_at": func.now()},
        )
        # xmax = 0 only for a freshly inserted row.
        .returning(User.id, literal_column("(xmax = 0)").label("created"))
    )
    row = (await session.execute(stmt)).one()
    user = await session.get(User, row[0], populate_existing=True)
    assert user is not None
    return user, bool(row[1])


async def get_by_referral_code(session: AsyncSession, code: str) -> User | None:
    """The user owning a referral code."""
    return await session.scalar(select(User).where(User.referral_code == code))


async def referral_code_taken(session: AsyncSession, code: str) -> bool:
    """Whether a referral code is in use."""
    return (await session.scalar(select(User.id).where(User.referral_code == code))) is not None


async def get(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """A user by id."""
    return await session.get(User, user_id)
