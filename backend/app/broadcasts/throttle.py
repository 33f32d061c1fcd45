"""A token bucket with a global pause, pacing one process's Bot API calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

# Float arithmetic leaves a refilled token at 0.9999999...; without a tolerance the wait never ends.
_EPSILON = 1e-9


class TokenBucket:
    """`await bucket.acquire()` before each call: at most `rate` calls a second, `capacity` at once.

    `pause(seconds)` stops every caller (Telegram's 429 retry_after applies to the whole bot), and the
    rate restarts from an empty bucket afterwards, so a pause never ends in a burst.
    """

    def __init__(
        self,
        rate: float,
        capacity: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        """Wait for a token (callers are served in arrival order)."""
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                self._refill(now)
                if self._tokens >= 1 - _EPSILON:
                    self._tokens = max(self._tokens - 1, 0.0)
                    return
                await self._sleep((1 - self._tokens) / self.rate)

    def pause(self, seconds: float) -> None:
        """Stop handing out tokens for `seconds` from now."""
        now = self._clock()
        self._paused_until = max(self._paused_until, now + seconds)
        self._tokens = 0.0
        self._updated = self._paused_until
