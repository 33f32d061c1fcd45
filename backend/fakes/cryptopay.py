"""A local Crypto Pay API: `/api/<method>` with the app-token header, invoices with state, signed webhooks.

Envelopes: `{"ok": true, "result": ...}` / `{"ok": false, "error": {"code": N, "name": "..."}}`.
`fake.pay(invoice_id)` marks an invoice paid and POSTs an `invoice_paid` update signed like Crypto Pay
(hex HMAC-SHA256 of the exact body bytes, key = SHA-256 of the token) to the webhook URL.
"""

from __future__ import annotations

import itertools
import json
import secrets
from datetime import UTC, datetime, timedelta
from decimal import ROUND_UP, Decimal, InvalidOperation
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.payment_webhooks import WebhookSender, iso, request_params, serve_cli

ASSETS = ["USDT", "TON", "BTC", "ETH", "LTC", "BNB", "TRX", "USDC"]
FIATS = ["USD", "EUR", "RUB", "BYN", "UAH", "GBP", "CNY", "KZT", "UZS", "GEL", "TRY", "AMD", "THB", "INR"]
PAID_BUTTONS = {"viewItem", "openChannel", "openBot", "callback"}


class CryptoPayError(Exception):
    """An error answer: HTTP status and the error name."""

    def __init__(self, code: int, name: str) -> None:
        super().__init__(name)
        self.code = code
        self.name = name


