"""What the backend returns, as the bot uses it (unknown extra fields are ignored)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field


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


class Location(BaseModel):
    """A location on sale; `available` is false when it is full."""

    id: uuid.UUID
    name: str
    country_code: str
    flag_emoji: str = ""
    available: bool = True


class Tariff(BaseModel):
    """A plan on sale, with the backend's discount against the monthly plan."""

    id: uuid.UUID
    name: str
    description: str | None = None
    duration_days: int | None
    price: Decimal
    currency: str = "RUB"
    stars_price: int | None = None
    traffic_limit_gb: int | None = None
    device_limit: int | None = None
    location_id: uuid.UUID | None = None
    is_promo: bool = False
    discount_percent: int | None = None


# --- subscriptions (branch panels) -----------------------------------------------------------


class SubscriptionLocation(BaseModel):
    """Where a subscription lives."""

    name: str
    flag_emoji: str = ""


class Subscription(BaseModel):
    """One of the customer's subscriptions; `ends_at` null means forever."""

    id: uuid.UUID
    location: SubscriptionLocation
    status: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    days_left: int | None = None
    traffic_used_bytes: int = 0
    traffic_limit_bytes: int | None = None
    device_limit: int | None = None
    config_url: str | None = None
    auto_renew: bool = False
    is_trial: bool = False


# --- money (branch money) -------------------------------------------------------------------


class PaymentMethod(BaseModel):
    """A configured way to pay."""

    method: str
    title: str
    currency: str = "RUB"
    min_amount: Decimal | None = Field(default=None, validation_alias=AliasChoices("min_amount", "min"))
    max_amount: Decimal | None = Field(default=None, validation_alias=AliasChoices("max_amount", "max"))
    sandbox: bool = False


class Payment(BaseModel):
    """A top-up or purchase payment; `pay_url` is where the customer pays."""

    id: uuid.UUID
    amount: Decimal
    currency: str = "RUB"
    status: str
    method: str
    purpose: str | None = None
    pay_url: str | None = None
    created_at: datetime | None = None
    paid_at: datetime | None = None


class PurchaseResult(BaseModel):
    """Paid from balance (`completed`) or waiting for a payment (`payment_required`)."""

    status: Literal["completed", "payment_required"]
    subscription: Subscription | None = None
    payment: Payment | None = None


class LedgerEntry(BaseModel):
    """One line of the balance history."""

    amount: Decimal
    kind: str
    balance_after: Decimal | None = None
    created_at: datetime | None = None


class PromoResult(BaseModel):
    """What an applied promo code gave."""

    code: str | None = None
    kind: str | None = None
    amount: Decimal | None = None
    discount_percent: int | None = None
    balance: Decimal | None = None


class ReferralInfo(BaseModel):
    """The customer's referral program numbers."""

    code: str
    invited: int = Field(default=0, validation_alias=AliasChoices("invited", "invited_count"))
    earned: Decimal = Decimal("0")
    rules: Any = None


class StarsCheck(BaseModel):
    """The backend's verdict on a Telegram Stars pre-checkout query."""

    ok: bool
    error_message: str | None = None


# --- support and shop info (branch admin) ----------------------------------------------------


class TicketMessage(BaseModel):
    """One message of a support conversation."""

    id: uuid.UUID | None = None
    author: str = "user"
    text: str
    created_at: datetime | None = None


class Ticket(BaseModel):
    """A support ticket; `messages` only in the detail view."""

    id: uuid.UUID
    subject: str
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    messages: list[TicketMessage] = Field(default_factory=list)


class ShopInfo(BaseModel):
    """Public facts about the shop: name, support contact, rules, editable texts."""

    shop_name: str = Field(default="VPN Shop", validation_alias=AliasChoices("shop_name", "name"))
    support_contact: str | None = None
    trial: dict[str, Any] = Field(default_factory=dict)
    referral: dict[str, Any] = Field(default_factory=dict)
    texts: dict[str, str] = Field(default_factory=dict)
