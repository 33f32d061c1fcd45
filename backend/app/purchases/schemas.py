"""Bodies of a purchase and its outcome."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import SubscriptionStatus
from app.payments.schemas import PaymentRead, ProviderMethod


class PurchaseCreate(BaseModel):
    """Buy (or renew) a plan; the price is computed by the server."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tariff_id": "7d3c...",
                    "location_id": "a1b2...",
                    "method": "cryptopay",
                    "promo_code": "SPRING25",
                }
            ]
        }
    )

    tariff_id: uuid.UUID
    location_id: uuid.UUID
    method: ProviderMethod | None = Field(
        default=None,
        description="provider for the missing amount; without it the balance must cover the price",
    )
    promo_code: str | None = Field(default=None, max_length=64, description="a discount code")
    subscription_id: uuid.UUID | None = Field(default=None, description="renew this subscription")


class SubscriptionPlace(BaseModel):
    """Where a subscription lives."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    country_code: str
    flag_emoji: str


class PurchasedSubscription(BaseModel):
    """The subscription a purchase created or renewed (`pending` until its server account is ready)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: SubscriptionStatus
    location_id: uuid.UUID
    location: SubscriptionPlace
    tariff_id: uuid.UUID | None
    duration_days: int | None
    starts_at: datetime | None
    ends_at: datetime | None = Field(description="null: set when provisioned, or forever")
    is_trial: bool
    auto_renew: bool
    device_limit: int | None
    traffic_limit_bytes: int | None


class PurchaseResult(BaseModel):
    """`completed`: paid from the balance; `payment_required`: pay `payment.pay_url`, the order completes itself."""

    status: Literal["completed", "payment_required"]
    price: Decimal = Field(description="what the order costs after discounts (RUB)")
    discount: Decimal = Field(description="RUB taken off by the promo code")
    balance: Decimal = Field(description="the customer's balance after this call")
    missing: Decimal | None = Field(default=None, description="what the balance lacked (payment_required)")
    subscription: PurchasedSubscription | None = None
    payment: PaymentRead | None = None
