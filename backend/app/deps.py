"""Request-scoped dependencies shared by every domain: settings, session, Redis, client IP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from arq.connections import ArqRedis
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.worker.enqueue import discard_pending_jobs, flush_pending_jobs


def get_settings_dep(request: Request) -> Settings:
    """The app's settings (tests build apps with their own)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit on success before the response is sent, roll back on error."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            discard_pending_jobs(session)
            raise
    await flush_pending_jobs(session)


def get_redis(request: Request) -> ArqRedis:
    """The shared Redis/arq client."""
    redis: ArqRedis = request.app.state.redis
    return redis


def client_ip(request: Request) -> str:
    """The caller's address (nginx sets X-Real-IP in production)."""
    real = request.headers.get("x-real-ip")
    if real and request.app.state.settings.trust_proxy_headers:
        return real.strip()
    return request.client.host if request.client else "unknown"


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
RedisDep = Annotated[ArqRedis, Depends(get_redis)]
ClientIpDep = Annotated[str, Depends(client_ip)]
