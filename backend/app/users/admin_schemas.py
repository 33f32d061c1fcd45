"""Bodies of the customer management API for staff."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.integrations.telegram.html import TelegramHtml
from app.kit.money import Money
from app.models.enums import PaymentMethod, PaymentPurpose, PaymentStatus, SubscriptionStatus


class UserBrief(BaseModel):
    """Who a customer is, in one line."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    telegram_id: int
    username: str | None
    first_name: str | None
    last_name: str | None


class AdminUserItem(UserBrief):
    """A customer in the staff list."""

    language: str
    balance: Money = Field(description="RUB")
    is_blocked: bool
    bot_blocked: bool = Field(description="the customer blocked the bot; messages cannot reach them")
    referred_by_id: uuid.UUID | None
    trial_used_at: datetime | None
    last_seen_at: datetime | None
    created_at: datetime
    active_subscriptions: int = 0


class UserCounts(BaseModel):
    """What a customer has done, counted."""

    subscriptions: int
    active_subscriptions: int
    payments_paid: int
    total_paid: Money = Field(description="RUB paid through payment providers (not balance or admin)")
    referrals: int
    referral_earnings: Money = Field(description="RUB earned from invited customers")
    tickets: int
    open_tickets: int


class AdminUserDetail(AdminUserItem):
    """One customer with counts, for the customer page."""

    phone: str | None
    email: str | None
    referral_code: str
    referred_by: UserBrief | None
    updated_at: datetime
    counts: UserCounts


class BlockRequest(BaseModel):
    """Why a customer is blocked (kept in the audit log)."""

    reason: str | None = Field(default=None, max_length=500)


class MessageRequest(BaseModel):
    """A message to one customer, in Telegram HTML."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": "Здравствуйте! <b>Сервер в Нидерландах</b> снова работает."}]
        }
    )

    text: TelegramHtml


class MessageQueued(BaseModel):
    """The message is queued; the worker sends it through the Bot API."""

    status: str = "queued"


class UserPaymentItem(BaseModel):
    """A payment of the customer."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    amount: Decimal
    currency: str
    status: PaymentStatus
    method: PaymentMethod
    purpose: PaymentPurpose
    provider_payment_id: str | None
    provider_amount: Decimal | None
    provider_currency: str | None
    description: str | None
    tariff_id: uuid.UUID | None
    subscription_id: uuid.UUID | None
    is_sandbox: bool
    created_at: datetime
    paid_at: datetime | None
    refunded_at: datetime | None


class UserSubscriptionItem(BaseModel):
    """A subscription of the customer, with the names staff recognise."""

    id: uuid.UUID
    status: SubscriptionStatus
    is_trial: bool
    location_id: uuid.UUID
    location_name: str
    flag_emoji: str
    server_id: uuid.UUID | None
    server_name: str | None
    tariff_id: uuid.UUID | None
    tariff_name: str | None
    starts_at: datetime | None
    ends_at: datetime | None = Field(description="null = forever")
    traffic_used_bytes: int
    traffic_limit_bytes: int | None
    device_limit: int | None
    auto_renew: bool
    config_url: str | None
    created_at: datetime


class UserReferralItem(UserBrief):
    """A customer this customer invited."""

    created_at: datetime
    has_paid: bool = Field(description="the invited customer paid at least once")
    rewards: Money = Field(description="RUB the inviter earned from this customer")
