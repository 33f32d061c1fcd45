"""BackendClient: the bot's only way to the data, over HTTP with the service token and customer tokens."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from bot.api.errors import BackendError, BackendUnavailable
from bot.api.models import AuthResult, Profile

# Refresh a customer token this long before it expires.
_TOKEN_MARGIN_SECONDS = 60


@dataclass
class TelegramIdentity:
    """The Telegram user the bot acts for."""

    telegram_id: int
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    language_code: str | None = None


class BackendClient:
    """Typed calls to /api/v1; caches one customer token per Telegram user."""

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
        self._tokens: dict[int, tuple[str, float]] = {}

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        try:
            resp = await self._http.request(method, path, headers=hdrs, **kwargs)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(str(exc) or type(exc).__name__) from exc
        if resp.status_code >= 500:
            raise BackendUnavailable(f"backend answered {resp.status_code}")
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                body = {}
            detail = body.get("detail") if isinstance(body, dict) else None
            raise BackendError(
                resp.status_code,
                str(body.get("error", "Error")) if isinstance(body, dict) else "Error",
                detail if isinstance(detail, str) else str(detail or resp.reason_phrase),
            )
        if resp.status_code == 204:
            return None
        return resp.json()

    async def login(self, who: TelegramIdentity, referral_code: str | None = None) -> AuthResult:
        """Register or refresh the Telegram user and remember their token."""
        body = {
            "telegram_id": who.telegram_id,
            "username": who.username,
            "first_name": who.first_name,
            "last_name": who.last_name,
            "language_code": who.language_code,
            "referral_code": referral_code,
        }
        data = await self._request(
            "POST", "/auth/telegram", json=body, headers={"X-Bot-Token": self._service_token}
        )
        result = AuthResult.model_validate(data)
        self._tokens[who.telegram_id] = (result.access_token, time.monotonic() + result.expires_in)
        return result

    async def token_for(self, who: TelegramIdentity) -> str:
        """A valid customer token, logging in again when the cached one is about to expire."""
        cached = self._tokens.get(who.telegram_id)
        if cached and cached[1] - _TOKEN_MARGIN_SECONDS > time.monotonic():
            return cached[0]
        return (await self.login(who)).access_token

    async def me(self, who: TelegramIdentity) -> Profile:
        """The customer's profile."""
        return Profile.model_validate(
            await self._request("GET", "/users/me", token=await self.token_for(who))
        )
