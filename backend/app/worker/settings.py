"""arq WorkerSettings for `arq app.worker.settings.WorkerSettings` (reads the environment at import)."""

from __future__ import annotations

from typing import Any, ClassVar

import structlog
from arq.connections import RedisSettings
from arq.worker import Function
from prometheus_client import start_http_server

from app.config import load_settings_or_exit
from app.logging import configure_logging
from app.redis import redis_settings
from app.worker.context import JobContext
from app.worker.registry import CRON_JOBS, close_resources, function_table, open_resources

log = structlog.get_logger(__name__)
_settings = load_settings_or_exit()
_metrics_server: list[Any] = []


async def startup(ctx: JobContext) -> None:
    """Logging, keys, database pool, and /metrics when WORKER_METRICS_PORT is set."""
    configure_logging(_settings.log_level, json_output=_settings.log_json)
    await open_resources(ctx, _settings)
    if _settings.worker_metrics_port and not _metrics_server:
        server, _ = start_http_server(_settings.worker_metrics_port, addr=_settings.worker_metrics_host)
        _metrics_server.append(server)
        log.info("worker_metrics_listening", host=_settings.worker_metrics_host, port=server.server_port)


async def shutdown(ctx: JobContext) -> None:
    """Close the pools and the metrics server."""
    await close_resources(ctx)
    while _metrics_server:
        _metrics_server.pop().shutdown()


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
