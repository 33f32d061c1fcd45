"""The arq worker runs jobs from Redis with the same settings as the API."""

from __future__ import annotations

from arq.connections import ArqRedis
from arq.worker import Worker

from app.config import Settings
from app.worker.context import JobContext
from app.worker.enqueue import enqueue_after_commit, flush_pending_jobs
from app.worker.registry import close_resources, function_table, open_resources
from app.worker.system_tasks import HEARTBEAT_KEY


async def test_heartbeat_job_runs_through_a_real_worker(settings: Settings, redis: ArqRedis, session) -> None:  # type: ignore[no-untyped-def]
    enqueue_after_commit(session, "system.heartbeat", _job_id="hb-test")
    await session.commit()
    await flush_pending_jobs(session)

    async def startup(ctx: JobContext) -> None:
        await open_resources(ctx, settings)

    worker = Worker(
        functions=function_table(),
        redis_pool=redis,
        on_startup=startup,  # type: ignore[arg-type]
        on_shutdown=close_resources,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
    )
    await worker.main()
    assert worker.jobs_complete == 1 and worker.jobs_failed == 0
    assert await redis.get(HEARTBEAT_KEY)
    await worker.close()


async def test_rolled_back_jobs_are_never_enqueued(redis: ArqRedis, session) -> None:  # type: ignore[no-untyped-def]
    from app.worker.enqueue import discard_pending_jobs

    enqueue_after_commit(session, "system.heartbeat", _job_id="dropped")
    discard_pending_jobs(session)
    await flush_pending_jobs(session)
    assert await redis.zcard("arq:queue") == 0
