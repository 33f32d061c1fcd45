"""What happens to subscriptions over time: panel sync, expiry, reminders, auto-renewal, traffic, sweeping.

Every function is safe to run twice and concurrently: rows are locked (`FOR UPDATE SKIP LOCKED`)
while they are judged, and markers on the row (reminded_for_ends_at, disabled_on_panel_at, ...)
record what was already done.
"""

from __future__ import annotations

import asyncio
import functools
import math
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import structlog
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.billing.ledger import change_balance, lock_user
from app.db import unit_of_work
from app.integrations.panels.base import (
    ClientNotFound,
    ClientSpec,
    ClientState,
    PanelClient,
    PanelConfig,
    PanelError,
    PanelLogicalError,
    PanelTechnicalError,
)
from app.kit.money import format_rub
from app.kit.time import utcnow
from app.metrics import SUBSCRIPTION_JOBS
from app.models import Payment, Server, Subscription, Tariff, User
from app.models.enums import (
    LedgerKind,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    ServerHealth,
    SubscriptionStatus,
)
from app.servers.online import store_online
from app.servers.panels import panel_config, remember_panel_facts
from app.shop_settings.registry import get_value
from app.subscriptions import repository
from app.subscriptions.notices import notify_subscription
from app.subscriptions.provisioning import PanelSource, desired_spec
from app.subscriptions.service import days_left, request_extension
from app.subscriptions.settings import AUTO_RENEW_HOURS, DELETE_AFTER_DAYS, REMINDER_DAYS
from app.worker.enqueue import enqueue_after_commit

log = structlog.get_logger(__name__)

BATCH = 500
PARALLEL_PANEL_CALLS = 10
# Longer than the longest pause between provisioning attempts, so a scheduled retry is not doubled.
STUCK_AFTER = timedelta(minutes=15)

TECHNICAL = "technical error"  # the panel could not be reached: the caller schedules a retry


async def _gather_bounded(calls: Sequence[Callable[[], Awaitable[str]]]) -> list[str]:
    gate = asyncio.Semaphore(PARALLEL_PANEL_CALLS)

    async def run(call: Callable[[], Awaitable[str]]) -> str:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(run(c) for c in calls)))


async def _telegram_id(session: AsyncSession, user_id: uuid.UUID) -> int | None:
    return await session.scalar(select(User.telegram_id).where(User.id == user_id))


# --- panel sync ---------------------------------------------------------------------------------


async def _sync_target(
    session: AsyncSession, subscription_id: uuid.UUID
) -> tuple[ClientSpec, PanelConfig, bool] | str:
    sub = await session.get(Subscription, subscription_id)
    if sub is None or sub.server_id is None or sub.deleted_on_panel_at is not None:
        return "skipped"
    if sub.status not in (SubscriptionStatus.active, SubscriptionStatus.disabled, SubscriptionStatus.expired):
        return f"skipped: {sub.status.value}"
    server = await session.get(Server, sub.server_id)
    if server is None:
        return "skipped: no server"
    spec = desired_spec(sub, await _telegram_id(session, sub.user_id), utcnow())
    # An expired subscription's missing client needs nothing; a live one's is put back.
    return spec, panel_config(server), sub.status is not SubscriptionStatus.expired


async def _push(panel: PanelClient, spec: ClientSpec, recreate: bool) -> tuple[ClientState | None, bool]:
    """Update the client; a client that vanished is created again when `recreate`."""
    try:
        return await panel.update_client(spec), False
    except ClientNotFound:
        if not recreate:
            return None, False
    state = await panel.create_client(spec)
    state.links = state.links or await panel.share_links(spec.identity)
    log.warning("panel_client_recreated", identity=spec.identity, server=panel.config.name)
    return state, True


async def sync_client(
    sessionmaker: async_sessionmaker[AsyncSession], panel_for: PanelSource, subscription_id: uuid.UUID
) -> str:
    """Make the panel client match the subscription row (expiry, quota, devices, on/off).

    A client that vanished from the panel (deleted by hand) is created again while the subscription
    is active or paused. Returns TECHNICAL when the panel could not be reached.
    """
    async with unit_of_work(sessionmaker) as session:
        target = await _sync_target(session, subscription_id)
    if isinstance(target, str):
        return target
    spec, config, recreate = target
    panel = panel_for(config)
    try:
        state, recreated = await _push(panel, spec, recreate)
    except PanelTechnicalError as exc:
        log.warning("panel_sync_failed", subscription_id=str(subscription_id), error=str(exc))
        return TECHNICAL
    except PanelLogicalError as exc:
        log.warning("panel_sync_rejected", subscription_id=str(subscription_id), error=str(exc))
        return f"rejected: {exc}"
    async with unit_of_work(sessionmaker) as session:
        sub = await repository.lock(session, subscription_id)
        assert sub is not None
        server = await session.get(Server, config.server_id)
        if server is not None:
            remember_panel_facts(server, panel)
        if state is not None and (
            recreated or (state.credential and state.credential != sub.panel_credential)
        ):
            sub.panel_credential = state.credential
            sub.panel_sub_id = state.sub_id
            sub.config_url = state.config_url
            sub.share_links = "\n".join(state.links) or sub.share_links
        if spec.enabled:
            sub.disabled_on_panel_at = None
        elif sub.disabled_on_panel_at is None:
            sub.disabled_on_panel_at = utcnow()
    return "recreated" if recreated else "synced"


