"""The backend's customer API as agreed for endpoints other branches are still building (subscriptions,
money, support), served through httpx.MockTransport.

It is as strict as the real routes are specified: service token on bot routes, the customer's bearer
token on /users/me routes (each customer sees only their own objects, anybody else's is a 404), the
agreed request bodies, and the backend's error envelope. Tests of endpoints that exist today use the
real backend instead.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

SERVICE_TOKEN = "contract-service-token-0123456789abcdef"


def _error(status: int, code: str, detail: str) -> httpx.Response:
    return httpx.Response(status, json={"error": code, "detail": detail})


@dataclass
class ContractBackend:
    """In-memory state behind the agreed routes."""

    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    locations: list[dict[str, Any]] = field(default_factory=list)
    tariffs: list[dict[str, Any]] = field(default_factory=list)
    missing_routes: set[str] = field(default_factory=set)
    failures: dict[str, list[int]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)

    def transport(self) -> httpx.MockTransport:
        """The transport to give BackendClient."""
        return httpx.MockTransport(self.handle)

    def profile(self, telegram_id: int) -> dict[str, Any]:
        """The customer's profile as /users/me shows it."""
        return self.users[telegram_id]

    def add_location(self, name: str, flag: str, *, available: bool = True) -> dict[str, Any]:
        """A location on sale."""
        loc = {
            "id": str(uuid.uuid4()),
            "name": name,
            "country_code": "NL",
            "flag_emoji": flag,
            "available": available,
        }
        self.locations.append(loc)
        return loc

    def add_tariff(self, location: dict[str, Any], name: str, days: int | None, price: str) -> dict[str, Any]:
        """A plan of one location."""
        tariff = {
            "id": str(uuid.uuid4()),
            "name": name,
            "description": None,
            "duration_days": days,
            "price": price,
            "currency": "RUB",
            "stars_price": None,
            "traffic_limit_gb": None,
            "device_limit": None,
            "location_id": location["id"],
            "is_promo": False,
            "discount_percent": None,
        }
        self.tariffs.append(tariff)
        return tariff

    def _customer(self, request: httpx.Request) -> int | httpx.Response:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer tok-"):
            return _error(401, "NotAuthenticated", "Not authenticated")
        telegram_id = int(auth.removeprefix("Bearer tok-"))
        if telegram_id in self.blocked:
            return _error(403, "UserBlocked", "Your account is blocked. Contact support.")
        return telegram_id

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request like the backend would."""
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v1")
        key = f"{request.method} {path}"
        if self.failures.get(key):
            return httpx.Response(
                self.failures[key].pop(0), json={"error": "ServiceUnavailable", "detail": "down"}
            )
        if key in self.missing_routes or any(key.startswith(m) for m in self.missing_routes):
            return _error(404, "NotFound", "Not Found")
        body = json.loads(request.content) if request.content else None
        if path == "/auth/telegram":
            return self._login(request, body)
        if path.startswith("/bot/"):
            if request.headers.get("X-Bot-Token") != SERVICE_TOKEN:
                return _error(401, "NotAuthenticated", "Invalid bot service token")
            return self._bot_route(path, body)
        if path == "/locations":
            return httpx.Response(200, json=self.locations)
        if path == "/tariffs":
            loc = request.url.params.get("location_id")
            return httpx.Response(200, json=[t for t in self.tariffs if loc in (None, t["location_id"])])
        if path == "/shop-info":
            return self._tickets("GET", path, None)
        if path == "/payment-methods":
            return httpx.Response(
                200,
                json=[
                    {
                        "method": "cryptopay",
                        "title": "Crypto Pay",
                        "currency": "RUB",
                        "min_amount": "50.00",
                        "max_amount": "100000.00",
                        "sandbox": True,
                    }
                ],
            )
        customer = self._customer(request)
        if isinstance(customer, httpx.Response):
            return customer
        return self._customer_route(request.method, path, body, customer)

    def _login(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        if request.headers.get("X-Bot-Token") != SERVICE_TOKEN:
            return _error(401, "NotAuthenticated", "Invalid bot service token")
        telegram_id = int(body["telegram_id"])
        if telegram_id in self.blocked:
            return _error(403, "UserBlocked", "Your account is blocked. Contact support.")
        created = telegram_id not in self.users
        if created:
            self.users[telegram_id] = {
                "id": str(uuid.uuid4()),
                "telegram_id": telegram_id,
                "username": body.get("username"),
                "first_name": body.get("first_name"),
                "language": "en" if (body.get("language_code") or "ru").startswith("en") else "ru",
                "balance": "0.00",
                "referral_code": f"code{telegram_id}",
                "subscription_url": f"https://shop.test/sub/{telegram_id}",
                "trial_used": False,
            }
        return httpx.Response(
            200,
            json={
                "access_token": f"tok-{telegram_id}",
                "token_type": "bearer",
                "expires_in": 3600,
                "created": created,
                "user": self.users[telegram_id],
            },
        )

    def _bot_route(self, path: str, body: dict[str, Any]) -> httpx.Response:
        if path == "/bot/payments/stars/pre-checkout":
            ok = str(body.get("invoice_payload", "")).startswith("payment:")
            return httpx.Response(200, json={"ok": ok, "error_message": None if ok else "Unknown invoice"})
        return httpx.Response(
            200,
            json={
                "id": str(uuid.uuid4()),
                "amount": "100.00",
                "currency": "RUB",
                "status": "paid",
                "method": "stars",
                "purpose": "topup",
                "pay_url": None,
            },
        )

    def _customer_route(self, method: str, path: str, body: Any, telegram_id: int) -> httpx.Response:
        subs = self.subscriptions.setdefault(telegram_id, [])
        if (method, path) == ("GET", "/users/me"):
            return httpx.Response(200, json=self.users[telegram_id])
        if (method, path) == ("PATCH", "/users/me"):
            self.users[telegram_id]["language"] = body["language"]
            return httpx.Response(200, json=self.users[telegram_id])
        if (method, path) == ("GET", "/users/me/subscriptions"):
            return httpx.Response(200, json=subs)
        if path.startswith("/users/me/subscriptions/"):
            sub = next((s for s in subs if s["id"] == path.rsplit("/", 1)[1]), None)
            if sub is None:
                return _error(404, "SubscriptionNotFound", "Subscription not found")
            if method == "PATCH":
                sub["auto_renew"] = bool(body["auto_renew"])
            return httpx.Response(200, json=sub)
        if (method, path) == ("POST", "/users/me/trial"):
            if self.users[telegram_id]["trial_used"]:
                return _error(409, "TrialAlreadyUsed", "The trial was already used")
            self.users[telegram_id]["trial_used"] = True
            sub = subscription("Trial", "🎁", days_left=3, is_trial=True)
            subs.append(sub)
            return httpx.Response(201, json=sub)
        if (method, path) == ("POST", "/users/me/subscription-url/rotate"):
            self.users[telegram_id]["subscription_url"] += "-new"
            return httpx.Response(200, json=self.users[telegram_id])
        if (method, path) == ("POST", "/users/me/topups"):
            assert set(body) == {"amount", "method"} and Decimal(body["amount"]) > 0
            return httpx.Response(
                201,
                json={
                    "id": str(uuid.uuid4()),
                    "amount": body["amount"],
                    "currency": "RUB",
                    "status": "pending",
                    "method": body["method"],
                    "purpose": "topup",
                    "pay_url": "https://pay.test/inv/1",
                },
            )
        if (method, path) == ("POST", "/users/me/purchases"):
            return self._purchase(body, telegram_id)
        if (method, path) == ("GET", "/users/me/payments"):
            return httpx.Response(200, json={"items": [], "total": 0, "page": 1, "size": 20, "pages": 0})
        if (method, path) == ("GET", "/users/me/balance/history"):
            return httpx.Response(
                200,
                json=[
                    {
                        "amount": "150.00",
                        "kind": "topup",
                        "balance_after": "150.00",
                        "created_at": "2026-11-01T10:00:00Z",
                    }
                ],
            )
        if (method, path) == ("POST", "/users/me/promo"):
            return httpx.Response(
                200, json={"code": body["code"], "kind": "balance", "amount": "50.00", "balance": "50.00"}
            )
        if (method, path) == ("GET", "/users/me/referrals"):
            return httpx.Response(
                200,
                json={
                    "code": f"code{telegram_id}",
                    "invited_count": 2,
                    "earned": "30.00",
                    "rules": {"percent": 10},
                },
            )
        return self._tickets(method, path, body)

    def _purchase(self, body: dict[str, Any], telegram_id: int) -> httpx.Response:
        tariff = next((t for t in self.tariffs if t["id"] == body["tariff_id"]), None)
        if tariff is None:
            return _error(404, "TariffNotFound", "Tariff not found")
        balance = Decimal(self.users[telegram_id]["balance"])
        price = Decimal(tariff["price"])
        if balance < price and not body.get("method"):
            return _error(402, "InsufficientBalance", "Not enough money on the balance")
        if balance < price:
            payment = {
                "id": str(uuid.uuid4()),
                "amount": str(price - balance),
                "currency": "RUB",
                "status": "pending",
                "method": body["method"],
                "purpose": "purchase",
                "pay_url": "https://pay.test/inv/2",
            }
            return httpx.Response(201, json={"status": "payment_required", "payment": payment})
        self.users[telegram_id]["balance"] = str(balance - price)
        sub = subscription("Netherlands", "🇳🇱", status="pending")
        self.subscriptions[telegram_id].append(sub)
        return httpx.Response(201, json={"status": "completed", "subscription": sub})

    def _tickets(self, method: str, path: str, body: Any) -> httpx.Response:
        ticket = {
            "id": str(uuid.uuid4()),
            "subject": "VPN",
            "status": "open",
            "created_at": "2026-11-01T10:00:00Z",
            "messages": [{"author": "user", "text": "Не работает"}],
        }
        if (method, path) == ("POST", "/users/me/tickets"):
            return httpx.Response(201, json={**ticket, "subject": body["subject"]})
        if (method, path) == ("GET", "/users/me/tickets"):
            return httpx.Response(
                200, json={"items": [ticket], "total": 1, "page": 1, "size": 20, "pages": 1}
            )
        if method == "GET" and path.startswith("/users/me/tickets/"):
            return httpx.Response(200, json=ticket)
        if path.endswith("/messages"):
            return httpx.Response(
                201,
                json={**ticket, "messages": [*ticket["messages"], {"author": "user", "text": body["text"]}]},
            )
        if path.endswith("/close"):
            return httpx.Response(200, json={**ticket, "status": "closed"})
        if path == "/shop-info":
            return httpx.Response(
                200,
                json={
                    "shop_name": "Test VPN",
                    "support_contact": "@support",
                    "trial": {"days": 3},
                    "referral": {"percent": 10},
                    "texts": {"welcome": "Hi"},
                },
            )
        return _error(404, "NotFound", "Not Found")


def subscription(
    location: str,
    flag: str,
    *,
    status: str = "active",
    days_left: int | None = 30,
    ends_at: str | None = "2027-01-31T12:00:00Z",
    is_trial: bool = False,
) -> dict[str, Any]:
    """A subscription as GET /users/me/subscriptions lists it."""
    return {
        "id": str(uuid.uuid4()),
        "location": {"name": location, "flag_emoji": flag},
        "status": status,
        "starts_at": "2026-12-31T12:00:00Z",
        "ends_at": ends_at,
        "days_left": days_left if ends_at else None,
        "traffic_used_bytes": 1024,
        "traffic_limit_bytes": None,
        "device_limit": 3,
        "config_url": "vless://example",
        "auto_renew": False,
        "is_trial": is_trial,
    }
