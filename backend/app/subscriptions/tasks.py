"""arq jobs of the subscription lifecycle (thin: the logic lives in provisioning, lifecycle, reconcile)."""

from __future__ import annotations

import uuid

import structlog

from app.servers.panels import worker_pool
from app.subscriptions import lifecycle, provisioning, reconcile
from app.worker.context import JobContext, job

log = structlog.get_logger(__name__)

# Attempts of a panel sync or cleanup that could not reach the panel (then reconcile reports the drift).
MAX_ATTEMPTS = 5


async def _again(ctx: JobContext, name: str, key: str, args: tuple[object, ...], attempt: int) -> str:
    if attempt >= MAX_ATTEMPTS:
        log.warning("panel_job_gave_up", job=name, key=key, attempts=attempt)
        return "gave up: reconcile will report the drift"
    delay = ctx["settings"].panel_job_retry_delay_seconds * 4 ** (attempt - 1)
    await ctx["redis"].enqueue_job(
        name, *args, attempt + 1, _job_id=f"{name}:{key}:retry{attempt + 1}", _defer_by=delay or None
    )
    return f"retry {attempt + 1} scheduled"


@job("subscriptions.provision")
async def provision(ctx: JobContext, subscription_id: str, avoid_server_id: str | None = None) -> str:
    """One provisioning attempt of a pending subscription (retries and failover schedule themselves)."""
    return await provisioning.provision_subscription(
        ctx["sessionmaker"],
        ctx["settings"],
        worker_pool(ctx).get,
        uuid.UUID(subscription_id),
        uuid.UUID(avoid_server_id) if avoid_server_id else None,
    )


async def _sync(ctx: JobContext, name: str, subscription_id: str, attempt: int) -> str:
    outcome = await lifecycle.sync_client(
        ctx["sessionmaker"], worker_pool(ctx).get, uuid.UUID(subscription_id)
    )
    if outcome == lifecycle.TECHNICAL:
        return await _again(ctx, name, subscription_id, (subscription_id,), attempt)
    return outcome


@job("subscriptions.extend")
async def extend(ctx: JobContext, subscription_id: str, attempt: int = 1) -> str:
    """Move the client's expiry on the panel to the extended end (and switch it back on if it expired)."""
    return await _sync(ctx, "subscriptions.extend", subscription_id, attempt)


@job("subscriptions.sync_client")
async def sync_client(ctx: JobContext, subscription_id: str, attempt: int = 1) -> str:
    """Make the panel client match the subscription (after a pause, resume, or drift fix)."""
    return await _sync(ctx, "subscriptions.sync_client", subscription_id, attempt)


@job("subscriptions.cleanup_client")
async def cleanup_client(ctx: JobContext, server_id: str, identity: str, attempt: int = 1) -> str:
    """Delete a client the shop no longer uses on a server (never one a live subscription uses)."""
    outcome = await lifecycle.cleanup_client(
        ctx["sessionmaker"], worker_pool(ctx).get, uuid.UUID(server_id), identity
    )
    if outcome == lifecycle.TECHNICAL:
        return await _again(
            ctx, "subscriptions.cleanup_client", f"{server_id}:{identity}", (server_id, identity), attempt
        )
    return outcome


@job("subscriptions.expire")
async def expire(ctx: JobContext) -> dict[str, int]:
    """Expire ended subscriptions, switch their clients off, delete them after the grace period."""
    return await lifecycle.expire_due(ctx["sessionmaker"], worker_pool(ctx).get)


@job("subscriptions.remind")
async def remind(ctx: JobContext) -> int:
    """Send the reminders due before subscriptions end."""
    return await lifecycle.send_reminders(ctx["sessionmaker"])


@job("subscriptions.auto_renew")
async def auto_renew(ctx: JobContext) -> dict[str, int]:
    """Renew from the balance what ends soon and has auto-renew on."""
    return await lifecycle.auto_renew(ctx["sessionmaker"])


@job("subscriptions.sync_traffic")
async def sync_traffic(ctx: JobContext) -> dict[str, int]:
    """Copy traffic counters from the panels; note used-up quotas."""
    return await lifecycle.sync_traffic(ctx["sessionmaker"], ctx["redis"], worker_pool(ctx).get)


@job("subscriptions.sweep_pending")
async def sweep_pending(ctx: JobContext) -> int:
    """Queue provisioning again for pending subscriptions whose job was lost."""
    return await lifecycle.sweep_pending(ctx["sessionmaker"])


@job("subscriptions.reconcile")
async def reconcile_panels(ctx: JobContext) -> int:
    """Build the drift report of every active server and keep it for the admin API."""
    report = await reconcile.build_report(ctx["sessionmaker"], worker_pool(ctx).get)
    await reconcile.store_report(ctx["redis"], report)
    return len(report.items)


@job("subscriptions.reconcile_fix")
async def reconcile_fix(ctx: JobContext, item_id: str) -> str:
    """Apply the fix of one drift item."""
    return await reconcile.fix_item(ctx["sessionmaker"], ctx["redis"], worker_pool(ctx).get, item_id)
