"""Staff views of payments: filters shared by the list, its totals and the CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Payment, User
from app.models.enums import PaymentMethod, PaymentPurpose, PaymentStatus
from app.payments.providers import PROVIDER_METHODS
from app.payments.schemas import AmountCount, PaymentTotals

SORTS = {
    "created_at": Payment.created_at,
    "paid_at": Payment.paid_at,
    "amount": Payment.amount,
    "status": Payment.status,
    "method": Payment.method,
}
CSV_COLUMNS = [
    "id",
    "created_at",
    "paid_at",
    "refunded_at",
    "user_id",
    "telegram_id",
    "username",
    "method",
    "purpose",
    "status",
    "amount",
    "currency",
    "provider_amount",
    "provider_currency",
    "exchange_rate",
    "provider_payment_id",
    "order_price",
    "is_sandbox",
    "status_detail",
]


@dataclass(frozen=True)
class PaymentFilters:
    """What staff filter payments by."""

    status: PaymentStatus | None = None
    method: PaymentMethod | None = None
    purpose: PaymentPurpose | None = None
    user_id: uuid.UUID | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    provider_payment_id: str | None = None

    def apply(self, stmt: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        """Add the WHERE clauses."""
        if self.status is not None:
            stmt = stmt.where(Payment.status == self.status)
        if self.method is not None:
            stmt = stmt.where(Payment.method == self.method)
        if self.purpose is not None:
            stmt = stmt.where(Payment.purpose == self.purpose)
        if self.user_id is not None:
            stmt = stmt.where(Payment.user_id == self.user_id)
        if self.date_from is not None:
            stmt = stmt.where(Payment.created_at >= self.date_from)
        if self.date_to is not None:
            stmt = stmt.where(Payment.created_at < self.date_to)
        if self.provider_payment_id:
            stmt = stmt.where(Payment.provider_payment_id == self.provider_payment_id)
        return stmt


async def totals(session: AsyncSession, filters: PaymentFilters) -> PaymentTotals:
    """Counts and sums over the whole filtered list, by status and by method."""
    rows = (
        await session.execute(
            filters.apply(
                select(
                    Payment.status,
                    Payment.method,
                    func.count(Payment.id),
                    func.coalesce(func.sum(Payment.amount), 0),
                )
            ).group_by(Payment.status, Payment.method)
        )
    ).all()
    by_status: dict[str, AmountCount] = {}
    by_method: dict[str, AmountCount] = {}
    count, amount, revenue = 0, Decimal("0"), Decimal("0")
    for status, method, n, raw_total in rows:
        total = Decimal(raw_total)
        count += n
        amount += total
        for bucket, key in ((by_status, status.value), (by_method, method.value)):
            prev = bucket.get(key, AmountCount(count=0, amount=Decimal("0")))
            bucket[key] = AmountCount(count=prev.count + n, amount=prev.amount + total)
        if method in PROVIDER_METHODS and status is PaymentStatus.paid:
            revenue += total
    return PaymentTotals(
        count=count, amount=amount, by_status=by_status, by_method=by_method, revenue=revenue
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return str(value.value)
    text = str(value)
    # Spreadsheets run cells starting with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text[1:2].isdigit() else text


async def export_csv(
    sessionmaker: async_sessionmaker[AsyncSession], filters: PaymentFilters, *, chunk_rows: int = 500
) -> AsyncIterator[str]:
    """The filtered payments as CSV text chunks, streamed from the database in batches."""
    stmt = filters.apply(
        select(Payment, User.telegram_id, User.username).join(User, User.id == Payment.user_id)
    ).order_by(Payment.created_at, Payment.id)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    async with sessionmaker() as session:
        result = await session.stream(stmt.execution_options(yield_per=chunk_rows))
        n = 0
        async for payment, telegram_id, username in result:
            values = {c: getattr(payment, c, None) for c in CSV_COLUMNS}
            values.update(telegram_id=telegram_id, username=username)
            writer.writerow([_cell(values[c]) for c in CSV_COLUMNS])
            n += 1
            if n % chunk_rows == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue()
