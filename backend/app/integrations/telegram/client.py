"""BotApiClient: sends through the Bot API at TELEGRAM_API_URL (Telegram, or a local emulator)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.integrations.telegram.errors import (
    TelegramBadRequest,
    TelegramError,
    TelegramForbidden,
    TelegramRetryAfter,
    TelegramUnavailable,
)


class BotApiClient:
    """Typed calls of the Bot API methods the backend needs."""

    def __init__(self, base_url: str, token: str, http: httpx.AsyncClient) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/"
        self._http = http

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        """Call a method; Telegram's envelope is unwrapped and its errors become exceptions."""
        data = {
            k: (json.dumps(v) if isinstance(v, dict | list) else v)
            for k, v in (params or {}).items()
            if v is not None
        }
        try:
            if files:
                resp = await self._http.post(self._url + method, data=data, files=files)
            else:
                resp = await self._http.post(
                    self._url + method, json={k: v for k, v in (params or {}).items() if v is not None}
                )
        except httpx.HTTPError as exc:
            raise TelegramUnavailable(f"{method}: {type(exc).__name__}") from exc
        try:
            body = resp.json()
        except ValueError:
            raise TelegramUnavailable(f"{method}: HTTP {resp.status_code} without JSON") from None
        if body.get("ok"):
            return body.get("result")
        code = int(body.get("error_code", resp.status_code))
        description = str(body.get("description", "unknown error"))
        if code == 429:
            retry_after = int((body.get("parameters") or {}).get("retry_after", 1))
            raise TelegramRetryAfter(description, retry_after)
        if code == 403:
            raise TelegramForbidden(description)
        if code == 400:
            raise TelegramBadRequest(description)
        if code >= 500:
            raise TelegramUnavailable(description)
        raise TelegramError(description)

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None = "HTML",
        reply_markup: dict[str, Any] | None = None,
        disable_web_page_preview: bool = True,
    ) -> dict[str, Any]:
        """sendMessage."""
        result: dict[str, Any] = await self.call(
            "sendMessage",
            {
                "chat_id": chat_id,
                "text": text,
                "parse_mode": parse_mode,
                "reply_markup": reply_markup,
                "link_preview_options": {"is_disabled": disable_web_page_preview},
            },
        )
        return result

    async def send_photo(
        self,
        chat_id: int,
        photo: bytes,
        *,
        caption: str | None = None,
        parse_mode: str | None = "HTML",
        filename: str = "qr.png",
        reply_markup: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """sendPhoto with an uploaded PNG."""
        result: dict[str, Any] = await self.call(
            "sendPhoto",
            {"chat_id": chat_id, "caption": caption, "parse_mode": parse_mode, "reply_markup": reply_markup},
            files={"photo": (filename, photo, "image/png")},
        )
        return result

    async def create_invoice_link(self, *, title: str, description: str, payload: str, stars: int) -> str:
        """createInvoiceLink for a Telegram Stars (XTR) payment."""
        result: str = await self.call(
            "createInvoiceLink",
            {
                "title": title,
                "description": description,
                "payload": payload,
                "provider_token": "",
                "currency": "XTR",
                "prices": [{"label": title, "amount": stars}],
            },
        )
        return result

    async def answer_pre_checkout_query(
        self, query_id: str, ok: bool, error_message: str | None = None
    ) -> bool:
        """answerPreCheckoutQuery."""
        return bool(
            await self.call(
                "answerPreCheckoutQuery",
                {"pre_checkout_query_id": query_id, "ok": ok, "error_message": error_message},
            )
        )

    async def refund_star_payment(self, user_id: int, charge_id: str) -> bool:
        """refundStarPayment."""
        return bool(
            await self.call(
                "refundStarPayment", {"user_id": user_id, "telegram_payment_charge_id": charge_id}
            )
        )
