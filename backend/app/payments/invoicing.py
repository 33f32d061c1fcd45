"""Provider invoices: convert the RUB amount, ask the provider for a pay URL, record the payment."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_UP, Decimal

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.integrations.payments.base import InvoiceRequest, ProviderRejected, ProviderUnavailable
from app.integrations.payments.stars import MAX_STARS
from app.kit.money import format_rub, to_money
from app.kit.time import utcnow
from app.metrics import PAYMENTS
from app.models import Payment, User
from app.models.enums import PaymentMethod, PaymentPurpose, PaymentStatus
from app.payments.alerts import alert_now
from app.payments.errors import AmountOutOfRange, PaymentProviderUnavailable
from app.payments.methods import PaymentConfig, require_method
from app.payments.providers import build_provider, is_sandbox

log = structlog.get_logger(__name__)
CRYPTO_QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class Order:
    """What a purchase payment buys, quoted when the invoice is made."""

    purpose: PaymentPurpose
    tariff_id: uuid.UUID
    location_id: uuid.UUID
    price: Decimal
    subscription_id: uuid.UUID | None = None
    promo_code_id: uuid.UUID | None = None
    stars_price: int | None = None


def crypto_amount(amount_rub: Decimal, rub_per_unit: Decimal) -> Decimal:
    """RUB converted to an asset, rounded up to 6 decimals so the shop never receives less."""
    return (amount_rub / rub_per_unit).quantize(CRYPTO_QUANTUM, rounding=ROUND_UP)


def stars_for(amount_rub: Decimal, rub_per_star: Decimal) -> int:
    """Whole Stars covering a RUB amount (rounded up)."""
    return max(1, math.ceil(amount_rub / rub_per_star))


def _provider_amount(
    method: PaymentMethod, amount: Decimal, config: PaymentConfig, order: Order | None
) -> tuple[Decimal | None, str | None, Decimal | None]:
    """(amount billed by the provider, its currency, RUB per unit) for methods that do not bill RUB."""
    if method is PaymentMethod.xrocket:
        return crypto_amount(amount, config.xrocket_rate), config.xrocket_asset, config.xrocket_rate
    if method is PaymentMethod.stars:
        # A plan's own Stars price applies when the whole price is paid in Stars.
        if order is not None and order.stars_price and amount == order.price:
            stars = order.stars_price
        else:
            stars = stars_for(amount, config.stars_rate)
        if stars > MAX_STARS:
            raise AmountOutOfRange(f"Telegram Stars payments are limited to {MAX_STARS} Stars")
        return Decimal(stars), "XTR", (amount / Decimal(stars)).quantize(CRYPTO_QUANTUM)
    return None, None, None


async def create_provider_payment(
    session: AsyncSession,
    settings: Settings,
    http: httpx.AsyncClient,
    config: PaymentConfig,
    user: User,
    *,
    method: PaymentMethod,
    amount: Decimal,
    description: str,
    order: Order | None = None,
) -> Payment:
    """Create the provider invoice first (no lock held meanwhile), then record the pending payment."""
    require_method(settings, config, method)
    amount = to_money(amount)
    provider_amount, provider_currency, rate = _provider_amount(method, amount, config, order)
    payment_id = uuid.uuid4()
    ttl = timedelta(minutes=config.invoice_ttl_minutes)
    request = InvoiceRequest(
        order_id=str(payment_id),
        amount_rub=amount,
        description=description,
        ttl_seconds=int(ttl.total_seconds()),
        provider_amount=provider_amount,
        provider_currency=provider_currency,
        customer_id=str(user.telegram_id),
        customer_email=f"{user.telegram_id}@telegram.org",
        return_url=f"https://t.me/{settings.telegram_bot_username}"
        if settings.telegram_bot_username
        else None,
        accepted_assets=config.cryptopay_assets if method is PaymentMethod.cryptopay else None,
    )
    provider = build_provider(settings, method, http)
    try:
        invoice = await provider.create_invoice(request)
    except (ProviderUnavailable, ProviderRejected) as exc:
        PAYMENTS.labels(method.value, "create_failed").inc()
        log.error(
            "payment_create_failed",
            method=method.value,
            error=exc.message,
            retryable=isinstance(exc, ProviderUnavailable),
        )
        await alert_now(
            "alert_provider_error", f"provider:{method.value}", provider=method.value, error=exc.message
        )
        raise PaymentProviderUnavailable() from exc
    payment = Payment(
        id=payment_id,
        user_id=user.id,
        amount=amount,
        currency="RUB",
        status=PaymentStatus.pending,
        method=method,
        purpose=order.purpose if order else PaymentPurpose.topup,
        provider_payment_id=invoice.provider_payment_id or None,
        pay_url=invoice.pay_url,
        provider_amount=provider_amount,
        provider_currency=provider_currency,
        exchange_rate=rate,
        tariff_id=order.tariff_id if order else None,
        location_id=order.location_id if order else None,
        subscription_id=order.subscription_id if order else None,
        promo_code_id=order.promo_code_id if order else None,
        order_price=order.price if order else None,
        description=description,
        raw_payload={"invoice": invoice.raw} if invoice.raw else None,
        is_sandbox=is_sandbox(settings, method),
        expires_at=utcnow() + ttl,
    )
    session.add(payment)
    await session.flush()
    PAYMENTS.labels(method.value, "created").inc()
    log.info(
        "payment_created",
        payment_id=str(payment.id),
        user_id=str(user.id),
        method=method.value,
        purpose=payment.purpose.value,
        amount=str(amount),
        provider_payment_id=payment.provider_payment_id,
    )
    return payment


def topup_description(settings: Settings, amount: Decimal) -> str:
    """What the payer sees on the provider's page for a top-up."""
    return f"Пополнение баланса {settings.shop_name} на {format_rub(amount)}"
