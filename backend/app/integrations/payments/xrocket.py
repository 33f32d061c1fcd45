"""xRocket Pay (`/tg-invoices` API, Rocket-Pay-Key): invoices in a crypto asset; signed webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx

from app.integrations.payments.base import (
    Invoice,
    InvoiceRequest,
    InvoiceStatus,
    ProviderRejected,
    WebhookNotice,
    decimal_or_none,
    invoice_notice,
    json_body,
    load_json_object,
    send,
    signature_matches,
    token_hash_signature,
)
from app.models.enums import PaymentMethod

NAME = "xrocket"
TESTNET_HOSTS = ("dev-pay.ton-rocket.com",)
_STATUSES = {"active": InvoiceStatus.pending, "paid": InvoiceStatus.paid, "expired": InvoiceStatus.expired}
_MAX_EXPIRED_IN = 86_400


class XRocketPayClient:
    """Calls the xRocket Pay API v1 with the Rocket-Pay-Key header."""

    method = PaymentMethod.xrocket
    signature_header: str | None = "rocket-pay-signature"

    def __init__(self, base_url: str, key: str, http: httpx.AsyncClient) -> None:
        self._base = base_url.rstrip("/")
        self._key = key
        self._http = http

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        resp = await send(
            NAME,
            self._http,
            method,
            f"{self._base}{path}",
            json=body,
            headers={"Rocket-Pay-Key": self._key},
        )
        data = json_body(NAME, resp)
        if data.get("success") is True and resp.is_success:
            return data.get("data")
        message = data.get("message") or "unknown error"
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            message += ": " + "; ".join(
                f"{e.get('property')} {e.get('error')}" for e in errors if isinstance(e, dict)
            )
        raise ProviderRejected(NAME, f"{method} {path} failed: {message} (HTTP {resp.status_code})")

    async def create_invoice(self, request: InvoiceRequest) -> Invoice:
        """POST /tg-invoices for one payment of `provider_amount` `provider_currency`."""
        if request.provider_amount is None or not request.provider_currency:
            raise ProviderRejected(NAME, "an xRocket invoice needs the amount in its asset")
        body: dict[str, Any] = {
            # JSON number: xRocket keeps up to 9 decimals.
            "amount": float(request.provider_amount),
            "numPayments": 1,
            "currency": request.provider_currency,
            "description": request.description[:1000],
            "payload": request.order_id,
            "expiredIn": max(1, min(request.ttl_seconds, _MAX_EXPIRED_IN)),
            "commentsEnabled": False,
        }
        if request.return_url:
            body["callbackUrl"] = request.return_url
        return self._invoice(await self._request("POST", "/tg-invoices", body))

    async def get_invoices(self, provider_payment_ids: list[str]) -> dict[str, Invoice]:
        """GET /tg-invoices/{id} for each id (the API has no batch read by id)."""

        async def one(invoice_id: str) -> Invoice | None:
            try:
                return self._invoice(await self._request("GET", f"/tg-invoices/{int(invoice_id)}"))
            except ProviderRejected:
                return None

        results = await asyncio.gather(*(one(i) for i in provider_payment_ids))
        return {inv.provider_payment_id: inv for inv in results if inv is not None}

    def _invoice(self, data: Any) -> Invoice:
        if not isinstance(data, dict) or "id" not in data:
            raise ProviderRejected(NAME, "answer without an invoice")
        return Invoice(
            provider_payment_id=str(data["id"]),
            status=_STATUSES.get(str(data.get("status")), InvoiceStatus.pending),
            amount=decimal_or_none(data.get("amount")) or Decimal("0"),
            currency=str(data.get("currency") or ""),
            pay_url=str(data["link"]) if data.get("link") else None,
            order_id=str(data["payload"]) if data.get("payload") is not None else None,
            raw=data,
        )

    def verify_webhook(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """Same construction as Crypto Pay, in the rocket-pay-signature header."""
        return signature_matches(token_hash_signature(self._key, raw), headers.get("rocket-pay-signature"))

    def parse_webhook(self, raw: bytes) -> WebhookNotice:
        """An `invoicePay` notification with the invoice in `data`."""
        body = load_json_object(raw)
        if body.get("type") != "invoicePay" or not isinstance(body.get("data"), dict):
            raise ValueError(f"unsupported webhook type {body.get('type')!r}")
        invoice = self._invoice(body["data"])
        return invoice_notice(invoice)
