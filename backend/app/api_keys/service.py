"""Create and revoke API keys; only a SHA-256 of the key is stored."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin_auth.api_keys import generate_key
from app.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.errors import Conflict, NotFound
from app.kit.time import utcnow
from app.models import ApiKey

log = structlog.get_logger(__name__)


class ApiKeyNotFound(NotFound):
    """No such key."""

    default_detail = "API key not found"


class ApiKeyRevoked(Conflict):
    """The key is already revoked."""

    default_detail = "This API key is already revoked"


async def get_key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
    """A key or 404."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise ApiKeyNotFound()
    return key


async def create(session: AsyncSession, body: ApiKeyCreate, admin_id: uuid.UUID | None) -> ApiKeyCreated:
    """Make a key; the plaintext is in the answer and nowhere else."""
    plaintext, prefix, digest = generate_key()
    key = ApiKey(
        name=body.name, key_prefix=prefix, key_hash=digest, scopes=body.scopes, created_by_id=admin_id
    )
    session.add(key)
    await session.flush()
    log.info("api_key_created", api_key_id=str(key.id), scopes=body.scopes)
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=plaintext)


async def revoke(session: AsyncSession, key: ApiKey) -> ApiKey:
    """Revoke a key: the next request with it gets 401."""
    if key.revoked_at is not None:
        raise ApiKeyRevoked()
    key.revoked_at = utcnow()
    await session.flush()
    log.info("api_key_revoked", api_key_id=str(key.id))
    return key
