"""The arq worker runs jobs from Redis with the same settings as the API; jobs are enqueued after commit."""

from __future__ import annotations

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import unit_of_work
from app.worker.enqueue import discard_pending_jobs, enqueue_after_commit, flush_pending_jobs
from app.worker.system_tasks import HEARTBEAT_KEY
from tests.conftest import run_worker_burst


async def test_heartbeat_job_runs_through_a_real_worker(
    settings: Settings, redis: ArqRedis, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with unit_of_work(committed_sessionmaker) as session:
        enqueue_after_commit(session, "system.heartbeat", _job_id="hb-test")
        enqueue_after_commit(session, "system.heartbeat", _job_id="hb-test")  # same id: enqueued once
    worker = await run_worker_burst(settings)
    assert worker.jobs_complete == 1
    assert worker.jobs_failed == 0
    assert await redis.get(HEARTBEAT_KEY)


async def test_rolled_back_jobs_are_never_enqueued(
    redis: ArqRedis, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    try:
        async with unit_of_work(committed_sessionmaker) as session:
            enqueue_after_commit(session, "system.heartbeat", _job_id="dropped")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert await redis.zcard("arq:queue") == 0


async def test_discard_drops_buffered_jobs(redis: ArqRedis, session: AsyncSession) -> None:
    enqueue_after_commit(session, "system.heartbeat")
    discard_pending_jobs(session)
    await flush_pending_jobs(session)
    assert await redis.zcard("arq:queue") == 0
