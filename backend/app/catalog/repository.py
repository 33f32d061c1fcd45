"""SQL for locations and tariffs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Location, Payment, Server, Subscription, Tariff


async def location_name_taken(session: AsyncSession, name: str, exclude: uuid.UUID | None = None) -> bool:
    """Case-insensitive name clash check."""
    stmt = select(Location.id).where(func.lower(Location.name) == name.lower())
    if exclude:
        stmt = stmt.where(Location.id != exclude)
    return (await session.scalar(stmt)) is not None


async def location_usage(session: AsyncSession, location_id: uuid.UUID) -> dict[str, int]:
    """How many servers, tariffs and subscriptions point at a location."""
    counts = {}
    for name, model, column in (
        ("servers", Server, Server.location_id),
        ("tariffs", Tariff, Tariff.location_id),
        ("subscriptions", Subscription, Subscription.location_id),
    ):
        counts[name] = int(
            await session.scalar(select(func.count()).select_from(model).where(column == location_id)) or 0
        )
    return counts


async def tariff_in_use(session: AsyncSession, tariff_id: uuid.UUID) -> bool:
    """Whether any subscription or payment references the tariff."""
    stmt = select(
        or_(
            exists().where(Subscription.tariff_id == tariff_id),
            exists().where(Payment.tariff_id == tariff_id),
        )
    )
    return bool(await session.scalar(stmt))


async def active_locations(session: AsyncSession) -> Sequence[Location]:
    """Locations on sale, in display order."""
    stmt = select(Location).where(Location.is_active.is_(True)).order_by(Location.sort_order, Location.name)
    return (await session.scalars(stmt)).all()


async def active_tariffs(session: AsyncSession, location_id: uuid.UUID | None = None) -> Sequence[Tariff]:
    """Tariffs on sale (optionally those usable in one location), in display order."""
    stmt = select(Tariff).where(Tariff.is_active.is_(True))
    if location_id is not None:
        stmt = stmt.where(or_(Tariff.location_id.is_(None), Tariff.location_id == location_id))
    stmt = stmt.order_by(Tariff.sort_order, Tariff.duration_days.asc().nulls_last(), Tariff.price)
    return (await session.scalars(stmt)).all()
