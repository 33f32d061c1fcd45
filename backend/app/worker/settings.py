"""arq WorkerSettings for `arq app.worker.settings.WorkerSettings` (reads the environment at import)."""

from __future__ import annotations

from typing import Any, ClassVar

from arq.connections import RedisSettings
from arq.worker import Function

from app.config import load_settings_or_exit
from app.logging import configure_logging
from app.redis import redis_settings
from app.worker.context import JobContext
from app.worker.registry import CRON_JOBS, close_resources, function_table, open_resources

_settings = load_settings_or_exit()


async def startup(ctx: JobContext) -> None:
    """Logging, keys, database pool."""
    configure_logging(_settings.log_level, json_output=_settings.log_json)
    await open_resources(ctx, _settings)


async def shutdown(ctx: JobContext) -> None:
    """Close the pools."""
    await close_resources(ctx)


class WorkerSettings:
    """The production worker."""

    functions: ClassVar[list[Function]] = function_table()
    cron_jobs: ClassVar[list[Any]] = CRON_JOBS
    on_startup = startup
    on_shutdown = shutdown
    redis_settings: ClassVar[RedisSettings] = redis_settings(_settings)
    max_jobs = 50
    job_timeout = 300
    keep_result = 3600
    health_check_interval = 30
    allow_abort_jobs = True
