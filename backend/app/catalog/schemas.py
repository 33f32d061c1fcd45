"""Bodies of locations and tariffs."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.kit.money import to_money

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Price = Annotated[
    Decimal, Field(ge=0, le=Decimal("1000000"), max_digits=12, decimal_places=2), AfterValidator(to_money)
]


class LocationCreate(BaseModel):
    """A new location."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Netherlands", "country_code": "NL", "flag_emoji": "🇳🇱"}]}
    )

    name: Name
    country_code: CountryCode
    flag_emoji: str = Field(default="", max_length=16)
    is_active: bool = True
    sort_order: int = Field(default=0, ge=-10_000, le=10_000)


class LocationUpdate(BaseModel):
    """Changes to a location; only the fields sent change."""

    name: Name | None = None
    country_code: CountryCode | None = None
    flag_emoji: str | None = Field(default=None, max_length=16)
    is_active: bool | None = None
    sort_order: int | None = Field(default=None, ge=-10_000, le=10_000)


class LocationRead(BaseModel):
    """A location as staff see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    country_code: str
    flag_emoji: str
    is_active: bool
    sort_order: int
    created_at: datetime
    updated_at: datetime


class PublicLocation(BaseModel):
    """A location as customers see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    country_code: str
    flag_emoji: str
    available: bool = Field(default=True, description="false when every server of it is full or down")


class TariffBase(BaseModel):
    """Fields shared by tariff create and read."""

    description: str | None = Field(default=None, max_length=2000)
    traffic_limit_gb: int | None = Field(default=None, gt=0, le=1_000_000)
    device_limit: int | None = Field(default=None, gt=0, le=100)
    stars_price: int | None = Field(default=None, gt=0, le=100_000)
    location_id: uuid.UUID | None = None
    is_active: bool = True
    is_promo: bool = False
    sort_order: int = Field(default=0, ge=-10_000, le=10_000)


class TariffCreate(TariffBase):
    """A new tariff; duration_days null means forever."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "1 month", "duration_days": 30, "price": "49.00", "currency": "RUB"}]
        }
    )

    name: Name
    duration_days: int | None = Field(gt=0, le=3650)
    price: Price
    currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")

    @field_validator("currency")
    @classmethod
    def _rub_only(cls, value: str) -> str:
        if value != "RUB":
            raise ValueError("only RUB prices are supported; providers convert to crypto or Stars")
        return value


class TariffUpdate(BaseModel):
    """Changes to a tariff; only the fields sent change (send duration_days: null for forever)."""

    name: Name | None = None
    description: str | None = Field(default=None, max_length=2000)
    duration_days: int | None = Field(default=None, gt=0, le=3650)
    price: Price | None = None
    traffic_limit_gb: int | None = Field(default=None, gt=0, le=1_000_000)
    device_limit: int | None = Field(default=None, gt=0, le=100)
    stars_price: int | None = Field(default=None, gt=0, le=100_000)
    location_id: uuid.UUID | None = None
    is_active: bool | None = None
    is_promo: bool | None = None
    sort_order: int | None = Field(default=None, ge=-10_000, le=10_000)


class TariffRead(TariffBase):
    """A tariff as staff see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    duration_days: int | None
    price: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime


class PublicTariff(BaseModel):
    """A tariff as customers see it, with the discount against the monthly price spelled out."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    duration_days: int | None
    price: Decimal
    currency: str
    stars_price: int | None
    traffic_limit_gb: int | None
    device_limit: int | None
    location_id: uuid.UUID | None
    is_promo: bool
    discount_percent: int | None = Field(
        default=None, description="saving against buying the 30-day plan repeatedly, when positive"
    )
