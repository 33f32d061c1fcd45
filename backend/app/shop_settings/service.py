"""The settings API: list every registered setting, change or reset one, the public shop info."""

from __future__ import annotations

import uuid
from itertools import groupby
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import NotFound
from app.models import Setting
from app.shop_settings import definitions, repository
from app.shop_settings.registry import SETTINGS, SettingDef, get_values, set_value
from app.shop_settings.schemas import SettingGroup, SettingItem, ShopInfo


class SettingNotFound(NotFound):
    """No setting is registered under this key."""

    default_detail = "Unknown setting"


def get_definition(key: str) -> SettingDef[Any]:
    """The definition of `key` or 404."""
    definition = SETTINGS.get(key)
    if definition is None:
        raise SettingNotFound(f"Unknown setting {key!r}")
    return definition


def to_item(definition: SettingDef[Any], row: Setting | None) -> SettingItem:
    """A setting as the admin API shows it."""
    value, invalid = definition.default, False
    if row is not None:
        try:
            value = definition.parse(row.value)
        except ValidationError:
            invalid = True
    return SettingItem(
        key=definition.key,
        group=definition.group,
        description=definition.description,
        public=definition.public,
        value=definition.dump(value),
        default=definition.dump(definition.default),
        is_default=row is None,
        stored_value_invalid=invalid,
        json_schema=definition.adapter.json_schema(),
        updated_at=row.updated_at if row else None,
        updated_by_id=row.updated_by_id if row else None,
    )


async def list_groups(session: AsyncSession) -> list[SettingGroup]:
    """Every registered setting, grouped, groups and keys in alphabetical order."""
    rows = await repository.stored(session)
    defs = sorted(SETTINGS.values(), key=lambda d: (d.group, d.key))
    return [
        SettingGroup(group=group, items=[to_item(d, rows.get(d.key)) for d in items])
        for group, items in groupby(defs, key=lambda d: d.group)
    ]


async def get_item(session: AsyncSession, definition: SettingDef[Any]) -> SettingItem:
    """One setting with its stored row."""
    rows = await repository.stored(session, [definition.key])
    return to_item(definition, rows.get(definition.key))


async def change(
    session: AsyncSession, definition: SettingDef[Any], value: Any, admin_id: uuid.UUID | None
) -> SettingItem:
    """Validate and store a value; a bad value answers 422 in FastAPI's shape, pointing at `value`."""
    try:
        await set_value(session, definition, value, admin_id)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", "value", *e["loc"])} for e in exc.errors()]
        ) from None
    return await get_item(session, definition)


async def reset(session: AsyncSession, definition: SettingDef[Any]) -> SettingItem:
    """Forget the stored value: the default applies again."""
    await repository.remove(session, definition.key)
    return to_item(definition, None)


async def shop_info(session: AsyncSession, settings: Settings) -> ShopInfo:
    """The shop name and every public setting (their current values)."""
    public = [d for d in SETTINGS.values() if d.public]
    values = await get_values(session, public)
    name = values.get(definitions.SHOP_NAME.key) or settings.shop_name
    return ShopInfo(shop_name=name, settings={d.key: d.dump(values[d.key]) for d in public})
