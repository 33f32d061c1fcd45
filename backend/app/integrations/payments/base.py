"""What every payment provider adapter offers, the shapes it returns and the errors it raises."""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, runtime_checkable

import httpx

from app.models.enums import PaymentMethod


class PaymentProviderError(Exception):
    """Any failure talking to a provider."""

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.message = message


class ProviderUnavailable(PaymentProviderError):
    """Network error, timeout or 5xx: the same call may succeed later (retry)."""


class ProviderRejected(PaymentProviderError):
    """The provider refused the call (bad credentials, bad parameters): retrying will not help."""


class InvoiceStatus(enum.StrEnum):
    """A provider invoice's state, in our words."""

    pending = "pending"
    paid = "paid"
    expired = "expired"
    failed = "failed"


@dataclass(frozen=True)
class InvoiceRequest:
    """What to bill: our payment id, the RUB amount and, for crypto/Stars, the converted amount."""

    order_id: str
    amount_rub: Decimal
    description: str
    ttl_seconds: int
    # Set by the payments service when the provider bills in another unit (xRocket asset, Stars).
    provider_amount: Decimal | None = None
    provider_currency: str | None = None
    customer_id: str | None = None
    customer_email: str | None = None
    return_url: str | None = None
    accepted_assets: str | None = None


@dataclass(frozen=True)
class Invoice:
    """A provider invoice as read back: its id, where to pay, its state and what it bills."""

    provider_payment_id: str
    status: InvoiceStatus
    amount: Decimal
    currency: str
    pay_url: str | None = None
    order_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookNotice:
    """A verified provider notification, reduced to what crediting needs."""

    event_key: str
    provider_payment_id: str | None
    order_id: str | None
    status: InvoiceStatus | None
    amount: Decimal | None
    currency: str | None
    is_test: bool = False


def invoice_notice(invoice: Invoice) -> WebhookNotice:
    """The notice of a webhook that carries a whole invoice: the invoice and its status name the event."""
    return WebhookNotice(
        event_key=f"invoice:{invoice.provider_payment_id}:{invoice.status.value}",
        provider_payment_id=invoice.provider_payment_id,
        order_id=invoice.order_id,
        status=invoice.status,
        amount=invoice.amount,
        currency=invoice.currency,
    )


@runtime_checkable
class PaymentProvider(Protocol):
    """An adapter for one provider: create an invoice and read it back."""

    method: PaymentMethod

    async def create_invoice(self, request: InvoiceRequest) -> Invoice:
        """Create an invoice; the result carries the provider id and the pay URL."""
        ...

    async def get_invoices(self, provider_payment_ids: list[str]) -> dict[str, Invoice]:
        """Read the current state of invoices by provider id (missing ids are left out)."""
        ...


@runtime_checkable
class WebhookProvider(PaymentProvider, Protocol):
    """A provider that notifies us with signed webhooks."""

    signature_header: str | None

    def verify_webhook(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """True when the raw body carries a valid signature (constant-time compare)."""
        ...

    def parse_webhook(self, raw: bytes) -> WebhookNotice:
        """The notice in a verified body; raises ValueError when the body is not understood."""
        ...


def token_hash_signature(token: str, raw: bytes) -> str:
    """Crypto Pay and xRocket: hex HMAC-SHA256 of the raw body keyed with SHA-256(token)."""
    secret = hashlib.sha256(token.encode("utf-8")).digest()
    return hmac.new(secret, raw, hashlib.sha256).hexdigest()


def signature_matches(expected: str, received: str | None) -> bool:
    """Constant-time comparison of hex signatures (case-insensitive, surrounding space ignored)."""
    if not received:
        return False
    return hmac.compare_digest(expected.encode("ascii"), received.strip().lower().encode("ascii", "replace"))


def decimal_or_none(value: Any) -> Decimal | None:
    """A JSON number or decimal string as Decimal (numbers through their shortest repr)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def load_json_object(raw: bytes) -> dict[str, Any]:
    """Parse a JSON object body; ValueError for anything else."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("body is not JSON") from exc
    if not isinstance(body, dict):
        raise ValueError("body is not a JSON object")
    return body


async def send(
    provider: str, http: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """One HTTP call, with transport failures and 5xx turned into ProviderUnavailable."""
    try:
        resp = await http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(provider, f"{type(exc).__name__} calling {method} {url}") from exc
    if resp.status_code >= 500 or resp.status_code == 429:
        raise ProviderUnavailable(provider, f"HTTP {resp.status_code}")
    return resp


def json_body(provider: str, resp: httpx.Response) -> dict[str, Any]:
    """The response's JSON object; a non-JSON answer is a provider outage, not our mistake."""
    try:
        body = resp.json()
    except ValueError:
        raise ProviderUnavailable(provider, f"HTTP {resp.status_code} without a JSON body") from None
    if not isinstance(body, dict):
        raise ProviderUnavailable(provider, "unexpected JSON answer")
    return body
