"""Jobs enqueued during a transaction are sent to arq only after it commits (dropped on rollback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger(__name__)

_KEY = "pending_jobs"
_redis: ArqRedis | None = None


@dataclass
class PendingJob:
    """A job waiting for its transaction to commit."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


def configure_queue(redis: ArqRedis | None) -> None:
    """Set the arq connection that committed jobs go to (app start-up, worker start-up, tests)."""
    global _redis  # noqa: PLW0603 - the one queue connection of the process
    _redis = redis


def get_queue() -> ArqRedis:
    """The configured arq connection."""
    if _redis is None:
        raise RuntimeError("the job queue is not configured")
    return _redis


def enqueue_after_commit(session: AsyncSession, name: str, *args: Any, **kwargs: Any) -> None:
    """Buffer a job on the session; pass `_job_id=` to make a duplicate enqueue a no-op."""
    session.info.setdefault(_KEY, []).append(PendingJob(name, args, kwargs))


def discard_pending_jobs(session: AsyncSession) -> None:
    """Forget the buffered jobs of a rolled-back transaction."""
    session.info.pop(_KEY, None)


async def flush_pending_jobs(session: AsyncSession) -> None:
    """Send the buffered jobs of a committed transaction to arq.

    A failure here is logged, not raised: the database already holds the truth and the
    sweepers re-enqueue work that the database says is still pending.
    """
    jobs: list[PendingJob] = session.info.pop(_KEY, [])
    for job in jobs:
        try:
            await get_queue().enqueue_job(job.name, *job.args, **job.kwargs)
        except Exception as exc:
            log.warning("enqueue_failed", job=job.name, error=str(exc) or type(exc).__name__)
