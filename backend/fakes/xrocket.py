"""A local xRocket Pay API (v1 `/tg-invoices`, header Rocket-Pay-Key) with signed `invoicePay` webhooks.

Envelopes: `{"success": true, "data": ...}` / `{"success": false, "message": "...", "errors": [...]}`.
The webhook signature is hex HMAC-SHA256 of the body keyed with SHA-256 of the API key, sent in
`rocket-pay-signature`.
"""

from __future__ import annotations

import itertools
import json
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.payment_webhooks import WebhookSender, iso, serve_cli

CURRENCIES = {"TONCOIN": "0.001", "USDT": "0.01", "XROCK": "1", "BOLT": "1", "NOT": "1"}


class XRocketError(Exception):
    """An error answer with optional per-property errors (400)."""

    def __init__(self, status: int, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


class XRocketFake:
    """One xRocket Pay app: its key, invoices and webhook target."""

    def __init__(self, key: str, webhook_url: str | None = None) -> None:
        self.key = key
        self.webhooks = WebhookSender(webhook_url)
        self.invoices: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.fail_next = 0
        self._ids = itertools.count(501)
        self.app = Starlette(
            routes=[
                Route("/version", self._version, methods=["GET"]),
                Route("/currencies/available", self._wrap(self._currencies), methods=["GET"]),
                Route("/tg-invoices", self._wrap(self._create), methods=["POST"]),
                Route("/tg-invoices", self._wrap(self._list), methods=["GET"]),
                Route("/tg-invoices/{invoice_id}", self._wrap(self._get), methods=["GET"]),
                Route("/tg-invoices/{invoice_id}", self._wrap(self._delete), methods=["DELETE"]),
                Route("/_fake/invoices/{invoice_id:int}/pay", self._control_pay, methods=["POST"]),
            ]
        )

    def _wrap(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> JSONResponse:
            self.calls.append((request.method, request.url.path))
            if self.fail_next > 0:
                self.fail_next -= 1
                return JSONResponse({"success": False, "message": "Internal server error"}, status_code=500)
            if request.headers.get("rocket-pay-key") != self.key:
                return JSONResponse({"success": False, "message": "Unauthorized"}, status_code=401)
            try:
                status, data = await handler(request)
            except XRocketError as exc:
                body: dict[str, Any] = {"success": False, "message": exc.message}
                if exc.errors:
                    body["errors"] = exc.errors
                return JSONResponse(body, status_code=exc.status)
            if data is None:
                return JSONResponse({"success": True}, status_code=status)
            return JSONResponse({"success": True, "data": data}, status_code=status)

        return endpoint

    async def _version(self, request: Request) -> JSONResponse:
        return JSONResponse({"version": "1.3.1"})

    async def _currencies(self, request: Request) -> tuple[int, Any]:
        return 200, {
            "results": [
                {
                    "currency": c,
                    "name": c,
                    "minTransfer": float(m),
                    "minCheque": float(m),
                    "minInvoice": float(m),
                }
                for c, m in CURRENCIES.items()
            ]
        }

    async def _create(self, request: Request) -> tuple[int, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise XRocketError(400, "Bad request") from None
        if not isinstance(body, dict):
            raise XRocketError(400, "Bad request")
        errors: list[dict[str, str]] = []
        amount = body.get("amount")
        if not isinstance(amount, int | float) or isinstance(amount, bool) or not 0 <= amount <= 1_000_000:
            errors.append({"property": "amount", "error": "amount must be a number between 0 and 1000000"})
        num_payments = body.get("numPayments", 1)
        if not isinstance(num_payments, int) or not 0 <= num_payments <= 1_000_000:
            errors.append({"property": "numPayments", "error": "numPayments must be an integer"})
        currency = body.get("currency", "TONCOIN")
        if currency not in CURRENCIES:
            errors.append(
                {"property": "currency", "error": "currency must be one of the available currencies"}
            )
        elif isinstance(amount, int | float) and 0 < amount < float(CURRENCIES[currency]):
            errors.append({"property": "amount", "error": f"minimum invoice is {CURRENCIES[currency]}"})
        for prop, limit in (
            ("description", 1000),
            ("hiddenMessage", 2000),
            ("payload", 4000),
            ("callbackUrl", 500),
        ):
            value = body.get(prop)
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                errors.append({"property": prop, "error": f"{prop} must be a string of at most {limit}"})
        expired_in = body.get("expiredIn", 0)
        if not isinstance(expired_in, int) or not 0 <= expired_in <= 86_400:
            errors.append({"property": "expiredIn", "error": "expiredIn must be 0..86400"})
        if errors:
            raise XRocketError(400, "Validation failed", errors)
        invoice_id = next(self._ids)
        amount_dec = Decimal(str(amount)).quantize(Decimal("0.000000001"))
        invoice = {
            "id": invoice_id,
            "amount": float(amount_dec),
            "minPayment": float(amount_dec),
            "totalActivations": num_payments,
            "activationsLeft": num_payments,
            "description": body.get("description"),
            "hiddenMessage": body.get("hiddenMessage"),
            "payload": body.get("payload"),
            "callbackUrl": body.get("callbackUrl"),
            "commentsEnabled": bool(body.get("commentsEnabled", False)),
            "currency": currency,
            "created": iso(datetime.now(UTC)),
            "status": "active",
            "expiredIn": expired_in,
            "link": f"https://t.me/xrocket?start=inv_{secrets.token_urlsafe(9)}",
        }
        self.invoices[invoice_id] = invoice
        return 201, dict(invoice)

    def _find(self, request: Request) -> dict[str, Any]:
        try:
            invoice_id = int(request.path_params["invoice_id"])
        except ValueError:
            raise XRocketError(
                400, "Validation failed", [{"property": "id", "error": "id must be a number"}]
            ) from None
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            raise XRocketError(404, "Invoice not found")
        return invoice

    async def _get(self, request: Request) -> tuple[int, Any]:
        invoice = self._find(request)
        return 200, {**self._public(invoice), "payments": list(invoice.get("_payments", []))}

    async def _list(self, request: Request) -> tuple[int, Any]:
        limit = int(request.query_params.get("limit", 100))
        offset = int(request.query_params.get("offset", 0))
        if not 1 <= limit <= 1000 or offset < 0:
            raise XRocketError(
                400, "Validation failed", [{"property": "limit", "error": "limit must be 1..1000"}]
            )
        items = [self._public(i) for i in self.invoices.values()]
        return 200, {
            "total": len(items),
            "limit": limit,
            "offset": offset,
            "results": items[offset : offset + limit],
        }

    async def _delete(self, request: Request) -> tuple[int, Any]:
        invoice = self._find(request)
        del self.invoices[invoice["id"]]
        return 200, None

    @staticmethod
    def _public(invoice: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in invoice.items() if not k.startswith("_")}

    # --- what the payer does -------------------------------------------------------------------------

    def pay(self, invoice_id: int, user_id: int = 777_000_001) -> dict[str, Any]:
        """A Telegram user pays the invoice: status paid and an `invoicePay` webhook."""
        invoice = self.invoices[invoice_id]
        if invoice["status"] != "active":
            raise ValueError(f"invoice {invoice_id} is {invoice['status']}")
        paid = iso(datetime.now(UTC))
        payment = {
            "userId": user_id,
            "paymentNum": 1,
            "paymentAmount": invoice["amount"],
            "paymentAmountReceived": round(invoice["amount"] * 0.985, 9),
            "comment": "",
            "paid": paid,
        }
        invoice.update({"status": "paid", "paid": paid, "activationsLeft": 0})
        invoice.setdefault("_payments", []).append(payment)
        self.send_paid_webhook(invoice_id)
        return self._public(invoice)

    def expire(self, invoice_id: int) -> None:
        """The invoice's time ran out unpaid."""
        self.invoices[invoice_id]["status"] = "expired"

    def webhook_body(self, invoice_id: int, **overrides: Any) -> bytes:
        """The exact bytes of an `invoicePay` notification."""
        invoice = self.invoices[invoice_id]
        payments = invoice.get("_payments") or [{}]
        data = {**self._public(invoice), "payment": payments[-1], **overrides}
        body = {"type": "invoicePay", "timestamp": iso(datetime.now(UTC)), "data": data}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()

    def send_paid_webhook(self, invoice_id: int, **overrides: Any) -> None:
        """Send (again) the notification, obeying the sender's switches."""
        body = self.webhook_body(invoice_id, **overrides)
        self.webhooks.dispatch_header_signed(body, "rocket-pay-signature", self.key)

    async def _control_pay(self, request: Request) -> JSONResponse:
        try:
            return JSONResponse(self.pay(request.path_params["invoice_id"]))
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)


def main() -> None:
    """Serve an xRocket Pay fake from the command line."""
    serve_cli("Local xRocket Pay API", lambda a: XRocketFake(a.token, a.webhook_url).app)


if __name__ == "__main__":
    main()
