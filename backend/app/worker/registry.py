"""The job table and cron table of every domain, and the worker's start-up; no settings loaded here."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import Function, func

from app.broadcasts import tasks as broadcast_tasks
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.crypto import configure_encryption
from app.notifications import tasks as notification_tasks
from app.support import tasks as support_tasks
from app.worker import system_tasks
from app.worker.context import JobContext
from app.worker.enqueue import configure_queue

# Every job of every domain; each domain adds its own lines.
FUNCTIONS: list[Any] = [
    system_tasks.heartbeat,
    notification_tasks.send_notification,
    notification_tasks.alert_admins,
    notification_tasks.send_text,
    support_tasks.deliver_reply,
    broadcast_tasks.send_broadcasts,
    broadcast_tasks.resume_broadcasts,
]

CRON_JOBS: list[Any] = [
    cron(system_tasks.heartbeat, name="cron:system.heartbeat", second=0, run_at_startup=True),  # type: ignore[arg-type]
    cron(broadcast_tasks.resume_broadcasts, name="cron:broadcasts.resume", second=30, run_at_startup=True),  # type: ignore[arg-type]
]


def function_table() -> list[Function]:
    """arq Function objects named after our job names."""
    return [func(f, name=f.job_name) for f in FUNCTIONS]


async def open_resources(ctx: JobContext, settings: Settings) -> None:
    """Open the database pool and point after-commit enqueues at the worker's Redis."""
    configure_encryption(
        settings.secret_key.get_secret_value(),
        settings.secret_key_previous.get_secret_value() if settings.secret_key_previous else None,
    )
    ctx["settings"] = settings
    ctx["engine"] = create_engine(settings)
    ctx["sessionmaker"] = create_sessionmaker(ctx["engine"])
    configure_queue(ctx["redis"])


async def close_resources(ctx: JobContext) -> None:
    """Close what open_resources opened."""
    http = ctx.get("http")
    if http is not None:
        await http.aclose()
    engine = ctx.get("engine")
    if engine is not None:
        await engine.dispose()
