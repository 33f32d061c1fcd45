"""Numbers and dates as a customer reads them: roubles with ₽, dates day first."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

_CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "XTR": "⭐️"}
_NARROW_NBSP = "\u202f"


def money(amount: Decimal, locale: str, currency: str = "RUB") -> str:
    """`1 290 ₽`, `49,50 ₽` (ru) or `1,290 ₽`, `49.50 ₽` (en): kopecks only when there are some."""
    value = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole = value == value.to_integral_value()
    number = f"{value:,.0f}" if whole else f"{value:,.2f}"
    if locale == "ru":
        number = number.replace(",", _NARROW_NBSP).replace(".", ",")
    return f"{number} {_CURRENCY_SIGNS.get(currency, currency)}"


def date(moment: datetime) -> str:
    """`31.12.2026`."""
    return moment.strftime("%d.%m.%Y")


def monthly_price(price: Decimal, duration_days: int) -> Decimal:
    """What a plan costs per 30 days, to compare plans of different length."""
    return (price * 30 / duration_days).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
