"""The purchase flow: pay from the balance, or invoice the missing amount and complete when paid."""

from __future__ import annotations

from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.ledger import InsufficientBalance
from app.config import Settings
from app.kit.time import utcnow
from app.models import Payment, Subscription, User
from app.models.enums import PaymentMethod, PaymentStatus
from app.payments.invoicing import Order, create_provider_payment
from app.payments.methods import load_config
from app.payments.schemas import PaymentRead
from app.promo import service as promo_service
from app.purchases import orders
from app.purchases.errors import LocationFull
from app.purchases.schemas import PurchaseCreate, PurchasedSubscription, PurchaseResult, SubscriptionPlace
from app.servers.capacity import location_has_capacity

log = structlog.get_logger(__name__)


def _columns(subscription: Subscription) -> dict[str, Any]:
    return {
        field: getattr(subscription, field)
        for field in PurchasedSubscription.model_fields
        if field != "location"
    }


def _order_description(q: orders.Quote) -> str:
    verb = "Продление" if q.subscription is not None else "VPN"
    return f"{verb}: {q.tariff.name}, {q.location.name}"


async def _pay_from_balance(session: AsyncSession, user: User, q: orders.Quote) -> PurchaseResult:
    payment = None
    if q.price > 0:
        # The order is a payment too (method balance), so staff see it and can refund it.
        payment = Payment(
            user_id=user.id,
            amount=q.price,
            currency="RUB",
            status=PaymentStatus.paid,
            method=PaymentMethod.balance,
            purpose=q.purpose,
            tariff_id=q.tariff.id,
            location_id=q.location.id,
            subscription_id=q.subscription.id if q.subscription else None,
            promo_code_id=q.promo.id if q.promo else None,
            order_price=q.price,
            description=_order_description(q),
            paid_at=utcnow(),
        )
        session.add(payment)
        await session.flush()
    subscription = await orders.place(session, user.id, q, payment)
    return PurchaseResult(
        status="completed",
        price=q.price,
        discount=q.discount,
        balance=user.balance,
        subscription=PurchasedSubscription.model_validate(
            {**_columns(subscription), "location": SubscriptionPlace.model_validate(q.location)}
        ),
        payment=PaymentRead.model_validate(payment) if payment else None,
    )


async def purchase(
    session: AsyncSession, settings: Settings, http: httpx.AsyncClient, user: User, body: PurchaseCreate
) -> PurchaseResult:
    """Buy or renew: debit the balance when it covers the price, otherwise invoice what is missing."""
    q = await orders.quote(
        session,
        user,
        tariff_id=body.tariff_id,
        location_id=body.location_id,
        subscription_id=body.subscription_id,
        promo_code=body.promo_code,
    )
    if q.subscription is None and not await location_has_capacity(session, q.location.id):
        raise LocationFull()
    if body.method is None or user.balance >= q.price:
        if body.method is None:
            return await _pay_from_balance(session, user, q)
        try:
            async with session.begin_nested():
                return await _pay_from_balance(session, user, q)
        except InsufficientBalance:
            # Spent elsewhere a moment ago: fall through to invoicing the difference.
            await session.refresh(user)
    method = PaymentMethod(body.method)
    config = await load_config(session, settings)
    missing = q.price - user.balance
    # Below the shop's smallest top-up the invoice is for the minimum; the rest stays on the balance.
    amount = max(missing, config.topup_min)
    payment = await create_provider_payment(
        session,
        settings,
        http,
        config,
        user,
        method=method,
        amount=amount,
        description=_order_description(q),
        order=Order(
            purpose=q.purpose,
            tariff_id=q.tariff.id,
            location_id=q.location.id,
            price=q.price,
            subscription_id=q.subscription.id if q.subscription else None,
            promo_code_id=q.promo.id if q.promo else None,
            stars_price=q.tariff.stars_price if q.discount == 0 else None,
        ),
    )
    if q.promo is not None:
        # Reserve the code's use now; it is given back if the invoice expires unpaid.
        await promo_service.take_use(session, q.promo.id, user, payment=payment, amount=q.discount)
    log.info(
        "purchase_awaits_payment",
        user_id=str(user.id),
        payment_id=str(payment.id),
        price=str(q.price),
        missing=str(missing),
        method=method.value,
    )
    return PurchaseResult(
        status="payment_required",
        price=q.price,
        discount=q.discount,
        balance=user.balance,
        missing=missing,
        payment=PaymentRead.model_validate(payment),
    )
