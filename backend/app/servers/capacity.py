"""Which server a new subscription goes to, and whether a location can take one more customer.

A server's load is its live subscriptions (pending or active); a location has room while the free
places of its usable servers (active, not down) exceed the pending subscriptions not yet placed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import Subquery

from app.errors import Conflict
from app.models import Location, Server, Subscription
from app.models.enums import ServerHealth, SubscriptionStatus

LIVE = (SubscriptionStatus.pending, SubscriptionStatus.active)


class LocationFull(Conflict):
    """Every usable server of the location is full (or down)."""

    default_detail = "This location is sold out right now; choose another location"


@dataclass(frozen=True)
class ServerLoad:
    """A usable server and how many live subscriptions it holds."""

    server: Server
    live: int

    @property
    def free(self) -> int:
        """Places left."""
        return max(self.server.max_users - self.live, 0)


def _live_per_server() -> Subquery:
    return (
        select(Subscription.server_id, func.count().label("live"))
        .where(Subscription.status.in_(LIVE), Subscription.server_id.is_not(None))
        .group_by(Subscription.server_id)
        .subquery()
    )


async def server_loads(session: AsyncSession, location_id: uuid.UUID) -> list[ServerLoad]:
    """Usable servers of a location (active, not down) with their load, most free first."""
    live = _live_per_server()
    stmt = (
        select(Server, func.coalesce(live.c.live, 0))
        .outerjoin(live, live.c.server_id == Server.id)
        .where(
            Server.location_id == location_id,
            Server.is_active.is_(True),
            Server.health != ServerHealth.down,
        )
    )
    rows = (await session.execute(stmt)).all()
    loads = [ServerLoad(server, int(count)) for server, count in rows]
    return sorted(loads, key=lambda x: (-x.free, x.live, x.server.name))


async def _unplaced(session: AsyncSession, location_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    stmt = (
        select(Subscription.location_id, func.count())
        .where(
            Subscription.location_id.in_(list(location_ids)),
            Subscription.status == SubscriptionStatus.pending,
            Subscription.server_id.is_(None),
        )
        .group_by(Subscription.location_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(stmt)).all()}


async def free_places(session: AsyncSession, location_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Places left per location, in two queries whatever the number of locations."""
    ids = list(location_ids)
    if not ids:
        return {}
    live = _live_per_server()
    free = func.sum(func.greatest(Server.max_users - func.coalesce(live.c.live, 0), 0))
    stmt = (
        select(Server.location_id, free)
        .outerjoin(live, live.c.server_id == Server.id)
        .where(Server.location_id.in_(ids), Server.is_active.is_(True), Server.health != ServerHealth.down)
        .group_by(Server.location_id)
    )
    places = {row[0]: int(row[1] or 0) for row in (await session.execute(stmt)).all()}
    unplaced = await _unplaced(session, ids)
    return {i: max(places.get(i, 0) - unplaced.get(i, 0), 0) for i in ids}


async def location_has_capacity(session: AsyncSession, location_id: uuid.UUID) -> bool:
    """Whether one more subscription can be sold in this location."""
    return (await free_places(session, [location_id]))[location_id] > 0


async def lock_location(session: AsyncSession, location_id: uuid.UUID) -> None:
    """Sales and server picks of one location run one after another (the last place is sold once).

    FOR NO KEY UPDATE, not FOR UPDATE: inserting a subscription that references the location takes a
    key-share lock on it, which FOR UPDATE would wait for (and deadlock against concurrent buyers).
    """
    await session.execute(
        select(Location.id).where(Location.id == location_id).with_for_update(key_share=True)
    )


async def ensure_capacity(session: AsyncSession, location_id: uuid.UUID) -> None:
    """Raise LocationFull (409) unless the location has room; holds the location's row lock until commit
    so two purchases of the last place run one after the other."""
    await lock_location(session, location_id)
    if not await location_has_capacity(session, location_id):
        raise LocationFull()


async def pick_server(
    session: AsyncSession, location_id: uuid.UUID, *, exclude: Iterable[uuid.UUID] = ()
) -> Server | None:
    """The usable server of the location with the most free places (None when all are full or down).

    Call it inside the transaction that assigns the server: it takes the location's row lock.
    """
    await lock_location(session, location_id)
    skip = set(exclude)
    for load in await server_loads(session, location_id):
        if load.server.id not in skip and load.free > 0:
            return load.server
    return None
