"""Promo rules: who may use a code, counting uses under a row lock, redeeming and reserving."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.ledger import change_balance
from app.errors import BadRequest
from app.kit.money import KOPECK
from app.kit.time import utcnow
from app.models import Payment, PromoCode, PromoRedemption, Subscription, User
from app.models.enums import LedgerKind, PaymentPurpose, PaymentStatus, PromoKind, SubscriptionStatus
from app.payments import repository as payment_repository
from app.promo import repository
from app.promo.errors import (
    PromoCodeAlreadyUsed,
    PromoCodeExhausted,
    PromoCodeExpired,
    PromoCodeInUse,
    PromoCodeNotApplicable,
    PromoCodeNotFound,
    PromoCodeTaken,
)
from app.promo.schemas import PromoCodeCreate, PromoCodeUpdate, PromoRedeemResult, check_value
from app.subscriptions.service import request_extension

log = structlog.get_logger(__name__)
EXTENDABLE = (SubscriptionStatus.active, SubscriptionStatus.expired)


def state_of(promo: PromoCode, now: datetime | None = None) -> str:
    """active | inactive | expired | exhausted."""
    now = now or utcnow()
    if not promo.is_active:
        return "inactive"
    if promo.expires_at is not None and promo.expires_at <= now:
        return "expired"
    if promo.max_uses is not None and promo.used_count >= promo.max_uses:
        return "exhausted"
    return "active"


def check_usable(promo: PromoCode) -> None:
    """Raise why the code cannot be used now (switched-off codes look unknown)."""
    state = state_of(promo)
    if state == "inactive":
        raise PromoCodeNotFound()
    if state == "expired":
        raise PromoCodeExpired()
    if state == "exhausted":
        raise PromoCodeExhausted()


def discounted_price(price: Decimal, percent: Decimal) -> Decimal:
    """The price after a percent discount, to the kopeck (half up)."""
    return (price * (Decimal(100) - percent) / Decimal(100)).quantize(KOPECK, rounding=ROUND_HALF_UP)


async def find_for_checkout(session: AsyncSession, code: str, user: User) -> PromoCode:
    """A discount code this customer may use now (checked without a lock; the purchase re-checks)."""
    promo = await repository.get_by_code(session, code)
    if promo is None:
        raise PromoCodeNotFound()
    if promo.kind is not PromoKind.discount:
        raise PromoCodeNotApplicable("This code is not a discount: enter it under “Promo code” in the menu")
    check_usable(promo)
    existing = await repository.redemption_of(session, promo.id, user.id)
    if existing is not None and not await _reserved_by_unpaid_order(session, existing):
        raise PromoCodeAlreadyUsed()
    return promo


async def _reserved_by_unpaid_order(session: AsyncSession, redemption: PromoRedemption) -> bool:
    if redemption.subscription_id is not None or redemption.payment_id is None:
        return False
    payment = await session.get(Payment, redemption.payment_id)
    return (
        payment is not None
        and payment.status is PaymentStatus.pending
        and payment.purpose is not PaymentPurpose.topup
    )


async def _take_over(session: AsyncSession, redemption: PromoRedemption, payment: Payment | None) -> bool:
    """Move the customer's reservation from their unpaid checkout to this one."""
    if redemption.subscription_id is not None or redemption.payment_id is None or payment is None:
        return False
    old = await payment_repository.lock_payment(session, redemption.payment_id)
    if old is None or old.id == payment.id:
        return old is not None
    if old.status is not PaymentStatus.pending or old.purpose is PaymentPurpose.topup:
        return False
    # The order moves to the new checkout; if the old invoice is paid anyway, it only tops up.
    old.purpose = PaymentPurpose.topup
    old.order_price = None
    old.promo_code_id = None
    old.fulfillment_error = f"Order moved to payment {payment.id}"
    redemption.payment_id = payment.id
    await session.flush()
    log.info(
        "promo_reservation_moved",
        promo_code_id=str(redemption.promo_code_id),
        payment_id=str(payment.id),
        from_payment_id=str(old.id),
    )
    return True


async def take_use(
    session: AsyncSession,
    promo_id: uuid.UUID,
    user: User,
    *,
    payment: Payment | None = None,
    amount: Decimal | None = None,
    days: int | None = None,
    subscription_id: uuid.UUID | None = None,
) -> PromoRedemption:
    """Count one use under the code's row lock: never more than max_uses, once per customer."""
    promo = await repository.lock(session, promo_id)
    if promo is None:
        raise PromoCodeNotFound()
    existing = await repository.redemption_of(session, promo.id, user.id)
    if existing is not None:
        if not await _take_over(session, existing, payment):
            raise PromoCodeAlreadyUsed()
        existing.subscription_id = subscription_id or existing.subscription_id
        existing.amount = amount if amount is not None else existing.amount
        return existing
    check_usable(promo)
    promo.used_count += 1
    redemption = PromoRedemption(
        promo_code_id=promo.id,
        user_id=user.id,
        payment_id=payment.id if payment else None,
        subscription_id=subscription_id,
        amount=amount,
        days=days,
    )
    session.add(redemption)
    await session.flush()
    return redemption


