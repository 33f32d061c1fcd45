"""What every job receives in `ctx`, and the wrapper that names, times and counts job runs."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypedDict

import httpx
import structlog
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.kit.http import new_http_client
from app.metrics import JOB_DURATION, JOB_RUNS

log = structlog.get_logger(__name__)


class JobContext(TypedDict, total=False):
    """arq's ctx plus what our start-up adds."""

    redis: ArqRedis
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    job_id: str
    job_try: int
    http: Any
    panels: Any


JobFn = Callable[..., Awaitable[Any]]


def http_client(ctx: JobContext) -> httpx.AsyncClient:
    """The worker's pooled outgoing HTTP client (created on first use, closed at shutdown)."""
    http: httpx.AsyncClient | None = ctx.get("http")
    if http is None:
        http = new_http_client()
        ctx["http"] = http
    return http


def job(name: str) -> Callable[[JobFn], JobFn]:
    """Register a coroutine as the arq job `name` (e.g. "subscriptions.provision") with logs and metrics."""

    def decorate(fn: JobFn) -> JobFn:
        @functools.wraps(fn)
        async def wrapper(ctx: JobContext, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            structlog.contextvars.bind_contextvars(
                job=name, job_id=ctx.get("job_id"), job_try=ctx.get("job_try")
            )
            try:
                result = await fn(ctx, *args, **kwargs)
            except Exception:
                JOB_RUNS.labels(name, "error").inc()
                log.exception("job_failed")
                raise
            else:
                JOB_RUNS.labels(name, "ok").inc()
                return result
            finally:
                JOB_DURATION.labels(name).observe(time.perf_counter() - start)
                structlog.contextvars.unbind_contextvars("job", "job_id", "job_try")

        wrapper.__qualname__ = name
        wrapper.__name__ = name
        setattr(wrapper, "job_name", name)  # noqa: B010 - read by the worker's function table
        return wrapper

    return decorate
