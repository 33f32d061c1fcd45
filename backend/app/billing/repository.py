"""SQL for the ledger views."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.schemas import LedgerTotals
from app.models import BalanceLedger
from app.models.enums import LedgerKind

SORTS = {"created_at": BalanceLedger.created_at, "amount": BalanceLedger.amount, "kind": BalanceLedger.kind}


@dataclass(frozen=True)
class LedgerFilters:
    """What staff filter the ledger by."""

    user_id: uuid.UUID | None = None
    kind: LedgerKind | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    payment_id: uuid.UUID | None = None

    def apply(self, stmt: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        """Add the WHERE clauses."""
        if self.user_id is not None:
            stmt = stmt.where(BalanceLedger.user_id == self.user_id)
        if self.kind is not None:
            stmt = stmt.where(BalanceLedger.kind == self.kind)
        if self.date_from is not None:
            stmt = stmt.where(BalanceLedger.created_at >= self.date_from)
        if self.date_to is not None:
            stmt = stmt.where(BalanceLedger.created_at < self.date_to)
        if self.payment_id is not None:
            stmt = stmt.where(BalanceLedger.payment_id == self.payment_id)
        return stmt


async def totals(session: AsyncSession, filters: LedgerFilters) -> LedgerTotals:
    """Count, credits, debits and net over the filtered ledger."""
    credit = func.coalesce(func.sum(case((BalanceLedger.amount > 0, BalanceLedger.amount), else_=0)), 0)
    debit = func.coalesce(func.sum(case((BalanceLedger.amount < 0, BalanceLedger.amount), else_=0)), 0)
    row = (await session.execute(filters.apply(select(func.count(BalanceLedger.id), credit, debit)))).one()
    count, credit_sum, debit_sum = int(row[0]), Decimal(row[1]), Decimal(row[2])
    return LedgerTotals(count=count, credit=credit_sum, debit=debit_sum, net=credit_sum + debit_sum)