async def release_reservation(session: AsyncSession, payment_id: uuid.UUID) -> bool:
    """Give back the use an unpaid (expired or failed) checkout held; True when one was released."""
    redemption = await repository.redemption_for_payment(session, payment_id)
    if redemption is None or redemption.subscription_id is not None:
        return False
    # Lock order is code then payment, as in take_use: the payment's state is only read here.
    promo = await repository.lock(session, redemption.promo_code_id)
    payment = await session.get(Payment, payment_id, populate_existing=True)
    if promo is None or payment is None or payment.status in (PaymentStatus.pending, PaymentStatus.paid):
        return False
    await repository.delete_redemption(session, redemption.id)
    promo.used_count = max(0, promo.used_count - 1)
    await session.flush()
    log.info("promo_reservation_released", promo_code_id=str(promo.id), payment_id=str(payment_id))
    return True


async def _days_target(session: AsyncSession, user: User, subscription_id: uuid.UUID | None) -> Subscription:
    stmt = select(Subscription).where(Subscription.user_id == user.id, Subscription.status.in_(EXTENDABLE))
    if subscription_id is not None:
        stmt = stmt.where(Subscription.id == subscription_id)
    candidates = [s for s in (await session.scalars(stmt)).all() if s.ends_at is not None]
    if not candidates:
        raise PromoCodeNotApplicable("There is no subscription to add days to; buy one first")
    if len(candidates) > 1:
        raise BadRequest("You have several subscriptions: choose which one gets the days (subscription_id)")
    return candidates[0]


async def redeem(
    session: AsyncSession, user: User, code: str, subscription_id: uuid.UUID | None = None
) -> PromoRedeemResult:
    """Apply a balance or free-days code for the customer (discounts apply at checkout)."""
    promo = await repository.get_by_code(session, code)
    if promo is None:
        raise PromoCodeNotFound()
    if promo.kind is PromoKind.discount:
        raise PromoCodeNotApplicable("This is a discount code: enter it when you buy a plan")
    if promo.kind is PromoKind.balance:
        await take_use(session, promo.id, user, amount=promo.value)
        entry = await change_balance(
            session,
            user.id,
            promo.value,
            LedgerKind.promo,
            reference=f"promo:{promo.code}",
            comment=promo.description,
        )
        log.info("promo_redeemed", promo_code=promo.code, user_id=str(user.id), amount=str(promo.value))
        return PromoRedeemResult(kind=promo.kind, amount=entry.amount, balance=entry.balance_after)
    days = int(promo.value)
    subscription = await _days_target(session, user, subscription_id)
    await take_use(session, promo.id, user, days=days, subscription_id=subscription.id)
    await request_extension(session, subscription, days)
    log.info(
        "promo_redeemed",
        promo_code=promo.code,
        user_id=str(user.id),
        days=days,
        subscription_id=str(subscription.id),
    )
    return PromoRedeemResult(
        kind=promo.kind,
        days=days,
        balance=user.balance,
        subscription_id=subscription.id,
        ends_at=subscription.ends_at,
    )


# --- admin ---------------------------------------------------------------------------------------


async def get_code(session: AsyncSession, promo_id: uuid.UUID) -> PromoCode:
    """A code by id or 404."""
    promo = await session.get(PromoCode, promo_id)
    if promo is None:
        raise PromoCodeNotFound()
    return promo


async def create_code(session: AsyncSession, body: PromoCodeCreate) -> PromoCode:
    """Add a code with a unique text."""
    if await repository.code_taken(session, body.code):
        raise PromoCodeTaken()
    promo = PromoCode(**body.model_dump())
    session.add(promo)
    await session.flush()
    return promo


async def update_code(session: AsyncSession, promo: PromoCode, body: PromoCodeUpdate) -> PromoCode:
    """Apply the sent fields; a used code keeps its kind and cannot drop below its uses."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    for key in ("code", "kind", "value", "is_active"):
        if key in changes and changes[key] is None:
            del changes[key]
    if "code" in changes and await repository.code_taken(session, changes["code"], exclude=promo.id):
        raise PromoCodeTaken()
    if "kind" in changes and changes["kind"] is not promo.kind and promo.used_count > 0:
        raise PromoCodeInUse("A used promo code keeps its kind; create a new code instead")
    max_uses = changes.get("max_uses", promo.max_uses)
    if max_uses is not None and max_uses < promo.used_count:
        raise BadRequest(f"max_uses cannot be below the {promo.used_count} uses already made")
    try:
        check_value(changes.get("kind", promo.kind), changes.get("value", promo.value))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    for key, value in changes.items():
        setattr(promo, key, value)
    await session.flush()
    return promo


async def delete_code(session: AsyncSession, promo: PromoCode) -> None:
    """Delete a code nobody used."""
    if promo.used_count > 0 or await repository.redemption_count(session, promo.id) > 0:
        raise PromoCodeInUse()
    await session.delete(promo)
    await session.flush()
