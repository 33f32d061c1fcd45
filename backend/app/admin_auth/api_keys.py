"""Third-party API keys: stored as SHA-256, shown once, scoped, revocable."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotAuthenticated
from app.kit.crypto import sha256_hex
from app.kit.time import utcnow
from app.models import ApiKey

KEY_PREFIX = "vsk_"
# Every scope a key can hold; routes name the one they need.
SCOPES = {
    "catalog:read": "read locations, servers and tariffs",
    "catalog:write": "create and change locations, servers and tariffs",
    "users:read": "read customers, their subscriptions and payments",
    "users:write": "block customers, adjust balances",
    "subscriptions:write": "grant, extend and reconcile subscriptions",
    "payments:read": "read payments and the ledger",
    "payments:write": "refund payments",
    "support:read": "read support tickets",
    "support:write": "answer tickets and message customers",
    "stats:read": "read the dashboard",
}
# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


def generate_key() -> tuple[str, str, str]:
    """A new key: (plaintext shown once, display prefix, hash to store)."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    return plaintext, plaintext[:12], sha256_hex(plaintext)


async def authenticate(session: AsyncSession, plaintext: str) -> ApiKey:
    """Find a live key by its hash and note its use."""
    key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(plaintext)))
    if key is None or key.revoked_at is not None:
        raise NotAuthenticated("Invalid API key")
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > _LAST_USED_GRANULARITY:
        key.last_used_at = now
    return key
