"""SQL for payments and the webhook inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import BalanceLedger, Payment, PaymentEvent, PromoRedemption
from app.models.enums import LedgerKind, PaymentMethod, PaymentPurpose, PaymentStatus


async def lock_payment(session: AsyncSession, payment_id: uuid.UUID) -> Payment | None:
    """A payment under FOR UPDATE, freshly read: its status changes one writer at a time."""
    return await session.scalar(
        select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


async def by_provider_id(
    session: AsyncSession, method: PaymentMethod, provider_payment_id: str
) -> Payment | None:
    """The payment a provider invoice belongs to."""
    return await session.scalar(
        select(Payment).where(Payment.method == method, Payment.provider_payment_id == provider_payment_id)
    )


async def insert_event(session: AsyncSession, values: dict[str, Any]) -> uuid.UUID | None:
    """Store a webhook once per (provider, event key); None when it was stored before."""
    stmt = (
        insert(PaymentEvent)
        .values(id=uuid.uuid4(), **values)
        .on_conflict_do_nothing(constraint="uq_payment_events_provider_event_key")
        .returning(PaymentEvent.id)
    )
    result: uuid.UUID | None = await session.scalar(stmt)
    return result


def pending_provider_payments(methods: tuple[PaymentMethod, ...], created_after: datetime) -> Select[Payment]:
    """Unpaid invoices the poller re-checks, oldest first."""
    return (
        select(Payment)
        .where(
            Payment.status == PaymentStatus.pending,
            Payment.method.in_(methods),
            Payment.provider_payment_id.is_not(None),
            Payment.created_at > created_after,
        )
        .order_by(Payment.created_at)
    )


def stale_unpaid(method: PaymentMethod, before: datetime) -> Select[Payment]:
    """Pending payments of a method whose invoice ended before `before`."""
    return select(Payment).where(
        Payment.status == PaymentStatus.pending, Payment.method == method, Payment.expires_at < before
    )


def unhandled_events(before: datetime) -> Select[PaymentEvent]:
    """Accepted webhooks whose processing job never finished (lost enqueue, crash)."""
    return select(PaymentEvent).where(
        PaymentEvent.verdict == "accepted",
        PaymentEvent.handled_at.is_(None),
        PaymentEvent.received_at < before,
    )


def orphaned_reservations() -> Select[PromoRedemption]:
    """Promo uses still held by checkouts that ended unpaid."""
    return (
        select(PromoRedemption)
        .join(Payment, Payment.id == PromoRedemption.payment_id)
        .where(
            and_(
                PromoRedemption.subscription_id.is_(None),
                Payment.status.in_((PaymentStatus.expired, PaymentStatus.failed)),
            )
        )
    )


async def order_refunded(session: AsyncSession, payment: Payment) -> bool:
    """Whether a refund row exists for the payment or for the subscription its purchase created."""
    conditions = [BalanceLedger.payment_id == payment.id]
    if payment.subscription_id is not None and payment.purpose is PaymentPurpose.purchase:
        conditions.append(BalanceLedger.subscription_id == payment.subscription_id)
    found = await session.scalar(
        select(BalanceLedger.id).where(BalanceLedger.kind == LedgerKind.refund, or_(*conditions)).limit(1)
    )
    return found is not None


async def lock_purchase_of(session: AsyncSession, subscription_id: uuid.UUID) -> Payment | None:
    """The paid purchase that created a subscription, under FOR NO KEY UPDATE."""
    return await session.scalar(
        select(Payment)
        .where(
            Payment.subscription_id == subscription_id,
            Payment.purpose == PaymentPurpose.purchase,
            Payment.status == PaymentStatus.paid,
        )
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
