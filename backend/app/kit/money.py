"""Money: Decimal only, rounded to kopecks with banker-free half-up rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator

KOPECK = Decimal("0.01")


def to_money(value: Decimal | int | str | float) -> Decimal:
    """Parse an amount (string, int, Decimal; floats through their shortest repr) and round to kopecks."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


def format_rub(amount: Decimal) -> str:
    """`1234.50` -> `1 234.50 ₽` for messages."""
    q = to_money(amount)
    whole, _, frac = f"{q:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = " ".join(groups) or "0"
    return f"{sign}{text}.{frac} ₽" if frac != "00" else f"{sign}{text} ₽"


# A RUB amount in an API body, always with kopecks ("0.00", not "0"): sums from SQL lose the scale.
Money = Annotated[Decimal, AfterValidator(to_money)]
