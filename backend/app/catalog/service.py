"""Catalog rules: unique names, safe deletes, customer-facing discounts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import repository
from app.catalog.errors import LocationInUse, LocationNameTaken, LocationNotFound, TariffInUse, TariffNotFound
from app.catalog.schemas import LocationCreate, LocationUpdate, PublicTariff, TariffCreate, TariffUpdate
from app.models import Location, Tariff


async def get_location(session: AsyncSession, location_id: uuid.UUID) -> Location:
    """A location or 404."""
    location = await session.get(Location, location_id)
    if location is None:
        raise LocationNotFound()
    return location


async def get_tariff(session: AsyncSession, tariff_id: uuid.UUID) -> Tariff:
    """A tariff or 404."""
    tariff = await session.get(Tariff, tariff_id)
    if tariff is None:
        raise TariffNotFound()
    return tariff


async def create_location(session: AsyncSession, body: LocationCreate) -> Location:
    """Add a location with a unique name."""
    if await repository.location_name_taken(session, body.name):
        raise LocationNameTaken()
    location = Location(**body.model_dump())
    session.add(location)
    await session.flush()
    return location


async def update_location(session: AsyncSession, location: Location, body: LocationUpdate) -> Location:
    """Apply the sent fields."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("name") and await repository.location_name_taken(session, changes["name"], location.id):
        raise LocationNameTaken()
    for key, value in changes.items():
        if value is None and key != "flag_emoji":
            continue
        setattr(location, key, value if value is not None else "")
    await session.flush()
    return location


async def delete_location(session: AsyncSession, location: Location) -> None:
    """Delete an unused location; otherwise say what still uses it."""
    usage = await repository.location_usage(session, location.id)
    used = {k: v for k, v in usage.items() if v}
    if used:
        what = ", ".join(f"{v} {k}" for k, v in used.items())
        raise LocationInUse(f"Location is used by {what}; deactivate it instead of deleting")
    await session.delete(location)
    await session.flush()


async def _check_location_ref(session: AsyncSession, location_id: uuid.UUID | None) -> None:
    if location_id is not None:
        await get_location(session, location_id)


async def create_tariff(session: AsyncSession, body: TariffCreate) -> Tariff:
    """Add a tariff (its location, when given, must exist)."""
    await _check_location_ref(session, body.location_id)
    tariff = Tariff(**body.model_dump())
    session.add(tariff)
    await session.flush()
    return tariff


async def update_tariff(session: AsyncSession, tariff: Tariff, body: TariffUpdate) -> Tariff:
    """Apply the sent fields; explicit nulls clear nullable fields (duration null = forever)."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    non_nullable = {"name", "price", "is_active", "is_promo", "sort_order"}
    if "location_id" in changes:
        await _check_location_ref(session, changes["location_id"])
    for key, value in changes.items():
        if value is None and key in non_nullable:
            continue
        setattr(tariff, key, value)
    await session.flush()
    return tariff


async def delete_tariff(session: AsyncSession, tariff: Tariff) -> None:
    """Delete a tariff that was never sold."""
    if await repository.tariff_in_use(session, tariff.id):
        raise TariffInUse()
    await session.delete(tariff)
    await session.flush()


def public_tariffs(tariffs: Sequence[Tariff]) -> list[PublicTariff]:
    """Customer view: each plan's saving against paying the 30-day price for the same days."""
    monthly = {t.location_id: t.price for t in tariffs if t.duration_days == 30 and not t.is_promo}
    result = []
    for t in tariffs:
        item = PublicTariff.model_validate(t)
        base = monthly.get(t.location_id) or monthly.get(None)
        if base and t.duration_days and t.duration_days > 30:
            full = base * Decimal(t.duration_days) / Decimal(30)
            saving = (full - t.price) / full * 100
            percent = int(saving.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
            item.discount_percent = percent if percent > 0 else None
        result.append(item)
    return result
