"""Crypto Pay API (@CryptoBot): fiat-priced RUB invoices paid in crypto; webhooks signed with the token."""

from __future__ import annotations

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

NAME = "cryptopay"
TESTNET_HOSTS = ("testnet-pay.crypt.bot",)
_STATUSES = {"active": InvoiceStatus.pending, "paid": InvoiceStatus.paid, "expired": InvoiceStatus.expired}
# Crypto Pay caps expires_in at 31 days; our invoices live far shorter anyway.
_MAX_EXPIRES_IN = 2_678_400


class CryptoPayClient:
    """Calls `<base>/api/<method>` with the Crypto-Pay-API-Token header."""

    method = PaymentMethod.cryptopay
    signature_header: str | None = "crypto-pay-api-signature"

    def __init__(self, base_url: str, token: str, http: httpx.AsyncClient) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._http = http

    async def call(self, api_method: str, params: dict[str, Any] | None = None) -> Any:
        """POST a method with a JSON body and unwrap `{"ok": true, "result": ...}`."""
        resp = await send(
            NAME,
            self._http,
            "POST",
            f"{self._base}/api/{api_method}",
            json=params or {},
            headers={"Crypto-Pay-API-Token": self._token},
        )
        body = json_body(NAME, resp)
        if body.get("ok") is True:
            return body.get("result")
        error = body.get("error") or {}
        name = error.get("name") if isinstance(error, dict) else str(error)
        raise ProviderRejected(
            NAME, f"{api_method} failed: {name or 'unknown error'} (HTTP {resp.status_code})"
        )

    async def create_invoice(self, request: InvoiceRequest) -> Invoice:
        """createInvoice priced in RUB (currency_type=fiat) with the accepted crypto assets."""
        params: dict[str, Any] = {
            "currency_type": "fiat",
            "fiat": "RUB",
            "amount": f"{request.amount_rub:.2f}",
            "description": request.description[:1024],
            "payload": request.order_id,
            "expires_in": max(1, min(request.ttl_seconds, _MAX_EXPIRES_IN)),
            "allow_comments": False,
        }
        if request.accepted_assets:
            params["accepted_assets"] = request.accepted_assets
        if request.return_url:
            params["paid_btn_name"] = "openBot"
            params["paid_btn_url"] = request.return_url
        result = await self.call("createInvoice", params)
        return self._invoice(result)

    async def get_invoices(self, provider_payment_ids: list[str]) -> dict[str, Invoice]:
        """getInvoices by id (answers `{"items": [...]}`)."""
        if not provider_payment_ids:
            return {}
        result = await self.call(
            "getInvoices", {"invoice_ids": ",".join(provider_payment_ids), "count": len(provider_payment_ids)}
        )
        items = result.get("items", []) if isinstance(result, dict) else []
        invoices = [self._invoice(item) for item in items]
        return {inv.provider_payment_id: inv for inv in invoices}

    async def exchange_rates(self) -> list[dict[str, Any]]:
        """getExchangeRates: `[{"source": "USDT", "target": "RUB", "rate": "95.1", "is_valid": true}, ...]`."""
        result = await self.call("getExchangeRates")
        return [r for r in result if isinstance(r, dict)] if isinstance(result, list) else []

    def _invoice(self, data: Any) -> Invoice:
        if not isinstance(data, dict) or "invoice_id" not in data:
            raise ProviderRejected(NAME, "answer without an invoice")
        amount = decimal_or_none(data.get("amount")) or Decimal("0")
        currency = str(data.get("fiat") if data.get("currency_type") == "fiat" else data.get("asset") or "")
        pay_url = data.get("bot_invoice_url") or data.get("mini_app_invoice_url") or data.get("pay_url")
        return Invoice(
            provider_payment_id=str(data["invoice_id"]),
            status=_STATUSES.get(str(data.get("status")), InvoiceStatus.pending),
            amount=amount,
            currency=currency,
            pay_url=str(pay_url) if pay_url else None,
            order_id=str(data["payload"]) if data.get("payload") is not None else None,
            raw=data,
        )

    def verify_webhook(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """HMAC-SHA256 of the raw body with SHA-256(token) as key, hex, in crypto-pay-api-signature."""
        return signature_matches(
            token_hash_signature(self._token, raw), headers.get("crypto-pay-api-signature")
        )

    def parse_webhook(self, raw: bytes) -> WebhookNotice:
        """An `invoice_paid` update: the Invoice object sits directly in `payload`."""
        body = load_json_object(raw)
        if body.get("update_type") != "invoice_paid" or not isinstance(body.get("payload"), dict):
            raise ValueError(f"unsupported update_type {body.get('update_type')!r}")
        invoice = self._invoice(body["payload"])
        # update_id is documented as non-unique: the invoice and its status identify the event.
        return invoice_notice(invoice)
