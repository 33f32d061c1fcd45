"""Bodies of the ledger views and of a staff balance adjustment."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.kit.pagination import Page
from app.models.enums import LedgerKind


class LedgerEntryRead(BaseModel):
    """One change of the customer's balance."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    amount: Decimal = Field(description="signed RUB: positive credits, negative debits")
    kind: LedgerKind
    reference: str | None
    comment: str | None
    balance_after: Decimal
    payment_id: uuid.UUID | None
    subscription_id: uuid.UUID | None
    created_at: datetime


class LedgerEntryAdminRead(LedgerEntryRead):
    """A ledger row as staff see it."""

    user_id: uuid.UUID
    admin_id: uuid.UUID | None


class LedgerTotals(BaseModel):
    """Sums over the whole filtered ledger."""

    count: int
    credit: Decimal
    debit: Decimal
    net: Decimal


class LedgerPage(Page[LedgerEntryAdminRead]):
    """A page of ledger rows with totals over the filtered list."""

    totals: LedgerTotals


class BalanceAdjustment(BaseModel):
    """A manual credit (positive) or debit (negative) by staff."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": "100.00", "reason": "Compensation for downtime"}]}
    )

    amount: Decimal = Field(max_digits=12, decimal_places=2, description="signed RUB, not zero")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]

    @field_validator("amount")
    @classmethod
    def _not_zero(cls, value: Decimal) -> Decimal:
        if value == 0:
            raise ValueError("amount must not be zero")
        return value


class BalanceAdjusted(BaseModel):
    """The ledger row the adjustment made and the new balance."""

    entry: LedgerEntryAdminRead
    balance: Decimal