async def cleanup_client(
    sessionmaker: async_sessionmaker[AsyncSession],
    panel_for: PanelSource,
    server_id: uuid.UUID,
    identity: str,
) -> str:
    """Delete a client the shop created but no longer uses on that server (after a failover or failure)."""
    async with unit_of_work(sessionmaker) as session:
        server = await session.get(Server, server_id)
        if server is None:
            return "skipped: no server"
        users = await session.scalar(
            select(Subscription.id).where(
                Subscription.server_id == server_id,
                Subscription.panel_identity == identity,
                Subscription.status.in_(
                    [SubscriptionStatus.pending, SubscriptionStatus.active, SubscriptionStatus.disabled]
                )
                | (
                    (Subscription.status == SubscriptionStatus.expired)
                    & Subscription.deleted_on_panel_at.is_(None)
                ),
            )
        )
        if users is not None:
            return "kept: in use"
        config = panel_config(server)
    try:
        await panel_for(config).delete_client(identity)
    except ClientNotFound:
        return "absent"
    except PanelTechnicalError:
        return TECHNICAL
    except PanelLogicalError as exc:
        return f"rejected: {exc}"
    return "deleted"


# --- expiry -------------------------------------------------------------------------------------


async def _locked_panel_step(
    sessionmaker: async_sessionmaker[AsyncSession],
    panel_for: PanelSource,
    subscription_id: uuid.UUID,
    still_due: Callable[[Subscription], bool],
    act: Callable[[PanelClient, ClientSpec], Awaitable[None]],
    done: Callable[[Subscription], None],
) -> str:
    """Lock the row, check it is still due, call the panel, record it: a renewal meanwhile waits or wins."""
    async with unit_of_work(sessionmaker) as session:
        sub = await repository.lock(session, subscription_id, skip_locked=True)
        if sub is None or not still_due(sub) or sub.server_id is None:
            return "skipped"
        server = await session.get(Server, sub.server_id)
        if server is None or server.health is ServerHealth.down or not server.is_active:
            return "server unavailable"
        spec = desired_spec(sub, await _telegram_id(session, sub.user_id), utcnow())
        try:
            await act(panel_for(panel_config(server)), spec)
        except ClientNotFound:
            pass  # already gone: the wanted state holds
        except PanelError as exc:
            log.warning("expiry_panel_step_failed", subscription_id=str(sub.id), error=str(exc))
            return "error"
        done(sub)
        return "done"


def _is_expired_and_enabled(sub: Subscription) -> bool:
    return (
        sub.status is SubscriptionStatus.expired
        and sub.disabled_on_panel_at is None
        and sub.deleted_on_panel_at is None
    )


async def _switch_off(panel: PanelClient, spec: ClientSpec) -> None:
    await panel.update_client(spec)


async def _delete(panel: PanelClient, spec: ClientSpec) -> None:
    await panel.delete_client(spec.identity)


def _mark_disabled(sub: Subscription) -> None:
    sub.disabled_on_panel_at = utcnow()


def _mark_deleted(sub: Subscription) -> None:
    sub.deleted_on_panel_at = utcnow()
    log.info("vpn_config_deleted", subscription_id=str(sub.id), identity=sub.panel_identity)


