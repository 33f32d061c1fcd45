"""Exact limits (one Redis round trip per check) for the endpoints attackers aim at: login, the bot's
customer login, webhooks. Built on the `limits` library's sliding-window counter."""

from __future__ import annotations

import math
import time

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from redis.asyncio import ConnectionPool

from app.errors import RateLimited

log = structlog.get_logger(__name__)


class ExactLimiter:
    """`await limiter.check("login", "10/minute", ip)` raises RateLimited (429 + Retry-After) when over."""

    def __init__(self, redis_url: str, pool: ConnectionPool, *, enabled: bool = True) -> None:
        self.enabled = enabled
        storage = RedisStorage(
            "async+" + redis_url,
            implementation="redispy",
            connection_pool=pool,  # type: ignore[arg-type]  # typed narrowly by limits; redis-py accepts it
            key_prefix="rl",
            wrap_exceptions=True,
        )
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, rule: str) -> RateLimitItem:
        item = self._items.get(rule)
        if item is None:
            item = self._items[rule] = parse(rule)
        return item

    async def check(self, scope: str, rule: str, *identifiers: str) -> None:
        """Count one hit; over the limit raises 429. Redis trouble lets the request through (logged)."""
        if not self.enabled:
            return
        item = self._item(rule)
        try:
            allowed = await self._limiter.hit(item, scope, *identifiers)
            if allowed:
                return
            stats = await self._limiter.get_window_stats(item, scope, *identifiers)
        except Exception as exc:  # the limiter must never take the API down with Redis
            log.warning("rate_limit_unavailable", scope=scope, error=type(exc).__name__)
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(retry_after, f"Too many requests; try again in {retry_after} s")
