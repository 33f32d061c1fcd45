"""Jobs of the worker itself."""

from __future__ import annotations

from app.kit.time import utcnow
from app.metrics import WORKER_HEARTBEAT
from app.worker.context import JobContext, job

HEARTBEAT_KEY = "worker:heartbeat"


@job("system.heartbeat")
async def heartbeat(ctx: JobContext) -> str:
    """Prove the worker runs jobs: write the time to Redis (read by /readyz-style checks and tests)."""
    now = utcnow()
    await ctx["redis"].set(HEARTBEAT_KEY, now.isoformat(), ex=600)
    WORKER_HEARTBEAT.set(now.timestamp())
    return now.isoformat()
