"""The job table and cron table of every domain, and the worker's start-up; no settings loaded here."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import Function, func

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.crypto import configure_encryption
from app.notifications import tasks as notification_tasks
from app.payments import tasks as payment_tasks
from app.worker import system_tasks
from app.worker.context import JobContext
from app.worker.enqueue import configure_queue

# Every job of every domain; each domain adds its own lines.
FUNCTIONS: list[Any] = [
    system_tasks.heartbeat,
    notification_tasks.send_notification,
    notification_tasks.alert_admins,
    payment_tasks.process_event,
    payment_tasks.poll_payments,
    payment_tasks.refresh_rates,
]

CRON_JOBS: list[Any] = [
    cron(system_tasks.heartbeat, name="cron:system.heartbeat", second=0, run_at_startup=True),  # type: ignore[arg-type]
    cron(payment_tasks.poll_payments, name="cron:payments.poll", second=30, run_at_startup=True),  # type: ignore[arg-type]
    cron(
        payment_tasks.refresh_rates,  # type: ignore[arg-type]
        name="cron:payments.refresh_rates",
        minute=set(range(0, 60, 10)),
        second=15,
        run_at_startup=True,
    ),
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
