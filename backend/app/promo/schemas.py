"""Bodies of promo codes (admin) and of redeeming one (customer)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.kit.money import to_money
from app.models.enums import PromoKind

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9_-]{3,64}$")
]
Value = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2), AfterValidator(to_money)]
MAX_BALANCE = Decimal("100000")
MAX_DAYS = 3650


def check_value(kind: PromoKind, value: Decimal) -> None:
    """Percent at most 100, whole days, a sane balance credit."""
    if kind is PromoKind.discount and value > 100:
        raise ValueError("a discount is a percent from 0.01 to 100")
    if kind is PromoKind.days and (value != value.to_integral_value() or value > MAX_DAYS):
        raise ValueError(f"days must be a whole number up to {MAX_DAYS}")
    if kind is PromoKind.balance and value > MAX_BALANCE:
        raise ValueError(f"a balance credit is at most {MAX_BALANCE} RUB")


class PromoCodeCreate(BaseModel):
    """A new promo code; `value` is RUB (balance), percent (discount) or days (days)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "SPRING25", "kind": "discount", "value": "25", "max_uses": 100}]
        }
    )

    code: Code
    kind: PromoKind
    value: Value
    max_uses: int | None = Field(default=None, ge=1, le=10_000_000, description="null = unlimited")
    expires_at: datetime | None = None
    is_active: bool = True
    description: str | None = Field(default=None, max_length=255)

    @model_validator(mode="after")
    def _value_fits_kind(self) -> PromoCodeCreate:
        check_value(self.kind, self.value)
        return self


class PromoCodeUpdate(BaseModel):
    """Changes to a promo code; only the fields sent change (max_uses/expires_at accept null)."""

    code: Code | None = None
    kind: PromoKind | None = None
    value: Value | None = None
    max_uses: int | None = Field(default=None, ge=1, le=10_000_000)
    expires_at: datetime | None = None
    is_active: bool | None = None
    description: str | None = Field(default=None, max_length=255)


class PromoCodeRead(BaseModel):
    """A promo code as staff see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    kind: PromoKind
    value: Decimal
    max_uses: int | None
    used_count: int
    expires_at: datetime | None
    is_active: bool
    description: str | None
    state: Literal["active", "inactive", "expired", "exhausted"]
    created_at: datetime
    updated_at: datetime


class RedemptionRead(BaseModel):
    """One use of a code."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    payment_id: uuid.UUID | None
    subscription_id: uuid.UUID | None
    amount: Decimal | None
    days: int | None
    created_at: datetime


class PromoRedeem(BaseModel):
    """A customer enters a code (balance and free-days codes; discounts go with a purchase)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "WELCOME100"}]})

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    subscription_id: uuid.UUID | None = Field(
        default=None, description="which subscription free days go to (needed when there are several)"
    )


class PromoRedeemResult(BaseModel):
    """What the code gave."""

    kind: PromoKind
    amount: Decimal | None = Field(default=None, description="RUB credited (balance codes)")
    days: int | None = Field(default=None, description="days added (days codes)")
    balance: Decimal
    subscription_id: uuid.UUID | None = None
    ends_at: datetime | None = None