async def expire_due(
    sessionmaker: async_sessionmaker[AsyncSession], panel_for: PanelSource
) -> dict[str, int]:
    """Mark ended subscriptions expired (and tell their owners), switch their clients off, and delete
    clients whose grace period is over."""
    now = utcnow()
    async with unit_of_work(sessionmaker) as session:
        expired = await repository.due_to_expire(session, now, BATCH)
        for sub_id in expired:
            sub = await session.get(Subscription, sub_id, populate_existing=True)
            assert sub is not None
            await notify_subscription(
                session, sub, "subscription_expired", dedupe_key=f"expired:{sub.id}:{sub.ends_at}"
            )
            log.info("subscription_expired", subscription_id=str(sub.id))
        grace = await get_value(session, DELETE_AFTER_DAYS)
        to_switch_off = await repository.expired_still_enabled(session, BATCH)
        to_delete = await repository.expired_past_grace(session, now - timedelta(days=grace), BATCH)
    SUBSCRIPTION_JOBS.labels("expired").inc(len(expired))

    def past_grace(sub: Subscription) -> bool:
        cutoff = utcnow() - timedelta(days=grace)
        ended = sub.ends_at is not None and sub.ends_at <= cutoff
        return sub.status is SubscriptionStatus.expired and sub.deleted_on_panel_at is None and ended

    step = functools.partial(_locked_panel_step, sessionmaker, panel_for)
    switched = await _gather_bounded(
        [
            functools.partial(step, i, _is_expired_and_enabled, _switch_off, _mark_disabled)
            for i in to_switch_off
            if i not in to_delete
        ]
    )
    deleted = await _gather_bounded(
        [functools.partial(step, i, past_grace, _delete, _mark_deleted) for i in to_delete]
    )
    return {
        "expired": len(expired),
        "switched_off": switched.count("done"),
        "deleted": deleted.count("done"),
        "panel_errors": switched.count("error") + deleted.count("error"),
    }


# --- reminders and auto-renewal -----------------------------------------------------------------


async def _renewal_covered(session: AsyncSession, sub: Subscription) -> bool:
    """Auto-renew is on and the balance pays the next period: no need to remind."""
    if not sub.auto_renew or sub.tariff_id is None:
        return False
    tariff = await session.get(Tariff, sub.tariff_id)
    user = await session.get(User, sub.user_id)
    return bool(tariff and tariff.duration_days and user and user.balance >= tariff.price)


