"""Request and response bodies of staff authentication and admin accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import AdminRole


class LoginRequest(BaseModel):
    """Username and password of a staff account."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"username": "owner", "password": "s3cret-pass"}]}
    )

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    """A short-lived access token and a single-use refresh token."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="access token lifetime in seconds")


class RefreshRequest(BaseModel):
    """A refresh token to exchange (it is used up by the exchange)."""

    refresh_token: str = Field(min_length=10, max_length=4096)


class LogoutRequest(BaseModel):
    """Optionally the refresh token of the session being closed."""

    refresh_token: str | None = Field(default=None, max_length=4096)


class AdminRead(BaseModel):
    """A staff account as the API shows it (never the hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    role: AdminRole
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


class MeRead(AdminRead):
    """The signed-in staff account and what the admin panel shows around it."""

    shop_name: str = Field(description="shown in the admin panel's top bar")


class AdminCreate(BaseModel):
    """A new staff account."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=10, max_length=256)
    role: AdminRole = AdminRole.support


class AdminUpdate(BaseModel):
    """Changes to a staff account; only the fields sent are changed."""

    password: str | None = Field(default=None, min_length=10, max_length=256)
    role: AdminRole | None = None
    is_active: bool | None = None
