"""Each domain defines its settings here (key, type, default, description); values live in `settings`.

    TRIAL_DAYS = define("trial.days", int, 3, "Length of the free trial in days", group="trial")
    days = await get_value(session, TRIAL_DAYS)

A stored value that no longer validates falls back to the default (and is reported by the admin API),
so a bad edit never breaks a job.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.time import utcnow
from app.models import Setting

T = TypeVar("T")


@dataclass(frozen=True)
class SettingDef(Generic[T]):
    """One setting: its key, type, default and who may see it."""

    key: str
    type_: Any
    default: T
    description: str
    group: str
    public: bool = False

    @property
    def adapter(self) -> TypeAdapter[T]:
        """Validates and serialises values of this setting."""
        return TypeAdapter(self.type_)

    def parse(self, raw: Any) -> T:
        """Validate a raw (JSON) value."""
        return self.adapter.validate_python(raw)

    def dump(self, value: T) -> Any:
        """The JSON form of a value."""
        return self.adapter.dump_python(value, mode="json")


SETTINGS: dict[str, SettingDef[Any]] = {}


def define(
    key: str, type_: Any, default: T, description: str, *, group: str, public: bool = False
) -> SettingDef[T]:
    """Register a setting (at import time of the owning domain); keys are unique."""
    if key in SETTINGS:
        raise ValueError(f"setting {key!r} is defined twice")
    definition: SettingDef[T] = SettingDef(key, type_, default, description, group, public)
    definition.parse(definition.dump(default))
    SETTINGS[key] = definition
    return definition


async def get_value(session: AsyncSession, definition: SettingDef[T]) -> T:
    """The stored value, or the default when unset or invalid."""
    raw = await session.scalar(select(Setting.value).where(Setting.key == definition.key))
    if raw is None:
        return definition.default
    try:
        return definition.parse(raw)
    except ValidationError:
        return definition.default


async def get_values(session: AsyncSession, definitions: Iterable[SettingDef[Any]]) -> dict[str, Any]:
    """Several settings in one query, keyed by setting key."""
    defs = list(definitions)
    result = await session.execute(
        select(Setting.key, Setting.value).where(Setting.key.in_([d.key for d in defs]))
    )
    rows: dict[str, Any] = dict(result.tuples().all())
    values: dict[str, Any] = {}
    for d in defs:
        raw = rows.get(d.key)
        try:
            values[d.key] = d.default if raw is None else d.parse(raw)
        except ValidationError:
            values[d.key] = d.default
    return values


async def set_value(
    session: AsyncSession, definition: SettingDef[T], value: Any, admin_id: uuid.UUID | None = None
) -> T:
    """Validate and store a value (raises pydantic's ValidationError on a bad one)."""
    parsed = definition.parse(value)
    stmt = insert(Setting).values(
        key=definition.key, value=definition.dump(parsed), updated_by_id=admin_id, updated_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[Setting.key],
        set_={"value": stmt.excluded.value, "updated_by_id": admin_id, "updated_at": utcnow()},
    )
    await session.execute(stmt)
    return parsed
