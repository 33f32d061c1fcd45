"""What the backend returns, as the bot uses it."""

from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import BaseModel


class Profile(BaseModel):
    """The customer's profile."""

    id: uuid.UUID
    telegram_id: int
    username: str | None = None
    first_name: str | None = None
    language: str
    balance: Decimal
    referral_code: str
    subscription_url: str
    trial_used: bool


class AuthResult(BaseModel):
    """A customer token for one Telegram user."""

    access_token: str
    expires_in: int
    created: bool
    user: Profile
