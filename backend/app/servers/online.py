"""How many clients were online on a server at the last traffic sync (kept in Redis, not the database)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

KEY = "server:online:{server_id}"
TTL_SECONDS = 3600


async def store_online(redis: Redis, server_id: uuid.UUID, online: int, clients: int, at: datetime) -> None:
    """Remember the online count seen now."""
    value = json.dumps({"online": online, "clients": clients, "at": at.isoformat()})
    await redis.set(KEY.format(server_id=server_id), value, ex=TTL_SECONDS)


async def server_online(redis: Redis, server_id: uuid.UUID) -> dict[str, Any] | None:
    """The last stored count (`online`, `clients`, `at`), or None."""
    raw = await redis.get(KEY.format(server_id=server_id))
    if not raw:
        return None
    value: dict[str, Any] = json.loads(raw)
    return value
