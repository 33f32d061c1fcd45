"""Jobs of the worker itself."""

from __future__ import annotations

from app.kit.time import utcnow
from app.worker.context import JobContext, job

HEARTBEAT_KEY = "worker:heartbeat"


@job("system.heartbeat")
async def heartbeat(ctx: JobContext) -> str:
    """Prove the worker runs jobs: write the time to Redis (read by /readyz-style checks and tests)."""
    now = utcnow().isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, now, ex=600)
    return now
