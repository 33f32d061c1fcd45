"""A local SeverPay merchant API: `POST /payin/create|get` signed in the body, webhooks with `sign`.

Requests carry `mid`, `salt` and `sign` = hex HMAC-SHA256(token, JSON of the other fields with the
top-level keys sorted). Answers are `{"status": true|false, "msg": "...", "data": {...}}`. Webhooks are
`{"type", "data", "salt", "sign"}` signed over the body without `sign` in received order with PHP's
default escaping; the shop must answer `{"status": true}` or SeverPay retries.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.payment_webhooks import WebhookSender, serve_cli

CURRENCIES = {"RUB"}
STATUSES = ("new", "process", "success", "decline", "fail")


def hmac_hex(token: str, message: str) -> str:
    """Hex HMAC-SHA256 keyed with the token."""
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()


def acknowledged(resp: httpx.Response) -> bool:
    """SeverPay stops retrying only on a JSON answer with `"status": true`."""
    if not resp.is_success or not resp.headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        return resp.json().get("status") is True
    except ValueError:
        return False


class SeverPayError(Exception):
    """An error answer."""

    def __init__(self, status: int, msg: str) -> None:
        super().__init__(msg)
        self.status = status
        self.msg = msg


class SeverPayFake:
    """One SeverPay shop: merchant id, token, payments, webhook target."""

    def __init__(self, mid: int, token: str, webhook_url: str | None = None) -> None:
        self.mid = mid
        self.token = token
        # Documented schedule: 5, 10, 15 minutes, then every 30; compressed for tests.
        self.webhooks = WebhookSender(webhook_url, accept=acknowledged)
        self.payments: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sorted_webhook_signature = False  # sign webhooks over top-level sorted keys instead
        self.fail_next = 0
        self._ids = itertools.count(123_456)
        self.app = Starlette(
            routes=[
                Route("/payin/create", self._endpoint(self._create), methods=["POST"]),
                Route("/payin/get", self._endpoint(self._get), methods=["POST"]),
                Route("/_fake/payments/{payment_id:int}/{status}", self._control_status, methods=["POST"]),
            ]
        )

    # --- the API -------------------------------------------------------------------------------------

    def _endpoint(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> JSONResponse:
            if self.fail_next > 0:
                self.fail_next -= 1
                return JSONResponse({"status": False, "msg": "Internal error"}, status_code=500)
            raw = await request.body()
            try:
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError:
                return JSONResponse({"status": False, "msg": "Invalid JSON"}, status_code=400)
            self.calls.append((request.url.path, body))
            try:
                self._check_signature(body)
                data = handler(body)
            except SeverPayError as exc:
                return JSONResponse({"status": False, "msg": exc.msg}, status_code=exc.status)
            return JSONResponse({"status": True, "msg": "", "data": data})

        return endpoint

    def _check_signature(self, body: dict[str, Any]) -> None:
        received = body.pop("sign", None)
        if body.get("mid") != self.mid:
            raise SeverPayError(401, "Unknown merchant")
        if not body.get("salt"):
            raise SeverPayError(400, "salt is required")
        canonical = json.dumps(dict(sorted(body.items())), ensure_ascii=False, separators=(",", ":"))
        if not isinstance(received, str) or not hmac.compare_digest(
            hmac_hex(self.token, canonical), received
        ):
            raise SeverPayError(401, "Invalid sign")

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        for name in ("order_id", "amount", "currency", "client_email", "client_id"):
            if body.get(name) in (None, ""):
                raise SeverPayError(400, f"The {name} field is required.")
        amount = body["amount"]
        if not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
            raise SeverPayError(400, "The amount must be a positive number.")
        if body["currency"] not in CURRENCIES:
            raise SeverPayError(400, "Currency is not available for this shop.")
        lifetime = body.get("lifetime", 1440)
        if not isinstance(lifetime, int) or not 30 <= lifetime <= 4320:
            raise SeverPayError(400, "The lifetime must be between 30 and 4320.")
        if any(p["order_id"] == str(body["order_id"]) for p in self.payments.values()):
            raise SeverPayError(400, "order_id already exists")
        payment_id = next(self._ids)
        uid = secrets.token_hex(13).upper()
        self.payments[payment_id] = {
            "id": payment_id,
            "uid": uid,
            "order_id": str(body["order_id"]),
            "amount": float(amount),
            "currency": body["currency"],
            "status": "new",
            "expire_at": int(time.time()) + lifetime * 60,
        }
        return {
            "id": payment_id,
            "url": f"https://severpay.io/pay/{uid.lower()}",
            "expire_at": self.payments[payment_id]["expire_at"],
            "uid": uid,
        }

    def _get(self, body: dict[str, Any]) -> dict[str, Any]:
        payment = None
        if body.get("id") is not None:
            payment = self.payments.get(body["id"]) if isinstance(body["id"], int) else None
        elif body.get("uid"):
            payment = next((p for p in self.payments.values() if p["uid"] == body["uid"]), None)
        else:
            raise SeverPayError(400, "id or uid is required")
        if payment is None:
            raise SeverPayError(404, "Payment not found")
        return {k: payment[k] for k in ("id", "uid", "order_id", "amount", "currency", "status")}

    # --- what happens at the bank --------------------------------------------------------------------

    def set_status(self, payment_id: int, status: str, *, notify: bool = True) -> None:
        """Move a payment to `status` and send the `payin` webhook (one per status change)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status}")
        self.payments[payment_id]["status"] = status
        if notify:
            self.send_webhook(payment_id, status)

    def pay(self, payment_id: int) -> None:
        """The customer pays: `process` then `success`, each with its webhook."""
        self.set_status(payment_id, "process")
        self.set_status(payment_id, "success")

    def webhook_body(self, payment_id: int, status: str | None = None, **overrides: Any) -> bytes:
        """The exact bytes of a `payin` webhook for the payment (keys type, data, salt, sign)."""
        p = self.payments[payment_id]
        data = {
            "id": p["id"],
            "order_id": p["order_id"],
            "amount": p["amount"],
            "currency": p["currency"],
            "status": status or p["status"],
            **overrides,
        }
        return self._signed({"type": "payin", "data": data, "salt": secrets.token_hex(6)})

    def test_webhook_body(self) -> bytes:
        """The `test` ping SeverPay sends to check an endpoint."""
        return self._signed(
            {"type": "test", "data": {"timestamp": int(time.time())}, "salt": secrets.token_hex(6)}
        )

    def _signed(self, body: dict[str, Any], token: str | None = None) -> bytes:
        key = token or self.token
        if self.sorted_webhook_signature:
            message = json.dumps(dict(sorted(body.items())), ensure_ascii=False, separators=(",", ":"))
        else:
            message = json.dumps(body, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
        return json.dumps({**body, "sign": hmac_hex(key, message)}, separators=(",", ":")).encode()

    def send_webhook(self, payment_id: int, status: str | None = None, **overrides: Any) -> None:
        """Send a `payin` webhook, obeying the sender's switches."""
        switches = self.webhooks.switches
        body = self.webhook_body(payment_id, status, **overrides)
        parsed = json.loads(body)
        if switches.forge:
            parsed.pop("sign")
            body = self._signed(parsed, token="forged-" + self.token)
            parsed = json.loads(body)
        if switches.unsigned:
            parsed.pop("sign")
        if switches.tamper is not None:
            parsed = switches.tamper(parsed)
        if switches.unsigned or switches.tamper is not None:
            body = json.dumps(parsed, separators=(",", ":")).encode()
        self.webhooks.dispatch(body, {"Accept": "application/json"})

    async def _control_status(self, request: Request) -> JSONResponse:
        payment_id, status = request.path_params["payment_id"], request.path_params["status"]
        try:
            if status == "pay":
                self.pay(payment_id)
            else:
                self.set_status(payment_id, status)
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(self.payments[payment_id])


def main() -> None:
    """Serve a SeverPay fake from the command line."""
    serve_cli(
        "Local SeverPay merchant API",
        lambda a: SeverPayFake(int(a.mid), a.token, a.webhook_url).app,
        "mid",
    )


if __name__ == "__main__":
    main()
