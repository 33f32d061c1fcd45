"""Server rules: valid panel settings, unique names, safe deletes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from arq.connections import ArqRedis
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog.service import get_location
from app.errors import Conflict, NotFound
from app.models import Server, Subscription
from app.servers.capacity import LIVE
from app.servers.online import server_online
from app.servers.schemas import (
    ServerCreate,
    ServerLoadRead,
    ServerRead,
    ServerUpdate,
    validate_panel_settings,
)


class ServerNotFound(NotFound):
    """No such server."""

    default_detail = "Server not found"


class ServerNameTaken(Conflict):
    """Server names are unique."""

    default_detail = "A server with this name already exists"


class ServerInUse(Conflict):
    """A server with subscriptions cannot be deleted."""


async def get_server(session: AsyncSession, server_id: uuid.UUID) -> Server:
    """A server or 404."""
    server = await session.get(Server, server_id)
    if server is None:
        raise ServerNotFound()
    return server


async def _name_taken(session: AsyncSession, name: str, exclude: uuid.UUID | None = None) -> bool:
    stmt = select(Server.id).where(func.lower(Server.name) == name.lower())
    if exclude:
        stmt = stmt.where(Server.id != exclude)
    return (await session.scalar(stmt)) is not None


async def active_counts(session: AsyncSession, server_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Live (pending or active) subscriptions per server: its load."""
    if not server_ids:
        return {}
    stmt = (
        select(Subscription.server_id, func.count())
        .where(Subscription.server_id.in_(server_ids))
        .where(Subscription.status.in_(LIVE))
        .group_by(Subscription.server_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(stmt)).all() if row[0] is not None}


def to_read(server: Server, active_users: int = 0) -> ServerRead:
    """The API view of a server (credentials reduced to flags)."""
    return ServerRead(
        id=server.id,
        location_id=server.location_id,
        name=server.name,
        panel_type=server.panel_type,
        panel_url=server.panel_url,
        has_password=bool(server.password),
        has_api_token=bool(server.api_token),
        max_users=server.max_users,
        is_active=server.is_active,
        is_sandbox=server.is_sandbox,
        settings=server.settings,
        health=server.health,
        last_check_at=server.last_check_at,
        last_latency_ms=server.last_latency_ms,
        last_error=server.last_error,
        api_generation=server.api_generation,
        panel_version=server.panel_version,
        active_users=active_users,
        created_at=server.created_at,
        updated_at=server.updated_at,
    )


async def create_server(session: AsyncSession, body: ServerCreate) -> Server:
    """Add a server to an existing location."""
    await get_location(session, body.location_id)
    if await _name_taken(session, body.name):
        raise ServerNameTaken()
    server = Server(**body.model_dump())
    session.add(server)
    await session.flush()
    return server


async def update_server(session: AsyncSession, server: Server, body: ServerUpdate) -> Server:
    """Apply the sent fields; a change of URL or credentials forgets the probed API generation."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if changes.get("location_id"):
        await get_location(session, changes["location_id"])
    if changes.get("name") and await _name_taken(session, changes["name"], server.id):
        raise ServerNameTaken()
    if changes.get("settings") is not None:
        try:
            changes["settings"] = validate_panel_settings(server.panel_type, changes["settings"])
        except ValidationError as exc:
            # The shape depends on the stored panel type, so it is checked here; answer like FastAPI would.
            raise RequestValidationError(
                [{**e, "loc": ("body", "settings", *e["loc"])} for e in exc.errors()]
            ) from None
    reprobe = False
    for key, value in changes.items():
        if value is None:
            continue
        if key in {"panel_url", "username", "password", "api_token"}:
            reprobe = True
        setattr(server, key, None if key == "api_token" and value == "" else value)
    if reprobe:
        server.api_generation = None
    await session.flush()
    return server


async def delete_server(session: AsyncSession, server: Server) -> None:
    """Delete a server no subscription was ever provisioned on."""
    used = await session.scalar(
        select(func.count()).select_from(Subscription).where(Subscription.server_id == server.id)
    )
    if used:
        raise ServerInUse(f"{used} subscriptions live on this server; deactivate it instead of deleting")
    await session.delete(server)
    await session.flush()


async def load(session: AsyncSession, redis: ArqRedis, server: Server) -> ServerLoadRead:
    """Subscriptions by status, free places, traffic and the online count of the last traffic sync."""
    rows = await session.execute(
        select(Subscription.status, func.count(), func.coalesce(func.sum(Subscription.traffic_used_bytes), 0))
        .where(Subscription.server_id == server.id)
        .group_by(Subscription.status)
    )
    by_status: dict[str, int] = {}
    traffic = 0
    for status, count, used in rows.all():
        by_status[status.value] = int(count)
        if status in LIVE:
            traffic += int(used)
    live = sum(by_status.get(s.value, 0) for s in LIVE)
    online = await server_online(redis, server.id)
    return ServerLoadRead(
        server_id=server.id,
        max_users=server.max_users,
        live=live,
        by_status=by_status,
        free=max(server.max_users - live, 0),
        utilisation_percent=min(round(live * 100 / server.max_users), 999),
        traffic_used_bytes=traffic,
        online=online["online"] if online else None,
        online_checked_at=datetime.fromisoformat(online["at"]) if online else None,
        health=server.health,
        last_latency_ms=server.last_latency_ms,
    )
