"""Refunds by staff: an order's price back to the balance; Stars back through Telegram."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.ledger import change_balance
from app.config import Settings
from app.integrations.payments.base import ProviderRejected, ProviderUnavailable
from app.integrations.payments.stars import StarsClient
from app.kit.money import format_rub
from app.kit.time import utcnow
from app.metrics import PAYMENTS
from app.models import Payment, User
from app.models.enums import LedgerKind, PaymentMethod, PaymentPurpose, PaymentStatus
from app.notifications.service import notify_user
from app.payments import repository
from app.payments.errors import PaymentNotFound, PaymentNotRefundable, PaymentProviderUnavailable
from app.payments.providers import build_provider

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Refund:
    """What a refund changed."""

    payment: Payment
    balance_change: Decimal
    balance: Decimal
    stars: int | None


def _order_value(payment: Payment) -> Decimal:
    """What the payment's order cost the customer's balance (0 when it bought nothing)."""
    if payment.method is PaymentMethod.balance:
        return payment.amount
    if (
        payment.purpose is not PaymentPurpose.topup
        and payment.fulfilled_at is not None
        and payment.order_price
    ):
        return payment.order_price
    return Decimal("0")


async def refund_payment(
    session: AsyncSession,
    settings: Settings,
    http: httpx.AsyncClient,
    payment_id: uuid.UUID,
    reason: str,
    admin_id: uuid.UUID | None,
) -> Refund:
    """Refund a paid payment once.

    * an order (paid from the balance or through a provider): its price goes back to the balance;
    * a Telegram Stars payment: the Stars go back through refundStarPayment and what they credited
      comes off the balance (refused when the customer has already spent it).
    A top-up through another provider stays on the balance: those providers cannot send money back.
    """
    payment = await repository.lock_payment(session, payment_id)
    if payment is None:
        raise PaymentNotFound()
    if payment.status is PaymentStatus.refunded:
        raise PaymentNotRefundable("This payment has already been refunded")
    if payment.status is not PaymentStatus.paid:
        raise PaymentNotRefundable(f"Only paid payments can be refunded; this one is {payment.status.value}")
    order_value = _order_value(payment)
    if order_value > 0 and await repository.order_refunded(session, payment):
        order_value = Decimal("0")  # already given back, e.g. when its subscription could not be set up
    is_stars = payment.method is PaymentMethod.stars
    if order_value == 0 and not is_stars and payment.purpose is not PaymentPurpose.topup:
        raise PaymentNotRefundable("This order's price has already been refunded to the balance")
    if order_value == 0 and not is_stars:
        raise PaymentNotRefundable(
            "This top-up is already on the customer's balance and the provider cannot send it back from here; "
            "use a balance adjustment to take it off"
        )
    reference = f"refund:{payment.id}"
    balance_change = Decimal("0")
    # Credit before debit, so the balance never dips below zero in between.
    if order_value > 0:
        await change_balance(
            session,
            payment.user_id,
            order_value,
            LedgerKind.refund,
            reference=reference,
            comment=reason,
            payment_id=payment.id,
            subscription_id=payment.subscription_id,
            admin_id=admin_id,
        )
        balance_change += order_value
    stars = None
    if is_stars:
        await change_balance(
            session,
            payment.user_id,
            -payment.amount,
            LedgerKind.refund,
            reference=f"{reference}:stars",
            comment=reason,
            payment_id=payment.id,
            admin_id=admin_id,
        )
        balance_change -= payment.amount
        stars = int(payment.provider_amount or 0)
        await _return_stars(session, settings, http, payment)
    payment.status = PaymentStatus.refunded
    payment.refunded_at = utcnow()
    payment.status_detail = reason[:255]
    await session.flush()
    user = await session.get(User, payment.user_id, populate_existing=True)
    assert user is not None
    PAYMENTS.labels(payment.method.value, "refunded").inc()
    log.info(
        "payment_refunded",
        payment_id=str(payment.id),
        method=payment.method.value,
        balance_change=str(balance_change),
        stars=stars,
        admin_id=str(admin_id) if admin_id else None,
    )
    if stars:
        notify_user(session, user.id, "stars_refunded", stars=stars, reason=reason)
    if order_value > 0:
        notify_user(session, user.id, "refunded", amount=format_rub(order_value), reason=reason)
    return Refund(payment, balance_change, user.balance, stars)


async def refund_failed_order(session: AsyncSession, subscription_id: uuid.UUID, reason: str) -> Decimal:
    """Give back, once, the price of the purchase that created a subscription that could not be set up.

    For the provisioning job; returns the RUB credited (0 when there was nothing to refund, e.g. a
    free or already refunded order). The customer is told by the caller ("subscription_failed").
    """
    payment = await repository.lock_purchase_of(session, subscription_id)
    if payment is None or await repository.order_refunded(session, payment):
        return Decimal("0")
    value = _order_value(payment)
    if value == 0:
        return Decimal("0")
    await change_balance(
        session,
        payment.user_id,
        value,
        LedgerKind.refund,
        reference=f"refund:{payment.id}",
        comment=reason,
        payment_id=payment.id,
        subscription_id=subscription_id,
    )
    if payment.method is PaymentMethod.balance:
        payment.status = PaymentStatus.refunded
        payment.refunded_at = utcnow()
    # A provider payment stays paid: its top-up did arrive; only the order was given back.
    payment.status_detail = f"order refunded: {reason}"[:255]
    await session.flush()
    PAYMENTS.labels(payment.method.value, "order_refunded").inc()
    log.info(
        "order_refunded", payment_id=str(payment.id), subscription_id=str(subscription_id), amount=str(value)
    )
    return value


async def _return_stars(
    session: AsyncSession, settings: Settings, http: httpx.AsyncClient, payment: Payment
) -> None:
    """Called last, after the balance checks passed: a failure rolls the whole refund back."""
    if not payment.provider_payment_id:
        raise PaymentNotRefundable("This Stars payment has no Telegram charge id to refund")
    user = await session.get(User, payment.user_id)
    assert user is not None
    try:
        provider = build_provider(settings, PaymentMethod.stars, http)
    except ValueError:
        raise PaymentNotRefundable("Telegram Stars are not configured (TELEGRAM_BOT_TOKEN)") from None
    assert isinstance(provider, StarsClient)
    try:
        await provider.refund(user.telegram_id, payment.provider_payment_id)
    except ProviderUnavailable as exc:
        raise PaymentProviderUnavailable(
            "Telegram is not answering; nothing was refunded, try again"
        ) from exc
    except ProviderRejected as exc:
        raise PaymentNotRefundable(f"Telegram refused the refund: {exc.message}") from exc
