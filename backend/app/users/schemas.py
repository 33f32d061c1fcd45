"""Bodies of the bot's service login and the customer's profile."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TelegramAuthRequest(BaseModel):
    """The Telegram user the bot is acting for."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "telegram_id": 123456789,
                    "username": "alice",
                    "first_name": "Alice",
                    "last_name": None,
                    "language_code": "ru",
                    "referral_code": "k7p2m9qa",
                }
            ]
        }
    )

    telegram_id: int = Field(gt=0, lt=2**63)
    username: str | None = Field(default=None, max_length=64)
    first_name: str | None = Field(default=None, max_length=128)
    last_name: str | None = Field(default=None, max_length=128)
    language_code: str | None = Field(default=None, max_length=16)
    referral_code: str | None = Field(default=None, max_length=64)


class UserProfile(BaseModel):
    """A customer's own profile."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    telegram_id: int
    username: str | None
    first_name: str | None
    last_name: str | None
    language: str
    balance: Decimal = Field(description="RUB, as a decimal string")
    referral_code: str
    referred_by_id: uuid.UUID | None
    subscription_url: str = Field(description="the personal link that covers all active subscriptions")
    trial_used: bool
    is_blocked: bool
    created_at: datetime


class TelegramAuthResponse(BaseModel):
    """A short-lived customer token and the customer."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    created: bool = Field(description="true when this call registered the user")
    user: UserProfile


class ProfileUpdate(BaseModel):
    """What a customer may change about themselves."""

    language: Literal["ru", "en"] | None = None
