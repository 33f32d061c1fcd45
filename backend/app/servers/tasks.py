"""Jobs of the servers domain: the health check of every active panel."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from app.db import unit_of_work
from app.models import Server
from app.servers.health import CheckResult, apply_check, run_check
from app.servers.panels import panel_config, worker_pool
from app.worker.context import JobContext, job

# Checks run side by side, but not hundreds at once from one worker.
PARALLEL_CHECKS = 20


@job("servers.health_check")
async def health_check(ctx: JobContext) -> dict[str, str]:
    """Check every active server's panel; mark down after repeated failures, up on recovery, alert on change."""
    pool = worker_pool(ctx)
    async with unit_of_work(ctx["sessionmaker"]) as session:
        servers = (await session.scalars(select(Server).where(Server.is_active.is_(True)))).all()
        configs = [panel_config(s) for s in servers]
    gate = asyncio.Semaphore(PARALLEL_CHECKS)

    async def check(config_index: int) -> tuple[uuid.UUID, CheckResult]:
        config = configs[config_index]
        async with gate:
            return config.server_id, await run_check(pool.get(config))

    results = dict(await asyncio.gather(*(check(i) for i in range(len(configs)))))
    summary: dict[str, str] = {}
    async with unit_of_work(ctx["sessionmaker"]) as session:
        for server_id, result in results.items():
            server = await session.get(Server, server_id, with_for_update=True)
            if server is None:
                continue
            config = next(c for c in configs if c.server_id == server_id)
            apply_check(session, server, result, pool.get(config), ctx["settings"].panel_down_after_failures)
            summary[server.name] = server.health.value
    return summary
