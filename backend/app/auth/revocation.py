"""Refresh-token rotation and logout revocation, kept in Redis with the tokens' own lifetimes."""

from __future__ import annotations

from datetime import datetime

from redis.asyncio import Redis

from app.kit.time import utcnow

_REFRESH = "auth:refresh:{jti}"
_REVOKED_JTI = "auth:revoked:{jti}"
_REVOKED_FAMILY = "auth:family-revoked:{family}"


def _ttl(expires_at: datetime) -> int:
    return max(1, int((expires_at - utcnow()).total_seconds()) + 1)


async def remember_refresh(redis: Redis, jti: str, subject: str, expires_at: datetime) -> None:
    """Record a freshly issued refresh token as usable once."""
    await redis.set(_REFRESH.format(jti=jti), subject, ex=_ttl(expires_at))


async def consume_refresh(redis: Redis, jti: str) -> bool:
    """Use up a refresh token; False when it was already used or revoked (a replay)."""
    return await redis.getdel(_REFRESH.format(jti=jti)) is not None


async def revoke_family(redis: Redis, family: str, expires_at: datetime) -> None:
    """Kill every token of one login session (on logout or on a replayed refresh token)."""
    await redis.set(_REVOKED_FAMILY.format(family=family), "1", ex=_ttl(expires_at))


async def revoke_jti(redis: Redis, jti: str, expires_at: datetime) -> None:
    """Revoke one access token until it would have expired anyway."""
    await redis.set(_REVOKED_JTI.format(jti=jti), "1", ex=_ttl(expires_at))


async def is_revoked(redis: Redis, jti: str, family: str | None) -> bool:
    """One round trip: is this token or its session revoked?"""
    keys = [_REVOKED_JTI.format(jti=jti)]
    if family:
        keys.append(_REVOKED_FAMILY.format(family=family))
    values = await redis.mget(keys)
    return any(v is not None for v in values)
