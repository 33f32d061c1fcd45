"""Bodies of the API key management."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.admin_auth.api_keys import SCOPES


def _known_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}; known: {', '.join(sorted(SCOPES))}")
    return sorted(set(scopes))


Scopes = Annotated[list[str], Field(min_length=1, max_length=len(SCOPES) * 2), AfterValidator(_known_scopes)]


class ApiKeyCreate(BaseModel):
    """A new key: a name to recognise it by and what it may do."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "CRM sync", "scopes": ["users:read", "payments:read"]}]}
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    scopes: Scopes


class ApiKeyRead(BaseModel):
    """A key as listed: never the key itself, only its first characters."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    key_prefix: str = Field(description="the first characters of the key, to recognise it")
    scopes: list[str]
    created_by_id: uuid.UUID | None
    created_at: datetime
    last_used_at: datetime | None = Field(description="updated at most once a minute")
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    """A new key with its plaintext, shown this once: store it now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7a3c1e-6d1f-4c55-9a3b-6f3c5b2f9d10",
                    "name": "CRM sync",
                    "key_prefix": "vsk_Q2xhdWRl",
                    "scopes": ["payments:read", "users:read"],
                    "created_by_id": "5f0c1a52-1b7e-4b1f-a0c9-7b0f4d0b6e21",
                    "created_at": "2026-11-25T12:00:00Z",
                    "last_used_at": None,
                    "revoked_at": None,
                    "key": "vsk_Q2xhdWRlIGtub3dzIGl0IGlzIGEgZmFrZSBrZXk",
                }
            ]
        }
    )

    key: str = Field(description="send as the X-API-Key header; it cannot be shown again")


class ScopeRead(BaseModel):
    """A scope a key can hold."""

    scope: str
    description: str
