"""Crediting a paid invoice exactly once, completing its order, and closing unpaid ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.ledger import change_balance
from app.errors import AppError
from app.kit.money import format_rub
from app.kit.time import utcnow
from app.metrics import PAYMENTS
from app.models import Payment, User
from app.models.enums import LedgerKind, PaymentPurpose, PaymentStatus
from app.notifications.service import notify_admins, notify_user
from app.payments import repository
from app.purchases.orders import fulfil_paid_order
from app.referrals.service import reward_for_payment

log = structlog.get_logger(__name__)
ORDER_PURPOSES = (PaymentPurpose.purchase, PaymentPurpose.renewal)


@dataclass(frozen=True)
class Settlement:
    """What settling did: `credited` is false when the payment had been credited before."""

    payment: Payment
    credited: bool


async def settle_paid(
    session: AsyncSession,
    payment_id: uuid.UUID,
    *,
    source: str,
    provider_payment_id: str | None = None,
    provider_data: dict[str, Any] | None = None,
) -> Settlement:
    """Credit the payment's amount once (row lock + status), pay referral rewards, complete its order.

    A late payment of an expired or failed invoice is still credited: the customer's money arrived.
    """
    payment = await repository.lock_payment(session, payment_id)
    if payment is None:
        raise LookupError(f"payment {payment_id} does not exist")
    if payment.status in (PaymentStatus.paid, PaymentStatus.refunded):
        return Settlement(payment, credited=False)
    if provider_payment_id and not payment.provider_payment_id:
        payment.provider_payment_id = provider_payment_id
    entry = await change_balance(
        session,
        payment.user_id,
        payment.amount,
        LedgerKind.topup,
        reference=f"payment:{payment.id}",
        comment=f"{payment.method.value} payment",
        payment_id=payment.id,
    )
    late = payment.status is not PaymentStatus.pending
    payment.status = PaymentStatus.paid
    payment.paid_at = utcnow()
    if provider_data:
        payment.raw_payload = {**(payment.raw_payload or {}), "paid": provider_data}
    await session.flush()
    PAYMENTS.labels(payment.method.value, "paid").inc()
    log.info(
        "payment_succeeded",
        payment_id=str(payment.id),
        user_id=str(payment.user_id),
        method=payment.method.value,
        amount=str(payment.amount),
        source=source,
        late=late,
    )
    payer = await session.get(User, payment.user_id)
    assert payer is not None
    notify_user(
        session,
        payer.id,
        "payment_received",
        dedupe_key=f"paid:{payment.id}",
        amount=format_rub(payment.amount),
        balance=format_rub(entry.balance_after),
    )
    await reward_for_payment(session, payment, payer)
    if payment.purpose in ORDER_PURPOSES and payment.fulfilled_at is None:
        await _complete_order(session, payment)
    return Settlement(payment, credited=True)


async def _complete_order(session: AsyncSession, payment: Payment) -> None:
    """Run the order in a savepoint: if it cannot complete, the top-up stays and the customer is told."""
    try:
        async with session.begin_nested():
            await fulfil_paid_order(session, payment)
    except Exception as exc:
        # Whatever went wrong with the order, the top-up itself stays credited.
        expected = isinstance(exc, AppError)
        reason = exc.detail if isinstance(exc, AppError) else "an internal error; support has been told"
        await session.refresh(payment)
        payment.fulfillment_error = reason[:500]
        await session.flush()
        balance = await session.scalar(select(User.balance).where(User.id == payment.user_id))
        if expected:
            log.warning("order_not_completed", payment_id=str(payment.id), reason=reason)
        else:
            log.exception("order_failed_unexpectedly", payment_id=str(payment.id))
            notify_admins(
                session,
                "alert_provider_error",
                dedupe_key=f"order:{payment.id}",
                provider=payment.method.value,
                error=f"order of payment {payment.id} failed: {type(exc).__name__}",
            )
        notify_user(
            session,
            payment.user_id,
            "order_not_completed",
            dedupe_key=f"order-failed:{payment.id}",
            reason=reason,
            balance=format_rub(balance if balance is not None else Decimal("0")),
        )


async def mark_unpaid(
    session: AsyncSession, payment_id: uuid.UUID, status: PaymentStatus, detail: str | None = None
) -> bool:
    """Close a pending payment as expired or failed; True when it changed."""
    payment = await repository.lock_payment(session, payment_id)
    if payment is None or payment.status is not PaymentStatus.pending:
        return False
    payment.status = status
    payment.status_detail = (detail or "")[:255] or None
    await session.flush()
    PAYMENTS.labels(payment.method.value, status.value).inc()
    log.info(
        "payment_failed",
        payment_id=str(payment.id),
        method=payment.method.value,
        status=status.value,
        detail=detail,
    )
    return True
