"""Rate limits (429 + Retry-After) and login lockout, shared through Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from arq.connections import ArqRedis
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.tokens import TokenType, issue_token
from app.errors import RateLimited
from app.ratelimit.batched import BatchedLimiter
from app.ratelimit.exact import ExactLimiter
from app.redis import create_redis
from tests.conftest import app_on_session, make_settings
from tests.factories import DEFAULT_PASSWORD, create_admin, create_user

ClientFactory = Callable[..., Any]


@pytest.fixture
async def client_with(
    engine: AsyncEngine, redis: ArqRedis, session: AsyncSession
) -> AsyncIterator[Callable[..., Any]]:
    """Build a client whose app has the given setting overrides."""
    clients: list[AsyncClient] = []

    async def build(**overrides: Any) -> AsyncClient:
        settings = make_settings(**overrides)
        app = app_on_session(settings, engine, redis, session)
        c = AsyncClient(transport=ASGITransport(app=app), base_url="http://test")
        clients.append(c)
        return c

    yield build
    for c in clients:
        await c.aclose()


def login_body(username: str, password: str) -> dict[str, str]:
    return {"username": username, "password": password}


class TestLoginLockout:
    async def test_account_locks_after_repeated_failures(
        self, client_with: ClientFactory, session: AsyncSession
    ) -> None:
        client = await client_with(login_lockout_attempts=3)
        name = (await create_admin(session)).username
        for _ in range(3):
            resp = await client.post("/api/v1/auth/login", json=login_body(name, "wrong"))
            assert resp.status_code == 401
        # Even the right password is refused while locked.
        resp = await client.post("/api/v1/auth/login", json=login_body(name, DEFAULT_PASSWORD))
        assert resp.status_code == 429
        assert resp.json()["error"] == "LoginLocked"
        assert 1 <= int(resp.headers["retry-after"]) <= 900
        other = (await create_admin(session)).username
        ok = await client.post("/api/v1/auth/login", json=login_body(other, DEFAULT_PASSWORD))
        assert ok.status_code == 200

    async def test_success_forgives_earlier_failures(
        self, client_with: ClientFactory, session: AsyncSession
    ) -> None:
        client = await client_with(login_lockout_attempts=3)
        name = (await create_admin(session)).username
        for _ in range(2):
            await client.post("/api/v1/auth/login", json=login_body(name, "wrong"))
        assert (
            await client.post("/api/v1/auth/login", json=login_body(name, DEFAULT_PASSWORD))
        ).status_code == 200
        for _ in range(2):
            await client.post("/api/v1/auth/login", json=login_body(name, "wrong"))
        assert (
            await client.post("/api/v1/auth/login", json=login_body(name, DEFAULT_PASSWORD))
        ).status_code == 200

    async def test_address_locks_after_failures_on_many_accounts(self, client_with: ClientFactory) -> None:
        client = await client_with(login_lockout_ip_attempts=4)
        for i in range(4):
            await client.post("/api/v1/auth/login", json=login_body(f"guess{i}", "wrong"))
        resp = await client.post("/api/v1/auth/login", json=login_body("someone-else", "wrong"))
        assert resp.status_code == 429
        assert "address" in resp.json()["detail"]


class TestRateLimits:
    async def test_login_rate_per_address(self, client_with: ClientFactory) -> None:
        client = await client_with(rate_limit_login="3/minute", login_lockout_ip_attempts=100)
        codes = [
            (await client.post("/api/v1/auth/login", json=login_body("x", "y"))).status_code for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]

    async def test_telegram_auth_per_telegram_user(self, client_with: ClientFactory) -> None:
        client = await client_with(rate_limit_telegram_auth="2/minute")
        headers = {"X-Bot-Token": make_settings().bot_service_token.get_secret_value()}
        codes = [
            (
                await client.post("/api/v1/auth/telegram", json={"telegram_id": 5151}, headers=headers)
            ).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        other = await client.post("/api/v1/auth/telegram", json={"telegram_id": 5152}, headers=headers)
        assert other.status_code == 200

    async def test_customer_reads_per_customer(
        self, client_with: ClientFactory, session: AsyncSession
    ) -> None:
        settings = make_settings(rate_limit_customer="3/minute")
        client = await client_with(rate_limit_customer="3/minute")
        user = await create_user(session)
        token, _ = issue_token(settings, user.id, TokenType.user, 600)
        headers = {"Authorization": f"Bearer {token}"}
        codes = [(await client.get("/api/v1/users/me", headers=headers)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]

    async def test_public_reads_per_address(self, client_with: ClientFactory) -> None:
        client = await client_with(rate_limit_public="2/minute")
        codes = [(await client.get("/api/v1/locations")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]

    async def test_limits_can_be_switched_off(self, client_with: ClientFactory) -> None:
        client = await client_with(rate_limit_public="1/minute", rate_limits_enabled=False)
        codes = [(await client.get("/api/v1/locations")).status_code for _ in range(3)]
        assert codes == [200, 200, 200]


class TestLimiters:
    async def test_batched_limit_is_shared_between_processes(self, redis: ArqRedis) -> None:
        a = BatchedLimiter(redis, limit=5, window_seconds=60, scope="t")
        b = BatchedLimiter(redis, limit=5, window_seconds=60, scope="t")
        for _ in range(3):
            a.hit("k")
        await a.sync()
        b.hit("k")
        await b.sync()
        b.hit("k")
        with pytest.raises(RateLimited):
            b.hit("k")
        await a.close()
        await b.close()

    async def test_redis_down_lets_requests_through(self) -> None:
        dead = create_redis(make_settings(redis_url="redis://127.0.0.1:1/0"))
        exact = ExactLimiter("redis://127.0.0.1:1/0", dead.connection_pool)
        for _ in range(3):
            await exact.check("login", "1/minute", "1.2.3.4")
        batched = BatchedLimiter(dead, limit=100, window_seconds=60, scope="t")
        batched.hit("k")
        await batched.sync()  # logs and keeps counting locally
        batched.hit("k")
        await batched.close()
        await dead.aclose()
