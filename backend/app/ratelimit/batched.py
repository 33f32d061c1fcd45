"""Cheap shared limits for high-volume reads (customer and public endpoints).

Each process counts hits locally per key and window, and once a second sends its increments to Redis
in one pipeline, reading back the cluster-wide totals. A request is judged on the last known total plus
the local hits since: limits hold across replicas within about a second, and a request costs no Redis
round trip (a per-request Redis call costs as much CPU as the database query these endpoints make).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis

from app.errors import RateLimited

log = structlog.get_logger(__name__)


@dataclass
class _Window:
    start: float
    known_total: int = 0  # cluster-wide count at the last sync (this process's flushed hits included)
    unsynced: int = 0  # local hits not yet sent to Redis


class BatchedLimiter:
    """Fixed-window limits per key, synchronised with Redis in the background."""

    def __init__(
        self,
        redis: Redis,
        *,
        limit: int,
        window_seconds: int,
        scope: str,
        sync_interval: float = 1.0,
        enabled: bool = True,
    ) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window_seconds
        self.scope = scope
        self.sync_interval = sync_interval
        self.enabled = enabled
        self._windows: dict[str, _Window] = {}
        self._task: asyncio.Task[None] | None = None

    def _current(self, key: str, now: float) -> _Window:
        start = now - (now % self.window)
        win = self._windows.get(key)
        if win is None or win.start != start:
            win = self._windows[key] = _Window(start=start)
        return win

    def hit(self, key: str) -> None:
        """Count a request for `key`; raise 429 once the shared total is over the limit."""
        if not self.enabled:
            return
        now = time.time()
        win = self._current(key, now)
        if win.known_total + win.unsynced >= self.limit:
            retry_after = max(1, math.ceil(win.start + self.window - now))
            raise RateLimited(retry_after, f"Too many requests; try again in {retry_after} s")
        win.unsynced += 1
        self._ensure_task()

    def _ensure_task(self) -> None:
        if self._task is None or self._task.done():
            with contextlib.suppress(RuntimeError):
                self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._windows:
            await asyncio.sleep(self.sync_interval)
            await self.sync()

    async def sync(self) -> None:
        """Send local increments to Redis and learn the shared totals; drop finished windows."""
        now = time.time()
        items = list(self._windows.items())
        if not items:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key, win in items:
                    rkey = f"rlb:{self.scope}:{key}:{int(win.start)}"
                    pipe.incrby(rkey, win.unsynced)
                    pipe.expire(rkey, self.window * 2)
                results = await pipe.execute()
        except Exception as exc:  # Redis down: keep limiting locally, try again next tick
            log.warning("rate_limit_sync_failed", scope=self.scope, error=type(exc).__name__)
            return
        for (key, win), total in zip(items, results[::2], strict=True):
            win.known_total = int(total)
            win.unsynced = 0
            if win.start + self.window <= now:
                self._windows.pop(key, None)

    async def close(self) -> None:
        """Flush what is pending and stop the background task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.sync()
