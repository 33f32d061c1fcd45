"""Money settings the shop owner edits in the admin panel (stored in `settings`, defaults here).

Top-up limits left unset fall back to TOPUP_MIN_AMOUNT / TOPUP_MAX_AMOUNT from the environment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from app.models.enums import PaymentMethod
from app.shop_settings.registry import SettingDef, define

Rub = Annotated[Decimal, Field(ge=0, le=Decimal("10000000"), decimal_places=2)]
Rate = Annotated[Decimal, Field(gt=0, le=Decimal("100000000"))]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]

TOPUP_MIN: SettingDef[Decimal | None] = define(
    "payments.topup_min",
    Rub | None,
    None,
    "Smallest top-up in RUB (empty: TOPUP_MIN_AMOUNT from the environment)",
    group="payments",
    public=True,
)
TOPUP_MAX: SettingDef[Decimal | None] = define(
    "payments.topup_max",
    Rub | None,
    None,
    "Largest top-up in RUB (empty: TOPUP_MAX_AMOUNT from the environment)",
    group="payments",
    public=True,
)
INVOICE_TTL_MINUTES: SettingDef[int] = define(
    "payments.invoice_ttl_minutes",
    Annotated[int, Field(ge=30, le=1440)],
    60,
    "How long a provider invoice can be paid, in minutes",
    group="payments",
)
METHOD_ENABLED: dict[PaymentMethod, SettingDef[bool]] = {
    method: define(
        f"payments.{method.value}.enabled",
        bool,
        True,
        f"Offer {title} to customers (when its keys are configured)",
        group="payments",
    )
    for method, title in (
        (PaymentMethod.severpay, "Sever Pay (cards, SBP)"),
        (PaymentMethod.cryptopay, "Crypto Pay (@CryptoBot)"),
        (PaymentMethod.xrocket, "xRocket Pay"),
        (PaymentMethod.stars, "Telegram Stars"),
    )
}
CRYPTOPAY_ASSETS: SettingDef[str] = define(
    "payments.cryptopay.accepted_assets",
    Annotated[str, Field(pattern=r"^[A-Z]{2,6}(,[A-Z]{2,6})*$")],
    "USDT,TON,BTC,ETH,LTC,TRX,USDC",
    "Crypto assets a Crypto Pay invoice accepts (comma-separated)",
    group="payments",
)
XROCKET_ASSET: SettingDef[str] = define(
    "payments.xrocket.asset",
    Annotated[str, Field(pattern=r"^[A-Z]{2,10}$")],
    "USDT",
    "The xRocket asset invoices are issued in (USDT, TONCOIN, ...)",
    group="payments",
)
XROCKET_RUB_RATE: SettingDef[Decimal] = define(
    "payments.xrocket.rub_per_unit",
    Rate,
    Decimal("95"),
    "RUB for one unit of the xRocket asset (refreshed from Crypto Pay when auto-refresh is on)",
    group="payments",
)
XROCKET_RATE_AUTO: SettingDef[bool] = define(
    "payments.xrocket.rate_auto_refresh",
    bool,
    False,
    "Refresh the xRocket rate every 10 minutes from Crypto Pay's exchange rates",
    group="payments",
)
XROCKET_RATE_MARKUP: SettingDef[Decimal] = define(
    "payments.xrocket.rate_markup_percent",
    Annotated[Decimal, Field(ge=-50, le=50, decimal_places=2)],
    Decimal("0"),
    "Added to the refreshed rate to cover price moves and fees (percent)",
    group="payments",
)
STARS_RUB_RATE: SettingDef[Decimal] = define(
    "payments.stars.rub_per_star",
    Rate,
    Decimal("1.50"),
    "RUB credited per Telegram Star (used when a plan has no Stars price)",
    group="payments",
    public=True,
)
REFERRAL_PERCENT: SettingDef[Decimal] = define(
    "referral.percent",
    Percent,
    Decimal("10"),
    "Inviter's share of every top-up of an invited customer (percent, 0 = off)",
    group="referral",
    public=True,
)
REFERRAL_FIRST_PAYMENT_BONUS: SettingDef[Decimal] = define(
    "referral.inviter_first_payment_bonus",
    Rub,
    Decimal("0"),
    "Fixed RUB bonus to the inviter when an invited customer pays for the first time",
    group="referral",
    public=True,
)
REFERRAL_INVITED_BONUS: SettingDef[Decimal] = define(
    "referral.invited_bonus",
    Rub,
    Decimal("0"),
    "Fixed RUB bonus to the invited customer on their first payment",
    group="referral",
    public=True,
)
