"""BackendClient: the bot's only way to the data, over HTTP with the service token and customer tokens.

Customer tokens (and the profile that came with them) are cached per Telegram user until shortly
before they expire, so an ordinary update costs no login. Only idempotent calls are retried when the
backend is briefly unreachable; a refused (401) cached token is renewed once for any call, since the
backend did not act on it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import structlog
from pydantic import TypeAdapter

from bot.api.errors import BackendError, BackendUnavailable
from bot.api.models import (
    AuthResult,
    LedgerEntry,
    Location,
    Payment,
    PaymentMethod,
    Profile,
    PromoResult,
    PurchaseResult,
    ReferralInfo,
    ShopInfo,
    StarsCheck,
    Subscription,
    Tariff,
    Ticket,
)

log = structlog.get_logger(__name__)

# Renew a customer token this long before it expires.
_TOKEN_MARGIN_SECONDS = 60
# Pauses before the retries of an idempotent call.
_RETRY_DELAYS = (0.2, 0.6)
_MAX_CACHED_USERS = 20_000

_locations = TypeAdapter(list[Location])
_tariffs = TypeAdapter(list[Tariff])
_subscriptions = TypeAdapter(list[Subscription])
_methods = TypeAdapter(list[PaymentMethod])
_payments = TypeAdapter(list[Payment])
_ledger = TypeAdapter(list[LedgerEntry])
_tickets = TypeAdapter(list[Ticket])


@dataclass
class TelegramIdentity:
    """The Telegram user the bot acts for."""

    telegram_id: int
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    language_code: str | None = None


@dataclass
class CustomerSession:
    """A cached customer token and the profile last seen with it."""

    token: str
    expires_at: float
    profile: Profile


def _items(data: Any) -> Any:
    """A list body, or the `items` of a paginated one."""
    if isinstance(data, dict) and "items" in data:
        return data["items"]
    return data


class BackendClient:
    """Typed calls to /api/v1 on behalf of Telegram users."""

    def __init__(
        self,
        base_url: str,
        service_token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/api/v1",
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "vpnshop-bot"},
        )
        self._service_token = service_token
        self._sessions: OrderedDict[int, CustomerSession] = OrderedDict()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- transport ---------------------------------------------------------------------------

    async def _send(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
        try:
            resp = await self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(str(exc) or type(exc).__name__) from exc
        if resp.status_code >= 500:
            raise BackendUnavailable(f"backend answered {resp.status_code} to {method} {path}")
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                body = {}
            body = body if isinstance(body, dict) else {}
            detail = body.get("detail")
            retry_after = resp.headers.get("Retry-After")
            raise BackendError(
                resp.status_code,
                str(body.get("error", "Error")),
                detail if isinstance(detail, str) else str(detail or resp.reason_phrase),
                retry_after=int(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        retry = method in ("GET", "HEAD", "PUT", "DELETE") if idempotent is None else idempotent
        delays = _RETRY_DELAYS if retry else ()
        for attempt in range(len(delays) + 1):
            try:
                return await self._send(method, path, hdrs, **kwargs)
            except BackendUnavailable as exc:
                if attempt == len(delays):
                    raise
                log.info("backend_retry", method=method, path=path, attempt=attempt + 1, error=str(exc))
                await asyncio.sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _as_user(self, who: TelegramIdentity, method: str, path: str, **kwargs: Any) -> Any:
        """A customer call; a refused cached token is renewed once and the call repeated."""
        session = await self.session(who)
        try:
            return await self._request(method, path, token=session.token, **kwargs)
        except BackendError as exc:
            if exc.status != 401:
                raise
        self._sessions.pop(who.telegram_id, None)
        session = await self.session(who)
        return await self._request(method, path, token=session.token, **kwargs)

    def _remember(self, telegram_id: int, session: CustomerSession) -> None:
        self._sessions[telegram_id] = session
        self._sessions.move_to_end(telegram_id)
        while len(self._sessions) > _MAX_CACHED_USERS:
            self._sessions.popitem(last=False)

    def _update_profile(self, telegram_id: int, profile: Profile) -> None:
        cached = self._sessions.get(telegram_id)
        if cached is not None:
            cached.profile = profile

    # --- customers ---------------------------------------------------------------------------

    async def login(self, who: TelegramIdentity, referral_code: str | None = None) -> AuthResult:
        """Register or refresh the Telegram user (an idempotent upsert) and remember their token."""
        body = {
            "telegram_id": who.telegram_id,
            "username": who.username,
            "first_name": who.first_name,
            "last_name": who.last_name,
            "language_code": who.language_code,
            "referral_code": referral_code,
        }
        data = await self._request(
            "POST",
            "/auth/telegram",
            json=body,
            headers={"X-Bot-Token": self._service_token},
            idempotent=True,
        )
        result = AuthResult.model_validate(data)
        self._remember(
            who.telegram_id,
            CustomerSession(result.access_token, time.monotonic() + result.expires_in, result.user),
        )
        return result

    async def session(self, who: TelegramIdentity) -> CustomerSession:
        """The cached customer session, logging in again when its token is about to expire."""
        cached = self._sessions.get(who.telegram_id)
        if cached and cached.expires_at - _TOKEN_MARGIN_SECONDS > time.monotonic():
            return cached
        await self.login(who)
        return self._sessions[who.telegram_id]

    def cached_profile(self, telegram_id: int) -> Profile | None:
        """The profile last seen for this user, without asking the backend."""
        cached = self._sessions.get(telegram_id)
        return cached.profile if cached else None

    def forget(self, telegram_id: int) -> None:
        """Drop the cached session (e.g. after the shop blocked the customer)."""
        self._sessions.pop(telegram_id, None)

    async def token_for(self, who: TelegramIdentity) -> str:
        """A valid customer token."""
        return (await self.session(who)).token

    async def me(self, who: TelegramIdentity) -> Profile:
        """The customer's fresh profile (balance included)."""
        profile = Profile.model_validate(await self._as_user(who, "GET", "/users/me"))
        self._update_profile(who.telegram_id, profile)
        return profile

    async def set_language(self, who: TelegramIdentity, language: str) -> Profile:
        """Change the customer's language (ru or en)."""
        data = await self._as_user(who, "PATCH", "/users/me", json={"language": language}, idempotent=True)
        profile = Profile.model_validate(data)
        self._update_profile(who.telegram_id, profile)
        return profile

    # --- catalog -----------------------------------------------------------------------------

    async def locations(self) -> list[Location]:
        """Locations on sale."""
        return _locations.validate_python(await self._request("GET", "/locations"))

    async def tariffs(self, location_id: uuid.UUID | None = None) -> list[Tariff]:
        """Plans on sale, only those usable in `location_id` when given."""
        params = {"location_id": str(location_id)} if location_id else None
        return _tariffs.validate_python(await self._request("GET", "/tariffs", params=params))

    # --- subscriptions (branch panels) -----------------------------------------------------------

    async def subscriptions(self, who: TelegramIdentity) -> list[Subscription] | None:
        """The customer's subscriptions; None while this backend has no subscriptions endpoint."""
        try:
            data = await self._as_user(who, "GET", "/users/me/subscriptions")
        except BackendError as exc:
            if exc.route_missing:
                return None
            raise
        return _subscriptions.validate_python(_items(data))

    async def subscription(self, who: TelegramIdentity, subscription_id: uuid.UUID) -> Subscription:
        """One of the customer's own subscriptions (404 for anybody else's)."""
        data = await self._as_user(who, "GET", f"/users/me/subscriptions/{subscription_id}")
        return Subscription.model_validate(data)

    async def set_auto_renew(
        self, who: TelegramIdentity, subscription_id: uuid.UUID, enabled: bool
    ) -> Subscription:
        """Switch auto-renewal from balance on or off."""
        data = await self._as_user(
            who,
            "PATCH",
            f"/users/me/subscriptions/{subscription_id}",
            json={"auto_renew": enabled},
            idempotent=True,
        )
        return Subscription.model_validate(data)

    async def start_trial(self, who: TelegramIdentity) -> Subscription:
        """Take the free trial (TrialAlreadyUsed 409, TrialUnavailable when switched off)."""
        return Subscription.model_validate(await self._as_user(who, "POST", "/users/me/trial"))

    async def rotate_subscription_url(self, who: TelegramIdentity) -> Profile:
        """Issue a new personal subscription link; the old one stops working."""
        data = await self._as_user(who, "POST", "/users/me/subscription-url/rotate")
        profile = Profile.model_validate(data)
        self._update_profile(who.telegram_id, profile)
        return profile

    # --- money (branch money) ----------------------------------------------------------------

    async def payment_methods(self) -> list[PaymentMethod]:
        """The configured payment methods."""
        return _methods.validate_python(_items(await self._request("GET", "/payment-methods")))

    async def create_topup(self, who: TelegramIdentity, amount: Decimal, method: str) -> Payment:
        """Start a top-up; the customer pays at `pay_url`."""
        body = {"amount": f"{amount:.2f}", "method": method}
        return Payment.model_validate(await self._as_user(who, "POST", "/users/me/topups", json=body))

    async def purchase(
        self,
        who: TelegramIdentity,
        tariff_id: uuid.UUID,
        location_id: uuid.UUID,
        *,
        method: str | None = None,
        promo_code: str | None = None,
        subscription_id: uuid.UUID | None = None,
    ) -> PurchaseResult:
        """Buy (or extend `subscription_id`) from balance, or get a payment for the difference."""
        body: dict[str, Any] = {"tariff_id": str(tariff_id), "location_id": str(location_id)}
        if method:
            body["method"] = method
        if promo_code:
            body["promo_code"] = promo_code
        if subscription_id:
            body["subscription_id"] = str(subscription_id)
        data = await self._as_user(who, "POST", "/users/me/purchases", json=body)
        return PurchaseResult.model_validate(data)

    async def payments(self, who: TelegramIdentity) -> list[Payment]:
        """The customer's payments, newest first."""
        return _payments.validate_python(_items(await self._as_user(who, "GET", "/users/me/payments")))

    async def balance_history(self, who: TelegramIdentity) -> list[LedgerEntry]:
        """The customer's balance changes, newest first."""
        data = await self._as_user(who, "GET", "/users/me/balance/history")
        return _ledger.validate_python(_items(data))

    async def apply_promo(self, who: TelegramIdentity, code: str) -> PromoResult:
        """Apply a promo code."""
        data = await self._as_user(who, "POST", "/users/me/promo", json={"code": code})
        return PromoResult.model_validate(data)

    async def referrals(self, who: TelegramIdentity) -> ReferralInfo | None:
        """Referral numbers; None while this backend has no referrals endpoint."""
        try:
            data = await self._as_user(who, "GET", "/users/me/referrals")
        except BackendError as exc:
            if exc.route_missing:
                return None
            raise
        return ReferralInfo.model_validate(data)

    async def stars_pre_checkout(self, query: dict[str, Any]) -> StarsCheck:
        """Ask the backend whether a Telegram Stars pre-checkout query may go ahead."""
        data = await self._request(
            "POST",
            "/bot/payments/stars/pre-checkout",
            json=query,
            headers={"X-Bot-Token": self._service_token},
            idempotent=True,
        )
        return StarsCheck.model_validate(data)

    async def stars_paid(self, payment: dict[str, Any]) -> Payment:
        """Report a successful Telegram Stars payment (the backend credits it exactly once)."""
        data = await self._request(
            "POST",
            "/bot/payments/stars/paid",
            json=payment,
            headers={"X-Bot-Token": self._service_token},
            idempotent=True,
        )
        return Payment.model_validate(data)

    # --- support and shop info (branch admin) ------------------------------------------------------

    async def shop_info(self) -> ShopInfo | None:
        """Public shop facts; None while this backend has no shop-info endpoint."""
        try:
            data = await self._request("GET", "/shop-info")
        except BackendError as exc:
            if exc.route_missing:
                return None
            raise
        return ShopInfo.model_validate(data)

    async def create_ticket(self, who: TelegramIdentity, subject: str, text: str) -> Ticket:
        """Open a support ticket."""
        data = await self._as_user(who, "POST", "/users/me/tickets", json={"subject": subject, "text": text})
        return Ticket.model_validate(data)

    async def tickets(self, who: TelegramIdentity) -> list[Ticket]:
        """The customer's tickets."""
        return _tickets.validate_python(_items(await self._as_user(who, "GET", "/users/me/tickets")))

    async def ticket(self, who: TelegramIdentity, ticket_id: uuid.UUID) -> Ticket:
        """One of the customer's own tickets with its messages."""
        return Ticket.model_validate(await self._as_user(who, "GET", f"/users/me/tickets/{ticket_id}"))

    async def reply_ticket(self, who: TelegramIdentity, ticket_id: uuid.UUID, text: str) -> Ticket:
        """Add the customer's message to a ticket."""
        data = await self._as_user(
            who, "POST", f"/users/me/tickets/{ticket_id}/messages", json={"text": text}
        )
        return Ticket.model_validate(data)

    async def close_ticket(self, who: TelegramIdentity, ticket_id: uuid.UUID) -> Ticket:
        """Close a ticket (idempotent: closing a closed ticket changes nothing)."""
        data = await self._as_user(who, "POST", f"/users/me/tickets/{ticket_id}/close", idempotent=True)
        return Ticket.model_validate(data)
