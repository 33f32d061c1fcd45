"""The async engine, the session factory and the request-scoped session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.config import Settings
from app.worker.enqueue import discard_pending_jobs, flush_pending_jobs


def create_engine(settings: Settings, *, pool_size: int | None = None) -> AsyncEngine:
    """An asyncpg engine with a bounded pool and a statement timeout, so nothing hangs forever."""
    return create_async_engine(
        settings.database_url,
        pool_size=pool_size or settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=True,
        pool_timeout=10,
        pool_recycle=1800,
        connect_args={
            "timeout": 5,
            "command_timeout": settings.database_statement_timeout_ms / 1000,
            "server_settings": {
                "statement_timeout": str(settings.database_statement_timeout_ms),
                "application_name": "vpnshop",
                # JIT compiling costs 100-200 ms per query and pays off only on long analytical scans;
                # for this API it made the dashboard's aggregates several times slower.
                "jit": "off",
            },
        },
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: commit on success, roll back on error, then hand buffered jobs to arq."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            discard_pending_jobs(session)
            raise
    await flush_pending_jobs(session)