async def send_reminders(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Remind owners N days before the end (each configured N once per end date; renewing moves the date)."""
    now = utcnow()
    sent = 0
    async with unit_of_work(sessionmaker) as session:
        marks = sorted({d for d in await get_value(session, REMINDER_DAYS) if d > 0})
        if not marks:
            return 0
        stmt = (
            select(Subscription)
            .where(
                Subscription.status == SubscriptionStatus.active,
                Subscription.ends_at > now,
                Subscription.ends_at <= now + timedelta(days=marks[-1]),
            )
            .order_by(Subscription.ends_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for sub in (await session.scalars(stmt)).all():
            assert sub.ends_at is not None
            remaining = sub.ends_at - now
            due = min(d for d in marks if remaining <= timedelta(days=d))
            already = sub.reminded_for_ends_at == sub.ends_at and sub.reminded_days is not None
            if (
                already and sub.reminded_days is not None and sub.reminded_days <= due
            ) or await _renewal_covered(session, sub):
                continue
            await notify_subscription(
                session,
                sub,
                "subscription_expiring",
                days=days_left(sub.ends_at, now),
                dedupe_key=f"remind:{sub.id}:{due}:{sub.ends_at.isoformat()}",
            )
            sub.reminded_days = due
            sub.reminded_for_ends_at = sub.ends_at
            sent += 1
    SUBSCRIPTION_JOBS.labels("reminded").inc(sent)
    return sent


async def auto_renew(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Renew subscriptions with auto-renew on from the balance shortly before they end."""
    now = utcnow()
    async with unit_of_work(sessionmaker) as session:
        hours = await get_value(session, AUTO_RENEW_HOURS)
        ids = await repository.ending_between(session, now, now + timedelta(hours=hours), auto_renew=True)
    outcomes = [await _renew_one(sessionmaker, sub_id, hours) for sub_id in ids]
    return {k: outcomes.count(k) for k in set(outcomes)}


async def _renew_one(
    sessionmaker: async_sessionmaker[AsyncSession], subscription_id: uuid.UUID, hours: int
) -> str:
    async with unit_of_work(sessionmaker) as session:
        sub = await repository.lock(session, subscription_id, skip_locked=True)
        now = utcnow()
        if (
            sub is None
            or sub.status is not SubscriptionStatus.active
            or not sub.auto_renew
            or sub.ends_at is None
            or sub.ends_at > now + timedelta(hours=hours)
            or sub.tariff_id is None
        ):
            return "skipped"  # renewed meanwhile (the end moved) or switched off
        tariff = await session.get(Tariff, sub.tariff_id)
        if tariff is None or tariff.duration_days is None:
            return "skipped"
        user = await lock_user(session, sub.user_id)
        price = tariff.price
        if price > user.balance:
            if sub.auto_renew_notice_for_ends_at != sub.ends_at:
                await notify_subscription(
                    session,
                    sub,
                    "auto_renew_no_money",
                    missing=format_rub(price - user.balance),
                    dedupe_key=f"renew-no-money:{sub.id}:{sub.ends_at.isoformat()}",
                )
                sub.auto_renew_notice_for_ends_at = sub.ends_at
            return "no money"
        renewed_end = sub.ends_at.isoformat()
        if price > 0:
            payment = Payment(
                user_id=user.id,
                amount=price,
                currency="RUB",
                status=PaymentStatus.paid,
                method=PaymentMethod.balance,
                purpose=PaymentPurpose.renewal,
                tariff_id=tariff.id,
                location_id=sub.location_id,
                subscription_id=sub.id,
                description=f"Auto-renewal: {tariff.name}",
                paid_at=now,
            )
            session.add(payment)
            await session.flush()
            await change_balance(
                session,
                user.id,
                -price,
                LedgerKind.purchase,
                reference=f"renewal:{sub.id}:{renewed_end}",
                comment=f"Auto-renewal: {tariff.name}",
                payment_id=payment.id,
                subscription_id=sub.id,
            )
        await request_extension(session, sub, tariff.duration_days, notify=False)
        await notify_subscription(
            session,
            sub,
            "subscription_auto_renewed",
            amount=format_rub(price),
            dedupe_key=f"renewed:{sub.id}:{renewed_end}",
        )
        log.info(
            "subscription_auto_renewed", subscription_id=str(sub.id), amount=str(price), user_id=str(user.id)
        )
        SUBSCRIPTION_JOBS.labels("auto_renewed").inc()
        return "renewed"


# --- traffic ------------------------------------------------------------------------------------


async def sync_traffic(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Redis, panel_for: PanelSource
) -> dict[str, int]:
    """Read every usable panel's traffic counters into the subscriptions (in batches); note quotas used up."""
    async with unit_of_work(sessionmaker) as session:
        servers = (
            await session.scalars(
                select(Server).where(Server.is_active.is_(True), Server.health != ServerHealth.down)
            )
        ).all()
        configs = [panel_config(s) for s in servers]
    totals = {"servers": 0, "updated": 0, "exhausted": 0, "errors": 0}
    for config in configs:
        panel = panel_for(config)
        try:
            clients = await panel.list_clients()
            online = await panel.online_clients()
        except PanelError as exc:
            log.warning("traffic_sync_failed", server=config.name, error=str(exc))
            totals["errors"] += 1
            continue
        now = utcnow()
        await store_online(redis, config.server_id, len(online), len(clients), now)
        used = {c.identity.lower(): c.used_bytes for c in clients}
        async with unit_of_work(sessionmaker) as session:
            subs = await repository.on_server(session, config.server_id)
        for start in range(0, len(subs), BATCH):
            ids = [s.id for s in subs[start : start + BATCH]]
            async with unit_of_work(sessionmaker) as session:
                updated, exhausted = await _store_traffic(session, ids, used, now)
            totals["updated"] += updated
            totals["exhausted"] += exhausted
        totals["servers"] += 1
    return totals


async def _store_traffic(
    session: AsyncSession, ids: list[uuid.UUID], used: dict[str, int], now: datetime
) -> tuple[int, int]:
    rows = (
        await session.scalars(
            select(Subscription).where(Subscription.id.in_(ids)).with_for_update(skip_locked=True)
        )
    ).all()
    updated = exhausted = 0
    for sub in rows:
        value = used.get(sub.panel_identity.lower())
        if value is None:
            continue
        sub.traffic_used_bytes = value
        sub.traffic_synced_at = now
        updated += 1
        over = sub.traffic_limit_bytes is not None and value >= sub.traffic_limit_bytes
        if over and sub.quota_exhausted_at is None and sub.status is SubscriptionStatus.active:
            sub.quota_exhausted_at = now
            exhausted += 1
            limit_gb = math.ceil((sub.traffic_limit_bytes or 0) / 1024**3)
            await notify_subscription(
                session,
                sub,
                "subscription_traffic_exhausted",
                limit=f"{limit_gb} GB",
                dedupe_key=f"quota:{sub.id}:{now.date().isoformat()}",
            )
            log.info("subscription_quota_exhausted", subscription_id=str(sub.id))
        elif not over and sub.quota_exhausted_at is not None:
            sub.quota_exhausted_at = None
    return updated, exhausted


# --- sweeping -----------------------------------------------------------------------------------


async def sweep_pending(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Queue provisioning again for pending subscriptions nothing touched for a while (a lost job)."""
    now = utcnow()
    async with unit_of_work(sessionmaker) as session:
        rows = await repository.stuck_pending(session, now - STUCK_AFTER, 200)
        bucket = int(now.timestamp() // STUCK_AFTER.total_seconds())
        for sub_id, attempts in rows:
            enqueue_after_commit(
                session,
                "subscriptions.provision",
                str(sub_id),
                None,
                _job_id=f"provision:{sub_id}:{attempts}:sweep:{bucket}",
            )
            log.warning("pending_subscription_requeued", subscription_id=str(sub_id), attempts=attempts)
    return len(rows)
