"""The broadcast jobs: `broadcasts.send` (one sender for the whole bot) and a sweeper that resumes it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.broadcasts import repository
from app.broadcasts.sender import BroadcastSender
from app.broadcasts.throttle import TokenBucket
from app.db import unit_of_work
from app.models.enums import BroadcastStatus
from app.notifications.tasks import bot_client
from app.worker.context import JobContext, job

log = structlog.get_logger(__name__)

# pg_try_advisory_lock(class, key): the class names this lock among the application's advisory locks.
_LOCK_CLASS = 0x42C
_LOCK_KEY = 1


@asynccontextmanager
async def sender_lock(engine: AsyncEngine) -> AsyncIterator[bool]:
    """Hold the one broadcast sender lock while the block runs; yields False when someone else has it.

    A session-level advisory lock on its own connection: if the process dies, PostgreSQL drops the
    connection and the lock with it, so a successor never waits for a lease to expire.
    """
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
        # Notice a vanished peer within about a minute even when its host died without closing the socket.
        for name, value in (("tcp_keepalives_idle", 30), ("tcp_keepalives_interval", 10)):
            await conn.execute(select(func.set_config(name, str(value), False)))
        locked = bool(await conn.scalar(select(func.pg_try_advisory_lock(_LOCK_CLASS, _LOCK_KEY))))
        try:
            yield locked
        finally:
            if locked:
                await conn.execute(select(func.pg_advisory_unlock(_LOCK_CLASS, _LOCK_KEY)))


async def _send_all(ctx: JobContext) -> str:
    settings = ctx["settings"]
    sessionmaker = ctx["sessionmaker"]
    async with unit_of_work(sessionmaker) as session:
        lost = await repository.fail_in_flight(session)
    if lost:
        log.warning("broadcast_deliveries_unknown", count=lost)
    client = bot_client(ctx)
    deadline = time.monotonic() + settings.broadcast_chunk_seconds
    bucket = TokenBucket(settings.broadcast_rate_per_second)
    while True:
        async with sessionmaker() as session:
            queue = await repository.running(session)
            if not queue:
                return "idle"
            broadcast = queue[0]
            if client is None:
                await repository.finish(
                    session, broadcast.id, BroadcastStatus.failed, "TELEGRAM_BOT_TOKEN is not set"
                )
                await session.commit()
                continue
        sender = BroadcastSender(client, sessionmaker, bucket, concurrency=settings.broadcast_concurrency)
        log.info("broadcast_sending", broadcast_id=str(broadcast.id), from_seq=broadcast.checkpoint)
        if await sender.run(broadcast, deadline) == "continue":
            return "continue"


@job("broadcasts.send")
async def send_broadcasts(ctx: JobContext, broadcast_id: str | None = None) -> str:
    """Send every running broadcast, oldest first, for up to BROADCAST_CHUNK_SECONDS; then hand over.

    Safe to run any number of times at once: one run holds the sender lock, the others return "busy".
    `broadcast_id` only names the broadcast that asked for the run.
    """
    async with sender_lock(ctx["engine"]) as locked:
        if not locked:
            return "busy"
        result = await _send_all(ctx)
    if result == "continue":
        # Enqueued after the lock is released, so the next run can take it.
        await ctx["redis"].enqueue_job("broadcasts.send", broadcast_id)
    return result


@job("broadcasts.resume")
async def resume_broadcasts(ctx: JobContext) -> str:
    """Cron: when a broadcast is running, make sure a sender runs (after a crash or a lost job)."""
    async with ctx["sessionmaker"]() as session:
        queue = await repository.running(session)
    if not queue:
        return "nothing running"
    await ctx["redis"].enqueue_job("broadcasts.send", str(queue[0].id))
    return f"{len(queue)} running"
