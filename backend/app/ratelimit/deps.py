"""The limiters of an app instance and the dependencies that apply them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from limits import parse
from redis.asyncio import Redis

from app.config import Settings
from app.deps import client_ip
from app.ratelimit.batched import BatchedLimiter
from app.ratelimit.exact import ExactLimiter
from app.ratelimit.lockout import LoginLockout


@dataclass
class Limiters:
    """Everything rate-limit related of one app (built at start-up)."""

    exact: ExactLimiter
    customer: BatchedLimiter
    public: BatchedLimiter
    lockout: LoginLockout
    settings: Settings

    async def close(self) -> None:
        """Flush the batched counters."""
        await self.customer.close()
        await self.public.close()


def build_limiters(settings: Settings, redis: Redis) -> Limiters:
    """Limiters configured from settings."""
    enabled = settings.rate_limits_enabled
    customer = parse(settings.rate_limit_customer)
    public = parse(settings.rate_limit_public)
    return Limiters(
        exact=ExactLimiter(settings.redis_url, redis.connection_pool, enabled=enabled),
        customer=BatchedLimiter(
            redis,
            limit=customer.amount,
            window_seconds=customer.get_expiry(),
            scope="customer",
            enabled=enabled,
        ),
        public=BatchedLimiter(
            redis, limit=public.amount, window_seconds=public.get_expiry(), scope="public", enabled=enabled
        ),
        lockout=LoginLockout(
            redis,
            account_attempts=settings.login_lockout_attempts,
            ip_attempts=settings.login_lockout_ip_attempts,
            seconds=settings.login_lockout_seconds,
            enabled=enabled,
        ),
        settings=settings,
    )


def limiters(request: Request) -> Limiters:
    """The app's limiters."""
    value: Limiters = request.app.state.limiters
    return value


async def limit_public(request: Request) -> None:
    """Per-address limit of the public endpoints (catalog, /sub links)."""
    limiters(request).public.hit(client_ip(request))


async def limit_webhooks(request: Request) -> None:
    """Per-address limit of the payment webhooks."""
    lim = limiters(request)
    await lim.exact.check("webhook", lim.settings.rate_limit_webhooks, client_ip(request))


async def limit_login(request: Request) -> None:
    """Per-address limit of staff login attempts (the lockout counts failures separately)."""
    lim = limiters(request)
    await lim.exact.check("login", lim.settings.rate_limit_login, client_ip(request))
