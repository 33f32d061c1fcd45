"""A per-user flood guard: a token bucket in memory (one bot process serves every update)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.api.client import BackendClient
from bot.i18n import guess_locale, text

log = structlog.get_logger(__name__)
_MAX_TRACKED = 50_000


class ThrottlingMiddleware(BaseMiddleware):
    """Drops a user's updates beyond `rate` per second (after a `burst`); a dropped button press is still
    answered, so nothing keeps spinning."""

    def __init__(self, api: BackendClient, rate: float, burst: int) -> None:
        self.api = api
        self.rate = rate
        self.burst = float(burst)
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()
        self._warned: set[int] = set()

    def allow(self, user_id: int, now: float | None = None) -> bool:
        """Take one token from the user's bucket, if there is one."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(user_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self._buckets[user_id] = (tokens - 1 if allowed else tokens, now)
        self._buckets.move_to_end(user_id)
        while len(self._buckets) > _MAX_TRACKED:
            self._buckets.popitem(last=False)
        if allowed:
            self._warned.discard(user_id)
        return allowed

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Pass the update on, or drop it with a short polite answer."""
        user: User | None = data.get("event_from_user")
        # Payments must never be dropped: Telegram waits for the pre-checkout answer.
        if user is None or not isinstance(event, Update) or event.pre_checkout_query or self.allow(user.id):
            return await handler(event, data)
        log.info("update_throttled", telegram_id=user.id, update_id=event.update_id)
        cached = self.api.cached_profile(user.id)
        locale = cached.language if cached else guess_locale(user.language_code)
        if event.callback_query is not None:
            await event.callback_query.answer(text(locale, "too-many"))
        elif event.message is not None and user.id not in self._warned:
            self._warned.add(user.id)
            await event.message.answer(text(locale, "too-many"))
        return None
