"""Login lockout: after N failed logins an account (or an address) is refused for a while."""

from __future__ import annotations

import structlog
from redis.asyncio import Redis

from app.errors import RateLimited

log = structlog.get_logger(__name__)


class LoginLocked(RateLimited):
    """Too many failed logins for this account or address."""


class LoginLockout:
    """Counts failures per account and per IP; a success clears the account's count."""

    def __init__(
        self, redis: Redis, *, account_attempts: int, ip_attempts: int, seconds: int, enabled: bool = True
    ) -> None:
        self.redis = redis
        self.account_attempts = account_attempts
        self.ip_attempts = ip_attempts
        self.seconds = seconds
        self.enabled = enabled

    @staticmethod
    def _keys(username: str, ip: str) -> tuple[str, str]:
        return f"lockout:acct:{username.lower()}", f"lockout:ip:{ip}"

    async def ensure_allowed(self, username: str, ip: str) -> None:
        """Refuse the attempt while the account or the address is locked."""
        if not self.enabled:
            return
        acct, addr = self._keys(username, ip)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.get(acct)
                pipe.ttl(acct)
                pipe.get(addr)
                pipe.ttl(addr)
                a_count, a_ttl, i_count, i_ttl = await pipe.execute()
        except Exception as exc:
            log.warning("lockout_unavailable", error=type(exc).__name__)
            return
        if a_count is not None and int(a_count) >= self.account_attempts:
            raise LoginLocked(max(int(a_ttl), 1), "Too many failed logins for this account; try again later")
        if i_count is not None and int(i_count) >= self.ip_attempts:
            raise LoginLocked(max(int(i_ttl), 1), "Too many failed logins from this address; try again later")

    async def record_failure(self, username: str, ip: str) -> None:
        """Count a failed attempt against both the account and the address."""
        if not self.enabled:
            return
        acct, addr = self._keys(username, ip)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.incr(acct)
                pipe.expire(acct, self.seconds, nx=True)
                pipe.incr(addr)
                pipe.expire(addr, self.seconds, nx=True)
                counts = await pipe.execute()
        except Exception as exc:
            log.warning("lockout_unavailable", error=type(exc).__name__)
            return
        if int(counts[0]) == self.account_attempts:
            log.warning("login_locked", username=username, ip=ip, scope="account")
        if int(counts[2]) == self.ip_attempts:
            log.warning("login_locked", username=username, ip=ip, scope="ip")

    async def record_success(self, username: str) -> None:
        """A successful login forgives the account's earlier failures."""
        if not self.enabled:
            return
        try:
            await self.redis.delete(self._keys(username, "-")[0])
        except Exception as exc:
            log.warning("lockout_unavailable", error=type(exc).__name__)
