"""Provisioning: a pending subscription becomes a client on a panel, or, in the end, a refund.

Three short steps so no transaction stays open during a panel call:
1. claim: lock the row, choose the server (the current one, or the least loaded healthy one),
   count the attempt, commit;
2. call the panel: create the client under the subscription's deterministic identity; when the
   panel says it already exists (an earlier attempt crashed or timed out after the call), adopt it
   and set it to the wanted state instead of creating a second one;
3. finish: lock the row again and store credentials, links and dates, unless someone else already did.

A technical failure schedules another attempt with backoff and lets it fail over to another server;
a logical failure moves to another server at once when there is one. After the last attempt the
subscription is `failed` and what the customer paid for it goes back to the balance.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import unit_of_work
from app.integrations.panels.base import (
    ClientAlreadyExists,
    ClientSpec,
    ClientState,
    PanelClient,
    PanelConfig,
    PanelLogicalError,
    PanelTechnicalError,
)
from app.kit.money import format_rub
from app.kit.time import utcnow
from app.metrics import PROVISIONING
from app.models import Location, Server, Subscription, User
from app.models.enums import ServerHealth, SubscriptionStatus
from app.notifications.service import notify_admins
from app.payments.refunds import refund_failed_order
from app.servers.capacity import pick_server
from app.servers.panels import panel_config, remember_panel_facts
from app.subscriptions import repository
from app.subscriptions.notices import notify_subscription
from app.subscriptions.service import enqueue_provision, enqueue_sync
from app.users.service import subscription_url
from app.worker.enqueue import enqueue_after_commit

log = structlog.get_logger(__name__)

MAX_RETRY_DELAY = 600.0

# Turns a server's PanelConfig into its adapter (PanelPool.get in the worker).
PanelSource = Callable[[PanelConfig], PanelClient]


def desired_spec(sub: Subscription, telegram_id: int | None, now: datetime) -> ClientSpec:
    """The panel client a subscription row asks for (switched off unless active and not past its end)."""
    enabled = sub.status is SubscriptionStatus.active and (sub.ends_at is None or sub.ends_at > now)
    return ClientSpec(
        identity=sub.panel_identity,
        expires_at=sub.ends_at,
        traffic_limit_bytes=sub.traffic_limit_bytes,
        device_limit=sub.device_limit,
        enabled=enabled,
        telegram_id=telegram_id,
        note=f"vpnshop {sub.id}",
    )


def enqueue_cleanup(session: AsyncSession, server_id: uuid.UUID, identity: str) -> None:
    """Queue the removal of a client the subscription no longer uses on that server."""
    enqueue_after_commit(
        session,
        "subscriptions.cleanup_client",
        str(server_id),
        identity,
        1,
        _job_id=f"cleanup:{server_id}:{identity}",
    )


@dataclass(frozen=True)
class Claim:
    """What step 1 decided: which server, with which client spec."""

    subscription_id: uuid.UUID
    server_id: uuid.UUID
    server_name: str
    config: PanelConfig
    spec: ClientSpec
    attempt: int
    started_at: datetime


async def provision_subscription(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    panel_for: PanelSource,
    subscription_id: uuid.UUID,
    avoid: uuid.UUID | None = None,
) -> str:
    """Run one provisioning attempt; returns what happened (for the job result and tests)."""
    claim = await _claim(sessionmaker, settings, subscription_id, avoid)
    if isinstance(claim, str):
        return claim
    panel = panel_for(claim.config)
    try:
        state = await create_or_adopt(panel, claim.spec)
    except PanelTechnicalError as exc:
        return await _after_failure(sessionmaker, settings, claim, exc, technical=True)
    except PanelLogicalError as exc:
        return await _after_failure(sessionmaker, settings, claim, exc, technical=False)
    return await _finish(sessionmaker, settings, claim, state, panel)


async def create_or_adopt(panel: PanelClient, spec: ClientSpec) -> ClientState:
    """Create the client; when it already exists (an earlier attempt got that far), adopt it as wanted."""
    try:
        state = await panel.create_client(spec)
    except ClientAlreadyExists:
        state = await panel.update_client(spec)
        log.info("panel_client_adopted", identity=spec.identity, server=panel.config.name)
    if not state.links:
        state.links = await panel.share_links(spec.identity)
    return state


async def _choose_server(session: AsyncSession, sub: Subscription, avoid: uuid.UUID | None) -> Server | None:
    current = await session.get(Server, sub.server_id) if sub.server_id else None
    usable = (
        current is not None
        and current.is_active
        and current.health is not ServerHealth.down
        and current.location_id == sub.location_id
    )
    if usable and current is not None and current.id != avoid:
        return current  # stay: an earlier attempt may already have created the client there
    exclude = {x for x in (avoid, current.id if current else None) if x is not None}
    picked = await pick_server(session, sub.location_id, exclude=exclude)
    if picked is None:
        return current if usable else None
    if current is not None and current.id != picked.id:
        enqueue_cleanup(session, current.id, sub.panel_identity)
        log.info("provisioning_failover", subscription_id=str(sub.id), old=current.name, new=picked.name)
    sub.server_id = picked.id
    return picked


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    subscription_id: uuid.UUID,
    avoid: uuid.UUID | None,
) -> Claim | str:
    async with unit_of_work(sessionmaker) as session:
        sub = await repository.lock(session, subscription_id)
        if sub is None or sub.status is not SubscriptionStatus.pending:
            return f"skipped: {sub.status.value if sub else 'missing'}"
        if sub.provision_attempts >= settings.provision_max_attempts:
            await fail_subscription(session, sub, sub.last_error or "no attempts left")
            return "failed"
        server = await _choose_server(session, sub, avoid)
        sub.provision_attempts += 1
        if server is None:
            sub.last_error = "no healthy server with free places in this location"
            log.warning("provisioning_no_server", subscription_id=str(sub.id), attempt=sub.provision_attempts)
            return await _retry_or_fail(session, settings, sub, None)
        telegram_id = await session.scalar(select(User.telegram_id).where(User.id == sub.user_id))
        now = utcnow()
        spec = desired_spec(sub, telegram_id, now)
        if sub.starts_at is None:  # a new subscription: its time starts when the client is created
            expires = now + timedelta(days=sub.duration_days) if sub.duration_days else None
            spec = dataclasses.replace(spec, expires_at=expires)
        spec = dataclasses.replace(spec, enabled=True)
        return Claim(sub.id, server.id, server.name, panel_config(server), spec, sub.provision_attempts, now)


async def _retry_or_fail(
    session: AsyncSession, settings: Settings, sub: Subscription, avoid: uuid.UUID | None
) -> str:
    if sub.provision_attempts >= settings.provision_max_attempts:
        await fail_subscription(session, sub, sub.last_error or "provisioning failed")
        return "failed"
    delay = min(settings.provision_retry_delay_seconds * 2 ** (sub.provision_attempts - 1), MAX_RETRY_DELAY)
    enqueue_provision(session, sub, delay=delay, avoid=avoid)
    return "retry scheduled"


async def _after_failure(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    claim: Claim,
    exc: Exception,
    *,
    technical: bool,
) -> str:
    async with unit_of_work(sessionmaker) as session:
        sub = await repository.lock(session, claim.subscription_id)
        if sub is None or sub.status is not SubscriptionStatus.pending:
            return "skipped"
        sub.last_error = f"{claim.server_name}: {type(exc).__name__}: {exc}"[:1000]
        PROVISIONING.labels(
            claim.config.panel_type.value, "technical_error" if technical else "rejected"
        ).inc()
        log.warning(
            "provisioning_attempt_failed",
            subscription_id=str(sub.id),
            server=claim.server_name,
            attempt=claim.attempt,
            technical=technical,
            error=str(exc),
        )
        if technical:
            return await _retry_or_fail(session, settings, sub, claim.server_id)
        # The panel refused the request itself (e.g. a wrong inbound): another server may be set up right.
        other = await pick_server(session, sub.location_id, exclude={claim.server_id})
        if other is None or sub.provision_attempts >= settings.provision_max_attempts:
            await fail_subscription(session, sub, sub.last_error)
            return "failed"
        enqueue_provision(session, sub, avoid=claim.server_id)
        return "failover scheduled"


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    claim: Claim,
    state: ClientState,
    panel: PanelClient,
) -> str:
    async with unit_of_work(sessionmaker) as session:
        sub = await repository.lock(session, claim.subscription_id)
        if sub is None or sub.status is not SubscriptionStatus.pending or sub.server_id != claim.server_id:
            log.info("provisioning_superseded", subscription_id=str(claim.subscription_id))
            return "superseded"
        server = await session.get(Server, claim.server_id)
        if server is not None:
            remember_panel_facts(server, panel)
        if sub.starts_at is None:
            sub.starts_at = claim.started_at
            sub.ends_at = claim.started_at + timedelta(days=sub.duration_days) if sub.duration_days else None
        sub.status = SubscriptionStatus.active
        sub.panel_credential = state.credential
        sub.panel_sub_id = state.sub_id
        sub.config_url = state.config_url
        sub.share_links = "\n".join(state.links)
        sub.last_error = None
        sub.disabled_on_panel_at = None
        sub.deleted_on_panel_at = None
        if sub.ends_at != claim.spec.expires_at:  # extended while the panel call ran
            enqueue_sync(session, sub)
        user = await session.get(User, sub.user_id)
        link = subscription_url(settings, user) if user else (sub.config_url or "")
        await notify_subscription(
            session,
            sub,
            "subscription_ready",
            qr=link,
            link=link,
            dedupe_key=f"ready:{sub.id}:{claim.attempt}",
        )
        PROVISIONING.labels(claim.config.panel_type.value, "ok").inc()
        log.info(
            "vpn_config_created",
            subscription_id=str(sub.id),
            server=claim.server_name,
            identity=sub.panel_identity,
            attempt=claim.attempt,
        )
        return "active"


async def refund_subscription(session: AsyncSession, sub: Subscription) -> Decimal:
    """Give back the price of the order that created the subscription (safe to repeat; 0 for free ones)."""
    return await refund_failed_order(session, sub.id, "VPN access could not be created")


async def fail_subscription(session: AsyncSession, sub: Subscription, reason: str) -> Decimal:
    """Give up on a subscription: `failed`, refund, tell the customer and the staff, clean the panel."""
    sub.status = SubscriptionStatus.failed
    sub.last_error = reason[:1000]
    refunded = await refund_subscription(session, sub)
    location = await session.get(Location, sub.location_id)
    location_name = location.name if location else "?"
    if refunded > 0:
        await notify_subscription(
            session, sub, "subscription_failed", amount=format_rub(refunded), dedupe_key=f"failed:{sub.id}"
        )
    else:
        await notify_subscription(
            session, sub, "subscription_failed_no_charge", dedupe_key=f"failed:{sub.id}"
        )
    if sub.is_trial:
        user = await session.get(User, sub.user_id)
        if user is not None:
            user.trial_used_at = None  # the customer may try again
    notify_admins(
        session,
        "alert_provisioning_failed",
        subscription=str(sub.id),
        location=location_name,
        error=reason[:300],
        refund=format_rub(refunded),
        dedupe_key=f"failed:{sub.id}",
    )
    if sub.server_id is not None:
        enqueue_cleanup(session, sub.server_id, sub.panel_identity)
    PROVISIONING.labels("any", "failed").inc()
    log.error(
        "provisioning_failed",
        subscription_id=str(sub.id),
        reason=reason,
        refunded=str(refunded),
        user_id=str(sub.user_id),
    )
    return refunded
