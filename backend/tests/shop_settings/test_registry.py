"""Typed shop settings: defaults, stored values, bad values fall back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Setting
from app.shop_settings.registry import SETTINGS, define, get_value, get_values, set_value

DAYS = define("test.days", int, 3, "days", group="test")
RATE = define("test.rate", Decimal, Decimal("1.5"), "rate", group="test")


async def test_default_then_stored_value(session: AsyncSession) -> None:
    assert await get_value(session, DAYS) == 3
    assert await set_value(session, DAYS, "7") == 7
    assert await get_value(session, DAYS) == 7
    await set_value(session, DAYS, 9)
    assert await get_values(session, [DAYS, RATE]) == {"test.days": 9, "test.rate": Decimal("1.5")}


async def test_invalid_values(session: AsyncSession) -> None:
    with pytest.raises(ValidationError):
        await set_value(session, DAYS, "many")
    session.add(Setting(key="test.rate", value="not a number"))
    await session.flush()
    assert await get_value(session, RATE) == Decimal("1.5")
    assert (await get_values(session, [RATE]))["test.rate"] == Decimal("1.5")


def test_keys_are_unique() -> None:
    assert SETTINGS["test.days"] is DAYS
    with pytest.raises(ValueError, match="twice"):
        define("test.days", int, 1, "again", group="test")
