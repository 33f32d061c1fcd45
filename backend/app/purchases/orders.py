"""An order: quote a plan for a customer, then place it (debit + subscription) in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.ledger import InsufficientBalance, change_balance, lock_user
from app.catalog.errors import LocationNotFound, TariffNotFound
from app.kit.money import format_rub
from app.kit.time import utcnow
from app.models import Location, Payment, PromoCode, Subscription, Tariff, User
from app.models.enums import LedgerKind, PaymentPurpose, SubscriptionStatus
from app.promo import service as promo_service
from app.purchases.errors import (
    LocationFull,
    SubscriptionNotFound,
    SubscriptionNotRenewable,
    TariffNotForLocation,
    TariffUnavailable,
)
from app.servers.capacity import location_has_capacity, lock_location
from app.subscriptions.service import create_pending_subscription, request_extension

log = structlog.get_logger(__name__)
RENEWABLE = (SubscriptionStatus.active, SubscriptionStatus.expired)


@dataclass(frozen=True)
class Quote:
    """A priced order: the plan, where, what it renews, the discount code and the final price."""

    tariff: Tariff
    location: Location
    subscription: Subscription | None
    promo: PromoCode | None
    full_price: Decimal
    price: Decimal

    @property
    def purpose(self) -> PaymentPurpose:
        """purchase, or renewal of an existing subscription."""
        return PaymentPurpose.renewal if self.subscription is not None else PaymentPurpose.purchase

    @property
    def discount(self) -> Decimal:
        """RUB taken off by the promo code."""
        return self.full_price - self.price


def _check_renewable(subscription: Subscription, tariff: Tariff, location: Location) -> None:
    if subscription.status not in RENEWABLE or subscription.ends_at is None:
        raise SubscriptionNotRenewable(
            "Only active or expired subscriptions with an end date can be renewed"
            if subscription.ends_at is not None or subscription.status in RENEWABLE
            else "This subscription is being set up or never ends; it cannot be renewed"
        )
    if tariff.duration_days is None:
        raise SubscriptionNotRenewable(
            "A lifetime plan cannot be used to renew; buy it as a new subscription"
        )
    if subscription.location_id != location.id:
        raise TariffNotForLocation("A renewal stays in the subscription's location")


async def quote(
    session: AsyncSession,
    user: User,
    *,
    tariff_id: uuid.UUID,
    location_id: uuid.UUID,
    subscription_id: uuid.UUID | None = None,
    promo_code: str | None = None,
) -> Quote:
    """Price an order from the catalog (never from the client); validates plan, place and code."""
    tariff = await session.get(Tariff, tariff_id)
    if tariff is None:
        raise TariffNotFound()
    location = await session.get(Location, location_id)
    if location is None:
        raise LocationNotFound()
    if not tariff.is_active or not location.is_active:
        raise TariffUnavailable()
    if tariff.location_id is not None and tariff.location_id != location.id:
        raise TariffNotForLocation()
    subscription = None
    if subscription_id is not None:
        subscription = await session.get(Subscription, subscription_id)
        if subscription is None or subscription.user_id != user.id:
            raise SubscriptionNotFound()
        _check_renewable(subscription, tariff, location)
    promo = None
    price = tariff.price
    if promo_code:
        promo = await promo_service.find_for_checkout(session, promo_code, user)
        price = promo_service.discounted_price(tariff.price, promo.value)
    return Quote(tariff, location, subscription, promo, tariff.price, price)


async def place(session: AsyncSession, user_id: uuid.UUID, q: Quote, payment: Payment | None) -> Subscription:
    """Take the code's use, debit the price and create or extend the subscription, all or nothing.

    Locks in the order code, customer, location (the same everywhere) and checks everything that
    can fail before anything is enqueued.
    """
    redemption = None
    user = await session.get(User, user_id)
    assert user is not None
    if q.promo is not None:
        redemption = await promo_service.take_use(
            session, q.promo.id, user, payment=payment, amount=q.discount
        )
    user = await lock_user(session, user_id)
    if user.balance < q.price:
        raise InsufficientBalance(
            f"Balance {format_rub(user.balance)} does not cover {format_rub(q.price)}; "
            f"{format_rub(q.price - user.balance)} is missing"
        )
    if q.subscription is None:
        await lock_location(session, q.location.id)
        if not await location_has_capacity(session, q.location.id):
            raise LocationFull()
        subscription = await create_pending_subscription(session, user, q.tariff, q.location)
    else:
        assert q.tariff.duration_days is not None
        subscription = await request_extension(session, q.subscription, q.tariff.duration_days)
    if q.price > 0:
        assert payment is not None
        await change_balance(
            session,
            user.id,
            -q.price,
            LedgerKind.purchase,
            reference=f"order:{payment.id}",
            comment=f"{q.tariff.name} — {q.location.name}",
            payment_id=payment.id,
            subscription_id=subscription.id,
        )
    if redemption is not None:
        redemption.subscription_id = subscription.id
    if payment is not None:
        payment.subscription_id = subscription.id
        payment.fulfilled_at = utcnow()
    await session.flush()
    log.info(
        "order_placed",
        user_id=str(user.id),
        subscription_id=str(subscription.id),
        purpose=q.purpose.value,
        price=str(q.price),
        payment_id=str(payment.id) if payment else None,
    )
    return subscription


async def fulfil_paid_order(session: AsyncSession, payment: Payment) -> Subscription:
    """Complete the order a provider payment was for, at the price quoted on the invoice."""
    tariff = await session.get(Tariff, payment.tariff_id) if payment.tariff_id else None
    location = await session.get(Location, payment.location_id) if payment.location_id else None
    if tariff is None or location is None or payment.order_price is None:
        raise TariffUnavailable("The plan or location of this order no longer exists")
    subscription = None
    if payment.purpose is PaymentPurpose.renewal:
        subscription = (
            await session.get(Subscription, payment.subscription_id) if payment.subscription_id else None
        )
        if subscription is None:
            raise SubscriptionNotFound("The subscription to renew no longer exists")
        _check_renewable(subscription, tariff, location)
    promo = await session.get(PromoCode, payment.promo_code_id) if payment.promo_code_id else None
    q = Quote(tariff, location, subscription, promo, tariff.price, payment.order_price)
    return await place(session, payment.user_id, q, payment)
