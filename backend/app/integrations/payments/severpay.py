"""SeverPay (severpay.io): RUB pay-in links; `mid` + `salt` + HMAC `sign` travel in every JSON body."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
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
    json_body,
    load_json_object,
    send,
    signature_matches,
)
from app.models.enums import PaymentMethod

NAME = "severpay"
_STATUSES = {
    "new": InvoiceStatus.pending,
    "process": InvoiceStatus.pending,
    "success": InvoiceStatus.paid,
    "decline": InvoiceStatus.failed,
    "fail": InvoiceStatus.failed,
}
# Link lifetime in minutes accepted by /payin/create.
_MIN_LIFETIME, _MAX_LIFETIME = 30, 4320


def hmac_hex(token: str, message: str) -> str:
    """Hex HMAC-SHA256 keyed with the token itself (no pre-hash, unlike Crypto Pay)."""
    return hmac.new(token.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical_request(params: Mapping[str, Any]) -> str:
    """Top-level keys sorted, compact, unescaped unicode and slashes (PHP ksort + json_encode flags)."""
    return json.dumps(dict(sorted(params.items())), ensure_ascii=False, separators=(",", ":"))


def signed_request_body(params: Mapping[str, Any], token: str) -> bytes:
    """The exact bytes to POST: the signed canonical JSON with `"sign"` appended."""
    canonical = canonical_request(params)
    sign = hmac_hex(token, canonical)
    return (canonical[:-1] + f',"sign":"{sign}"}}').encode("utf-8")


def webhook_candidates(body: Mapping[str, Any]) -> list[str]:
    """Serialisations SeverPay may have signed (see the spec: implementations disagree on order)."""
    php_default = json.dumps(body, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
    unescaped = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    top_sorted = json.dumps(dict(sorted(body.items())), ensure_ascii=False, separators=(",", ":"))
    return list(dict.fromkeys([php_default, unescaped, top_sorted]))


def webhook_signature_valid(raw: bytes, token: str) -> bool:
    """Drop `sign` from the received object (order kept) and accept any known serialisation."""
    try:
        body = load_json_object(raw)
    except ValueError:
        return False
    received = body.pop("sign", None)
    if not isinstance(received, str):
        return False
    valid = False
    for candidate in webhook_candidates(body):
        # Every candidate is compared (no early exit), each in constant time.
        valid |= signature_matches(hmac_hex(token, candidate), received)
    return valid


class SeverPayClient:
    """POSTs signed JSON to `<base>/payin/create` and `<base>/payin/get`."""

    method = PaymentMethod.severpay
    signature_header: str | None = None

    def __init__(self, base_url: str, mid: int, token: str, http: httpx.AsyncClient) -> None:
        self._base = base_url.rstrip("/")
        self._mid = mid
        self._token = token
        self._http = http

    async def call(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """Sign and POST; unwrap `{"status": true, "data": {...}}`."""
        body = signed_request_body({**params, "mid": self._mid, "salt": secrets.token_hex(8)}, self._token)
        resp = await send(
            NAME,
            self._http,
            "POST",
            f"{self._base}{path}",
            content=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        data = json_body(NAME, resp)
        if data.get("status") is True and resp.is_success and isinstance(data.get("data"), dict):
            result: dict[str, Any] = data["data"]
            return result
        raise ProviderRejected(
            NAME, f"{path} failed: {data.get('msg') or 'unknown error'} (HTTP {resp.status_code})"
        )

    async def create_invoice(self, request: InvoiceRequest) -> Invoice:
        """/payin/create: a payment link for `amount_rub` RUB."""
        customer = request.customer_id or request.order_id
        params: dict[str, Any] = {
            "order_id": request.order_id,
            # A JSON number in rubles, as the API documents (199.0, 150.5).
            "amount": float(request.amount_rub),
            "currency": "RUB",
            "client_id": customer,
            "client_email": request.customer_email or f"{customer}@telegram.org",
            "lifetime": max(_MIN_LIFETIME, min(request.ttl_seconds // 60, _MAX_LIFETIME)),
        }
        if request.return_url:
            params["url_return"] = request.return_url
        data = await self.call("/payin/create", params)
        if "id" not in data or not data.get("url"):
            raise ProviderRejected(NAME, "/payin/create answered without id or url")
        return Invoice(
            provider_payment_id=str(data["id"]),
            status=InvoiceStatus.pending,
            amount=request.amount_rub,
            currency="RUB",
            pay_url=str(data["url"]),
            order_id=request.order_id,
            raw=data,
        )

    async def get_invoices(self, provider_payment_ids: list[str]) -> dict[str, Invoice]:
        """/payin/get for each id."""

        async def one(payment_id: str) -> Invoice | None:
            try:
                data = await self.call("/payin/get", {"id": int(payment_id)})
            except ProviderRejected:
                return None
            return self._invoice(data)

        results = await asyncio.gather(*(one(i) for i in provider_payment_ids))
        return {inv.provider_payment_id: inv for inv in results if inv is not None}

    @staticmethod
    def _invoice(data: Mapping[str, Any]) -> Invoice:
        return Invoice(
            provider_payment_id=str(data.get("id")),
            status=_STATUSES.get(str(data.get("status")), InvoiceStatus.pending),
            amount=decimal_or_none(data.get("amount")) or Decimal("0"),
            currency=str(data.get("currency") or ""),
            order_id=str(data["order_id"]) if data.get("order_id") is not None else None,
            raw=dict(data),
        )

    def verify_webhook(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """The `sign` field in the body (HMAC-SHA256 with the token over the body without `sign`)."""
        return webhook_signature_valid(raw, self._token)

    def parse_webhook(self, raw: bytes) -> WebhookNotice:
        """`payin` status changes and the `test` ping."""
        body = json.loads(raw, parse_float=Decimal)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise ValueError("body without data")
        data = body["data"]
        if body.get("type") == "test":
            return WebhookNotice(
                event_key=f"test:{data.get('timestamp')}:{body.get('salt')}",
                provider_payment_id=None,
                order_id=None,
                status=None,
                amount=None,
                currency=None,
                is_test=True,
            )
        if body.get("type") != "payin" or "id" not in data:
            raise ValueError(f"unsupported webhook type {body.get('type')!r}")
        invoice = self._invoice(data)
        # One webhook per status change (plus retries): the payment and its status identify the event.
        return WebhookNotice(
            event_key=f"payin:{invoice.provider_payment_id}:{data.get('status')}",
            provider_payment_id=invoice.provider_payment_id,
            order_id=invoice.order_id,
            status=invoice.status,
            amount=invoice.amount,
            currency=invoice.currency,
        )
