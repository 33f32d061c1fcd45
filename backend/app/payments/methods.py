"""Which methods a customer may pay with now, and the top-up limits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.billing import settings_keys as keys
from app.config import Settings
from app.kit.money import format_rub, to_money
from app.models.enums import PaymentMethod
from app.payments.errors import AmountOutOfRange, PaymentMethodUnavailable
from app.payments.providers import PROVIDER_METHODS, is_configured, is_sandbox
from app.payments.schemas import PaymentMethodRead
from app.shop_settings.registry import get_values

TITLES = {
    PaymentMethod.severpay: "Карта / СБП",
    PaymentMethod.cryptopay: "Криптовалюта (CryptoBot)",
    PaymentMethod.xrocket: "Криптовалюта (xRocket)",
    PaymentMethod.stars: "Telegram Stars ⭐",
}


@dataclass(frozen=True)
class PaymentConfig:
    """The money settings one request or job works with (read once)."""

    topup_min: Decimal
    topup_max: Decimal
    invoice_ttl_minutes: int
    enabled: dict[PaymentMethod, bool]
    cryptopay_assets: str
    xrocket_asset: str
    xrocket_rate: Decimal
    stars_rate: Decimal


async def load_config(session: AsyncSession, settings: Settings) -> PaymentConfig:
    """Read the payment settings in one query; unset limits fall back to the environment."""
    enabled_defs = list(keys.METHOD_ENABLED.values())
    values = await get_values(
        session,
        [
            keys.TOPUP_MIN,
            keys.TOPUP_MAX,
            keys.INVOICE_TTL_MINUTES,
            keys.CRYPTOPAY_ASSETS,
            keys.XROCKET_ASSET,
            keys.XROCKET_RUB_RATE,
            keys.STARS_RUB_RATE,
            *enabled_defs,
        ],
    )
    minimum = values[keys.TOPUP_MIN.key]
    maximum = values[keys.TOPUP_MAX.key]
    return PaymentConfig(
        topup_min=to_money(minimum if minimum is not None else settings.topup_min_amount),
        topup_max=to_money(maximum if maximum is not None else settings.topup_max_amount),
        invoice_ttl_minutes=values[keys.INVOICE_TTL_MINUTES.key],
        enabled={m: values[d.key] for m, d in keys.METHOD_ENABLED.items()},
        cryptopay_assets=values[keys.CRYPTOPAY_ASSETS.key],
        xrocket_asset=values[keys.XROCKET_ASSET.key],
        xrocket_rate=values[keys.XROCKET_RUB_RATE.key],
        stars_rate=values[keys.STARS_RUB_RATE.key],
    )


def method_available(settings: Settings, config: PaymentConfig, method: PaymentMethod) -> bool:
    """Configured in the environment and switched on in the shop settings."""
    return (
        method in PROVIDER_METHODS and is_configured(settings, method) and config.enabled.get(method, False)
    )


def require_method(settings: Settings, config: PaymentConfig, method: PaymentMethod) -> None:
    """Raise PaymentMethodUnavailable unless the method can be used."""
    if not method_available(settings, config, method):
        raise PaymentMethodUnavailable(f"Payment method {method.value} is not available")


def check_topup_amount(config: PaymentConfig, amount: Decimal) -> None:
    """A top-up must be within the shop's limits."""
    if amount < config.topup_min:
        raise AmountOutOfRange(f"The smallest top-up is {format_rub(config.topup_min)}")
    if amount > config.topup_max:
        raise AmountOutOfRange(f"The largest top-up is {format_rub(config.topup_max)}")


def describe_methods(settings: Settings, config: PaymentConfig) -> list[PaymentMethodRead]:
    """The methods on offer, in a fixed order."""
    result = []
    for method in PROVIDER_METHODS:
        if not method_available(settings, config, method):
            continue
        currency, rate = "RUB", None
        if method is PaymentMethod.cryptopay:
            currency = config.cryptopay_assets
        elif method is PaymentMethod.xrocket:
            currency, rate = config.xrocket_asset, config.xrocket_rate
        elif method is PaymentMethod.stars:
            currency, rate = "XTR", config.stars_rate
        result.append(
            PaymentMethodRead(
                method=method,
                title=TITLES[method],
                currency=currency,
                min_amount=config.topup_min,
                max_amount=config.topup_max,
                rub_rate=rate,
                sandbox=is_sandbox(settings, method),
            )
        )
    return result
