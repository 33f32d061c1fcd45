"""Telegram Stars (XTR) through the Bot API: invoice links and refunds; payments arrive via the bot."""

from __future__ import annotations

from decimal import Decimal

from app.integrations.payments.base import (
    Invoice,
    InvoiceRequest,
    InvoiceStatus,
    ProviderRejected,
    ProviderUnavailable,
)
from app.integrations.telegram.client import BotApiClient
from app.integrations.telegram.errors import (
    TelegramBadRequest,
    TelegramError,
    TelegramRetryAfter,
    TelegramUnavailable,
)
from app.models.enums import PaymentMethod

NAME = "stars"
CURRENCY = "XTR"
# Telegram refuses a Stars invoice above this many Stars.
MAX_STARS = 10_000
_TITLE_MAX = 32


def _translate(exc: TelegramError) -> Exception:
    if isinstance(exc, TelegramUnavailable | TelegramRetryAfter):
        return ProviderUnavailable(NAME, str(exc))
    return ProviderRejected(NAME, str(exc))


class StarsClient:
    """Creates XTR invoice links and refunds Star payments with the shop bot's token."""

    method = PaymentMethod.stars

    def __init__(self, bot: BotApiClient) -> None:
        self._bot = bot

    async def create_invoice(self, request: InvoiceRequest) -> Invoice:
        """createInvoiceLink for `provider_amount` Stars; the payload is our payment id."""
        if request.provider_amount is None:
            raise ProviderRejected(NAME, "a Stars invoice needs its amount in Stars")
        stars = int(request.provider_amount)
        if stars != request.provider_amount or not 1 <= stars <= MAX_STARS:
            raise ProviderRejected(NAME, f"a Stars invoice is 1..{MAX_STARS} whole Stars, not {stars}")
        title = (
            request.description if len(request.description) <= _TITLE_MAX else request.description[:31] + "…"
        )
        try:
            link = await self._bot.create_invoice_link(
                title=title, description=request.description[:255], payload=request.order_id, stars=stars
            )
        except TelegramError as exc:
            raise _translate(exc) from exc
        return Invoice(
            provider_payment_id="",
            status=InvoiceStatus.pending,
            amount=Decimal(stars),
            currency=CURRENCY,
            pay_url=link,
            order_id=request.order_id,
        )

    async def get_invoices(self, provider_payment_ids: list[str]) -> dict[str, Invoice]:
        """Stars invoices cannot be read back: the bot reports payments as they happen."""
        return {}

    async def refund(self, telegram_user_id: int, charge_id: str) -> None:
        """refundStarPayment: the Stars go back to the customer."""
        try:
            await self._bot.refund_star_payment(telegram_user_id, charge_id)
        except TelegramBadRequest as exc:
            raise ProviderRejected(NAME, str(exc)) from exc
        except TelegramError as exc:
            raise _translate(exc) from exc