class CryptoPayFake:
    """One Crypto Pay app: its token, its invoices and its webhook target."""

    def __init__(self, token: str, webhook_url: str | None = None, *, testnet: bool = True) -> None:
        self.token = token
        self.testnet = testnet
        self.webhooks = WebhookSender(webhook_url)
        self.invoices: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rates: dict[str, Decimal] = {"USDT": Decimal("95.50"), "TON": Decimal("310.00")}
        self.fail_next: int = 0  # answer this many calls with HTTP 500 (a provider outage)
        self._ids = itertools.count(1001)
        self._update_ids = itertools.count(1)
        self.app = Starlette(
            routes=[
                Route("/api/{method}", self._handle, methods=["GET", "POST"]),
                Route("/_fake/invoices/{invoice_id:int}/pay", self._control_pay, methods=["POST"]),
                Route("/_fake/invoices", self._control_list, methods=["GET"]),
            ]
        )

    # --- the API -------------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await request_params(request)
        self.calls.append((method, params))
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse(
                {"ok": False, "error": {"code": 500, "name": "INTERNAL_ERROR"}}, status_code=500
            )
        if request.headers.get("crypto-pay-api-token") != self.token:
            return self._error(CryptoPayError(401, "UNAUTHORIZED"))
        handler = getattr(self, f"m_{method}", None)
        if handler is None:
            return self._error(CryptoPayError(405, "METHOD_NOT_FOUND"))
        try:
            return JSONResponse({"ok": True, "result": handler(params)})
        except CryptoPayError as exc:
            return self._error(exc)

    @staticmethod
    def _error(exc: CryptoPayError) -> JSONResponse:
        return JSONResponse(
            {"ok": False, "error": {"code": exc.code, "name": exc.name}}, status_code=exc.code
        )

    def m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"app_id": 1, "name": "VPN shop", "payment_processing_bot_username": "CryptoTestnetBot"}

    def m_createInvoice(self, params: dict[str, Any]) -> dict[str, Any]:
        invoice = self._currency_fields(params)
        try:
            amount = Decimal(str(params.get("amount")))
        except InvalidOperation:
            raise CryptoPayError(400, "AMOUNT_INVALID") from None
        if not amount.is_finite() or amount <= 0:
            raise CryptoPayError(400, "AMOUNT_TOO_SMALL")
        description = params.get("description")
        if description is not None and len(str(description)) > 1024:
            raise CryptoPayError(400, "DESCRIPTION_TOO_LONG")
        payload = params.get("payload")
        if payload is not None and len(str(payload).encode()) > 4096:
            raise CryptoPayError(400, "PAYLOAD_TOO_LONG")
        if params.get("paid_btn_name") is not None:
            if params["paid_btn_name"] not in PAID_BUTTONS:
                raise CryptoPayError(400, "PAID_BTN_NAME_INVALID")
            if not str(params.get("paid_btn_url", "")).startswith(("http://", "https://")):
                raise CryptoPayError(400, "PAID_BTN_URL_REQUIRED")
        now = datetime.now(UTC)
        invoice_id = next(self._ids)
        invoice_hash = "IV" + secrets.token_hex(6)
        invoice.update(
            {
                "invoice_id": invoice_id,
                "hash": invoice_hash,
                "amount": self._fmt(amount),
                "status": "active",
                "bot_invoice_url": f"https://t.me/CryptoTestnetBot?start={invoice_hash}",
                "mini_app_invoice_url": f"https://t.me/CryptoTestnetBot/app?startapp=invoice-{invoice_hash}",
                "web_app_invoice_url": f"https://testnet-app.send.tg/invoices/{invoice_hash}",
                "created_at": iso(now),
                "allow_comments": self._bool(params.get("allow_comments"), True),
                "allow_anonymous": self._bool(params.get("allow_anonymous"), True),
            }
        )
        for key in ("description", "payload", "hidden_message", "paid_btn_name", "paid_btn_url"):
            if params.get(key) is not None:
                invoice[key] = str(params[key])
        if params.get("expires_in") is not None:
            try:
                expires_in = int(params["expires_in"])
            except (TypeError, ValueError):
                raise CryptoPayError(400, "EXPIRES_IN_INVALID") from None
            if not 1 <= expires_in <= 2_678_400:
                raise CryptoPayError(400, "EXPIRES_IN_INVALID")
            invoice["expiration_date"] = iso(now + timedelta(seconds=expires_in))
        self.invoices[invoice_id] = invoice
        return dict(invoice)

    @staticmethod
    def _currency_fields(params: dict[str, Any]) -> dict[str, Any]:
        currency_type = params.get("currency_type", "crypto")
        invoice: dict[str, Any] = {"currency_type": currency_type}
        if currency_type == "fiat":
            if params.get("fiat") not in FIATS:
                raise CryptoPayError(400, "FIAT_INVALID")
            invoice["fiat"] = params["fiat"]
            accepted = params.get("accepted_assets")
            if accepted is not None:
                assets = [a.strip() for a in str(accepted).split(",") if a.strip()]
                if not assets or any(a not in ASSETS for a in assets):
                    raise CryptoPayError(400, "ACCEPTED_ASSETS_INVALID")
                invoice["accepted_assets"] = assets
        elif currency_type == "crypto":
            if params.get("asset") not in ASSETS:
                raise CryptoPayError(400, "ASSET_INVALID")
            if "accepted_assets" in params:
                raise CryptoPayError(400, "ACCEPTED_ASSETS_FOR_FIAT_ONLY")
            invoice["asset"] = params["asset"]
        else:
            raise CryptoPayError(400, "CURRENCY_TYPE_INVALID")
        return invoice

    def m_getInvoices(self, params: dict[str, Any]) -> dict[str, Any]:
        items = list(self.invoices.values())
        if params.get("invoice_ids"):
            raw_ids = params["invoice_ids"]
            ids = raw_ids if isinstance(raw_ids, list) else str(raw_ids).split(",")
            try:
                wanted = {int(i) for i in ids}
            except ValueError:
                raise CryptoPayError(400, "INVOICE_IDS_INVALID") from None
            items = [i for i in items if i["invoice_id"] in wanted]
        if params.get("status") is not None:
            if params["status"] not in ("active", "paid"):
                raise CryptoPayError(400, "STATUS_INVALID")
            items = [i for i in items if i["status"] == params["status"]]
        offset = int(params.get("offset") or 0)
        count = int(params.get("count") or 100)
        if not 1 <= count <= 1000:
            raise CryptoPayError(400, "COUNT_INVALID")
        return {"items": [dict(i) for i in items[offset : offset + count]]}

    def m_deleteInvoice(self, params: dict[str, Any]) -> bool:
        try:
            invoice_id = int(params.get("invoice_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CryptoPayError(400, "INVOICE_ID_INVALID") from None
        if self.invoices.pop(invoice_id, None) is None:
            raise CryptoPayError(400, "INVOICE_NOT_FOUND")
        return True

    def m_getExchangeRates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "is_valid": True,
                "is_crypto": True,
                "is_fiat": False,
                "source": asset,
                "target": "RUB",
                "rate": str(rate),
            }
            for asset, rate in self.rates.items()
        ]

    @staticmethod
    def _bool(value: Any, default: bool) -> bool:
        if value is None:
            return default
        return value in (True, "true", "1", 1)

    @staticmethod
    def _fmt(amount: Decimal) -> str:
        return format(amount.normalize(), "f")

    # --- what the payer does -------------------------------------------------------------------------

    def pay(self, invoice_id: int, asset: str = "USDT") -> dict[str, Any]:
        """The customer pays: status paid, paid_* fields set, an `invoice_paid` webhook goes out."""
        invoice = self.invoices[invoice_id]
        if invoice["status"] != "active":
            raise ValueError(f"invoice {invoice_id} is {invoice['status']}")
        rate = self.rates.get(asset, Decimal("1"))
        amount = Decimal(invoice["amount"])
        invoice.update(
            {
                "status": "paid",
                "paid_at": iso(datetime.now(UTC)),
                "paid_anonymously": False,
                "paid_asset": asset,
                "paid_amount": self._fmt((amount / rate).quantize(Decimal("0.000001"), rounding=ROUND_UP)),
                "paid_fiat_rate": str(rate),
                "paid_usd_rate": "1",
                "fee_asset": asset,
                "fee_amount": "0",
                "fee_in_usd": "0",
            }
        )
        self.send_paid_webhook(invoice_id)
        return dict(invoice)

    def expire(self, invoice_id: int) -> None:
        """The invoice's time ran out unpaid."""
        self.invoices[invoice_id]["status"] = "expired"

    def webhook_body(self, invoice_id: int, **overrides: Any) -> bytes:
        """The exact bytes of an `invoice_paid` update for the invoice (compact JSON)."""
        update = {
            "update_id": next(self._update_ids),
            "update_type": "invoice_paid",
            "request_date": iso(datetime.now(UTC)),
            "payload": {**self.invoices[invoice_id], **overrides},
        }
        return json.dumps(update, separators=(",", ":"), ensure_ascii=False).encode()

    def send_paid_webhook(self, invoice_id: int, **overrides: Any) -> None:
        """Send (again) the `invoice_paid` update, obeying the sender's switches."""
        body = self.webhook_body(invoice_id, **overrides)
        self.webhooks.dispatch_header_signed(body, "crypto-pay-api-signature", self.token)

    # --- control routes for other processes ---------------------------------------------------------

    async def _control_pay(self, request: Request) -> JSONResponse:
        try:
            invoice = self.pay(request.path_params["invoice_id"], request.query_params.get("asset", "USDT"))
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(invoice)

    async def _control_list(self, request: Request) -> JSONResponse:
        return JSONResponse(list(self.invoices.values()))


def main() -> None:
    """Serve a Crypto Pay fake from the command line."""
    serve_cli("Local Crypto Pay API", lambda a: CryptoPayFake(a.token, a.webhook_url).app)


if __name__ == "__main__":
    main()
