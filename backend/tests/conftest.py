"""Test fixtures: real PostgreSQL and Redis started by infra/local/services.sh (make test).

Each test runs inside a transaction rolled back at the end (fast, isolated). Tests that need real
commits (concurrency, the worker, other processes) use the `committed_*` fixtures, which truncate
every table afterwards.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from arq.connections import ArqRedis
from arq.worker import Worker
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Environment, Settings
from app.db import create_engine, create_sessionmaker
from app.deps import get_db_session
from app.kit.crypto import configure_encryption
from app.main import attach_resources, create_app
from app.models import Base
from app.redis import create_redis
from app.worker.context import JobContext
from app.worker.enqueue import configure_queue, discard_pending_jobs, flush_pending_jobs
from app.worker.registry import close_resources, function_table, open_resources

BACKEND_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        # Never skip: a missing database or Redis is a failure (run the suite through `make test`).
        pytest.fail(
            f"{name} is not set: run the tests with `make test` (it starts PostgreSQL and Redis)",
            pytrace=False,
        )
    return value


TEST_SECRETS = {
    "jwt_secret_key": "test-jwt-secret-key-0123456789abcdef0123456789",
    "secret_key": "test-encryption-key-0123456789abcdef0123456789",
    "bot_service_token": "test-bot-service-token-0123456789abcdef",
}


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests, never read from the developer's .env."""
    values: dict[str, Any] = {
        "environment": Environment.test,
        "database_url": os.environ["TEST_DATABASE_URL"],
        "redis_url": os.environ["TEST_REDIS_URL"],
        "log_json": True,
        "public_base_url": "https://shop.test",
        "admin_username": None,
        "admin_password": None,
        **TEST_SECRETS,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The test settings."""
    _require_env("TEST_DATABASE_URL")
    _require_env("TEST_REDIS_URL")
    configure_encryption(TEST_SECRETS["secret_key"])
    return make_settings()


def alembic_config(url: str) -> Config:
    """An Alembic config pointed at `url`."""
    cfg = Config(os.path.join(BACKEND_DIR, "alembic.ini"))
    cfg.set_main_option("script_location", os.path.join(BACKEND_DIR, "migrations"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    return cfg


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The migrated test database (migrated once per run)."""
    eng = create_engine(settings, pool_size=20)
    async with eng.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    async with eng.connect() as conn:
        cfg = alembic_config(settings.database_url)

        def _upgrade(sync_conn: Any) -> None:
            cfg.attributes["connection"] = sync_conn
            command.upgrade(cfg, "head")

        await conn.run_sync(_upgrade)
        await conn.commit()
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
async def redis(settings: Settings) -> AsyncIterator[ArqRedis]:
    """The test Redis, also the queue for after-commit jobs."""
    client = create_redis(settings)
    await client.ping()
    configure_queue(client)
    yield client
    await client.aclose()


@pytest.fixture(autouse=True)
async def _clean_redis(redis: ArqRedis) -> None:
    await redis.flushdb()
    # Apps built by tests point the process-wide queue at their Redis; reset it for every test.
    configure_queue(redis)


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose outer transaction is rolled back after the test."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        yield conn
        if trans.is_active:
            await trans.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """The test's session: commits become savepoints inside the rolled-back transaction."""
    async with AsyncSession(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    ) as s:
        yield s


def _build_app(settings: Settings, engine: AsyncEngine, redis: ArqRedis) -> FastAPI:
    app = create_app(settings)
    attach_resources(app, engine, redis)
    return app


def app_on_session(
    settings: Settings, engine: AsyncEngine, redis: ArqRedis, session: AsyncSession
) -> FastAPI:
    """An API app whose requests share `session` (the test's rolled-back transaction)."""
    application = _build_app(settings, engine, redis)

    async def _session() -> AsyncIterator[AsyncSession]:
        # Keep the test's own setup out of the request's savepoint, so a failing request rolls back
        # only what the request did (as a real per-request session would).
        await session.commit()
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            discard_pending_jobs(session)
            raise
        await flush_pending_jobs(session)

    application.dependency_overrides[get_db_session] = _session
    return application


@pytest.fixture
async def app(settings: Settings, engine: AsyncEngine, redis: ArqRedis, session: AsyncSession) -> FastAPI:
    """The API app whose requests share the test's rolled-back session."""
    return app_on_session(settings, engine, redis, session)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client talking to the app in-process."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def run_worker_burst(
    settings: Settings, *, max_jobs: int = 20, without: tuple[str, ...] = ()
) -> Worker:
    """Run an arq worker with every job of the app until the queue is empty (jobs commit for real).

    Jobs named in `without` are left out: arq fails them at once ("function not found"), so a test of
    one domain is not held up by another domain's retries (e.g. provisioning on a panel it never set up).
    """
    redis = create_redis(settings)

    async def startup(ctx: JobContext) -> None:
        await open_resources(ctx, settings)

    worker = Worker(
        functions=[f for f in function_table() if f.name not in without],
        redis_pool=redis,
        on_startup=startup,  # type: ignore[arg-type]
        on_shutdown=close_resources,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        max_jobs=max_jobs,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
        await redis.aclose()
    return worker


async def truncate_all(engine: AsyncEngine) -> None:
    """Empty every table (append-only triggers are bypassed by TRUNCATE, which is what tests need)."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def committed_sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that really commit; every table is emptied after the test."""
    yield create_sessionmaker(engine)
    await truncate_all(engine)


@pytest.fixture
async def committed_app(
    settings: Settings, engine: AsyncEngine, redis: ArqRedis, committed_sessionmaker: Any
) -> FastAPI:
    """The API app with real per-request transactions (for concurrency tests)."""
    return _build_app(settings, engine, redis)


@pytest.fixture
async def committed_client(committed_app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client for the committed app."""
    async with AsyncClient(transport=ASGITransport(app=committed_app), base_url="http://test") as c:
        yield c
