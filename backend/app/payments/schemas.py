"""Bodies of payment methods, top-ups, payments, refunds, Stars reports and the webhook inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from app.kit.pagination import Page
from app.models.enums import PaymentMethod, PaymentPurpose, PaymentStatus

ProviderMethod = Literal["severpay", "cryptopay", "xrocket", "stars"]
# Up to 2 decimals: "150", "150.5" and 150.5 are fine, "150.001" is refused (not silently rounded).
RubAmount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
# Crypto amounts and rates without the column's trailing zeros: "2.5", not "2.500000000".
Quantity = Annotated[
    Decimal, PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str, when_used="json")
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class PaymentMethodRead(BaseModel):
    """A way to pay that the shop offers right now."""

    method: PaymentMethod
    title: str
    currency: str = Field(description="what the customer pays in: RUB, a crypto asset list, or XTR")
    min_amount: Decimal = Field(description="smallest top-up in RUB")
    max_amount: Decimal = Field(description="largest top-up in RUB")
    rub_rate: Decimal | None = Field(
        default=None, description="RUB per unit of `currency` (xRocket asset, one Star) when it is not RUB"
    )
    sandbox: bool = Field(description="true when payments go to a testnet or a local stand-in (test money)")


class TopupCreate(BaseModel):
    """A top-up of the balance through a provider."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"amount": "150.00", "method": "cryptopay"}]})

    amount: RubAmount = Field(description="RUB, a decimal string (a JSON number is accepted too)")
    method: ProviderMethod


class PaymentRead(BaseModel):
    """A payment as its customer sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    amount: Decimal = Field(description="RUB credited to the balance when paid")
    currency: str
    status: PaymentStatus
    method: PaymentMethod
    purpose: PaymentPurpose
    pay_url: str | None
    provider_amount: Quantity | None = Field(description="what the provider bills (crypto amount, Stars)")
    provider_currency: str | None
    exchange_rate: Quantity | None = Field(description="RUB per unit of provider_currency")
    tariff_id: uuid.UUID | None
    location_id: uuid.UUID | None
    subscription_id: uuid.UUID | None
    order_price: Decimal | None = Field(description="price of what the payment buys, debited when paid")
    fulfilled_at: datetime | None
    fulfillment_error: str | None
    is_sandbox: bool
    expires_at: datetime | None
    paid_at: datetime | None
    created_at: datetime


class PaymentAdminRead(PaymentRead):
    """A payment as staff see it."""

    user_id: uuid.UUID
    provider_payment_id: str | None
    promo_code_id: uuid.UUID | None
    description: str | None
    status_detail: str | None
    refunded_at: datetime | None
    updated_at: datetime


class AmountCount(BaseModel):
    """A count and a RUB sum."""

    count: int
    amount: Decimal


class PaymentTotals(BaseModel):
    """Sums over every payment matching the filters (not only the page)."""

    count: int
    amount: Decimal
    by_status: dict[str, AmountCount]
    by_method: dict[str, AmountCount]
    revenue: Decimal = Field(
        description="paid through providers, refunded ones excluded (money that came in)"
    )


class PaymentAdminPage(Page[PaymentAdminRead]):
    """A page of payments with totals over the whole filtered list."""

    totals: PaymentTotals


class RefundRequest(BaseModel):
    """Why staff refund a payment."""

    reason: Reason


class RefundResult(BaseModel):
    """What the refund did."""

    payment: PaymentAdminRead
    balance_change: Decimal = Field(description="signed RUB change of the customer's balance")
    balance: Decimal
    stars_refunded: int | None = Field(description="Stars returned through Telegram, for Stars payments")


class StarsCheckout(BaseModel):
    """A Stars pre-checkout query as the bot received it."""

    telegram_id: int = Field(gt=0, description="the payer (from.id)")
    currency: str
    total_amount: int = Field(ge=0)
    invoice_payload: str = Field(max_length=128)


class StarsCheckoutAnswer(BaseModel):
    """What the bot passes to answerPreCheckoutQuery."""

    ok: bool
    error_message: str | None = None


class StarsPaid(StarsCheckout):
    """A successful_payment as the bot received it."""

    telegram_payment_charge_id: str = Field(min_length=1, max_length=128)
    provider_payment_charge_id: str | None = Field(default=None, max_length=128)


class StarsPaidResult(PaymentRead):
    """The credited payment, whether this report credited it, and the customer's balance now."""

    credited: bool = Field(description="false when this charge had been reported before")
    balance: Decimal


class PaymentEventRead(BaseModel):
    """One webhook as it landed in the inbox, with its verdict."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    provider: str
    event_key: str
    payment_id: uuid.UUID | None
    signature_valid: bool
    verdict: str
    detail: str | None
    source_ip: str | None
    received_at: datetime
    handled_at: datetime | None
    body: str
