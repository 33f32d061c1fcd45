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
from app.payments import tasks as payment_tasks
from app.servers import tasks as server_tasks
from app.subscriptions import tasks as subscription_tasks
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
    server_tasks.health_check,
    subscription_tasks.provision,
    subscription_tasks.extend,
    subscription_tasks.sync_client,
    subscription_tasks.cleanup_client,
    subscription_tasks.expire,
    subscription_tasks.remind,
    subscription_tasks.auto_renew,
    subscription_tasks.sync_traffic,
    subscription_tasks.sweep_pending,
    subscription_tasks.reconcile_panels,
    subscription_tasks.reconcile_fix,
    payment_tasks.process_event,
    payment_tasks.poll_payments,
    payment_tasks.refresh_rates,
]

CRON_JOBS: list[Any] = [
    cron(system_tasks.heartbeat, name="cron:system.heartbeat", second=0, run_at_startup=True),  # type: ignore[arg-type]
    cron(broadcast_tasks.resume_broadcasts, name="cron:broadcasts.resume", second=30, run_at_startup=True),  # type: ignore[arg-type]
    # VPN panels and the subscription lifecycle; seconds are spread so the jobs do not start together.
    *[
        cron(fn, name=f"cron:{fn.job_name}", minute=minutes, second=second)  # type: ignore[arg-type,attr-defined]
        for fn, minutes, second in (
            (server_tasks.health_check, None, 5),
            (subscription_tasks.expire, None, 20),
            (subscription_tasks.auto_renew, set(range(2, 60, 10)), 30),
            (subscription_tasks.remind, set(range(4, 60, 10)), 40),
            (subscription_tasks.sync_traffic, set(range(1, 60, 5)), 50),
            (subscription_tasks.sweep_pending, set(range(3, 60, 5)), 15),
            (subscription_tasks.reconcile_panels, {17}, 0),
        )
    ],
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
    panels = ctx.get("panels")
    if panels is not None:
        await panels.aclose()
    engine = ctx.get("engine")
    if engine is not None:
        await engine.dispose()
