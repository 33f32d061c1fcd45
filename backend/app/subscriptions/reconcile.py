"""Drift between the database and the panels, and a one-call fix per difference.

Kinds of drift, per server:
- orphan_client: a client the shop created (its identity belongs to one of our subscriptions) that no
  live subscription uses on this server any more; fix: delete it.
- foreign_client: a client the shop did not create; reported only, never touched.
- missing_client: an active or paused subscription whose client is not on the panel; fix: create it.
- state_mismatch: expiry, quota, device limit or on/off differ; fix: push the database's state.

The report is built by a job (it talks to every panel) and kept in Redis for the admin API.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import unit_of_work
from app.integrations.panels.base import ClientSpec, ClientState, PanelError
from app.kit.time import utcnow
from app.models import Server, Subscription, User
from app.models.enums import PanelType, SubscriptionStatus
from app.servers.panels import panel_config
from app.subscriptions import repository
from app.subscriptions.errors import ReconcileItemNotFound
from app.subscriptions.lifecycle import TECHNICAL, cleanup_client, sync_client
from app.subscriptions.provisioning import PanelSource, desired_spec
from app.subscriptions.schemas import DriftItem, DriftReport

log = structlog.get_logger(__name__)

REPORT_KEY = "subscriptions:reconcile:report"
EXPIRY_TOLERANCE_SECONDS = 60


def _fmt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def differences(spec: ClientSpec, state: ClientState, panel_type: PanelType) -> list[str]:
    """What differs between the wanted client and the panel's (empty when in line)."""
    diffs: list[str] = []
    want, have = spec.expires_at, state.expires_at
    if (want is None) != (have is None) or (
        want is not None
        and have is not None
        and abs((want - have).total_seconds()) > EXPIRY_TOLERANCE_SECONDS
    ):
        diffs.append(f"expiry: panel {_fmt(have)}, shop {_fmt(want)}")
    if (spec.traffic_limit_bytes or None) != (state.traffic_limit_bytes or None):
        diffs.append(
            f"quota: panel {state.traffic_limit_bytes or 'unlimited'}, shop {spec.traffic_limit_bytes or 'unlimited'}"
        )
    if panel_type is PanelType.xui and (spec.device_limit or None) != (state.device_limit or None):
        diffs.append(f"devices: panel {state.device_limit or 'any'}, shop {spec.device_limit or 'any'}")
    if spec.enabled != state.enabled:
        diffs.append(
            f"enabled: panel {'on' if state.enabled else 'off'}, shop {'on' if spec.enabled else 'off'}"
        )
    return diffs


def _item(
    kind: str, server: Server, identity: str, sub: Subscription | None, detail: str, fix: str | None
) -> DriftItem:
    return DriftItem(
        id=f"{kind}:{server.id}:{identity.lower()}",
        kind=kind,
        server_id=server.id,
        server_name=server.name,
        identity=identity,
        subscription_id=sub.id if sub else None,
        detail=detail,
        fix=fix,
    )


async def _server_drift(session: AsyncSession, server: Server, clients: list[ClientState]) -> list[DriftItem]:
    now = utcnow()
    items: list[DriftItem] = []
    known = await repository.by_identities(session, [c.identity for c in clients])
    expected = {s.panel_identity.lower(): s for s in await repository.on_server(session, server.id)}
    owners = await session.execute(
        select(User.id, User.telegram_id).where(User.id.in_({s.user_id for s in expected.values()}))
    )
    telegram = {row[0]: row[1] for row in owners.all()}
    for client in clients:
        key = client.identity.lower()
        sub = known.get(key)
        if sub is None:
            items.append(
                _item("foreign_client", server, client.identity, None, "not created by the shop", None)
            )
            continue
        if sub.server_id == server.id and sub.status is SubscriptionStatus.pending:
            continue  # provisioning is on it
        if key not in expected:
            why = f"subscription is {sub.status.value}" + (
                "" if sub.server_id == server.id else " on another server"
            )
            items.append(_item("orphan_client", server, client.identity, sub, why, "delete_client"))
            continue
        diffs = differences(desired_spec(sub, telegram.get(sub.user_id), now), client, server.panel_type)
        if diffs:
            items.append(
                _item("state_mismatch", server, client.identity, sub, "; ".join(diffs), "push_state")
            )
    present = {c.identity.lower() for c in clients}
    for key, sub in expected.items():
        if key not in present and sub.status in (SubscriptionStatus.active, SubscriptionStatus.disabled):
            items.append(
                _item(
                    "missing_client",
                    server,
                    sub.panel_identity,
                    sub,
                    f"{sub.status.value} subscription",
                    "recreate_client",
                )
            )
    return items


async def build_report(sessionmaker: async_sessionmaker[AsyncSession], panel_for: PanelSource) -> DriftReport:
    """Compare every active server's panel with the database."""
    async with unit_of_work(sessionmaker) as session:
        servers = (
            await session.scalars(select(Server).where(Server.is_active.is_(True)).order_by(Server.name))
        ).all()
        configs = {s.id: panel_config(s) for s in servers}
    summaries: list[dict[str, object]] = []
    items: list[DriftItem] = []
    for server in servers:
        try:
            clients = await panel_for(configs[server.id]).list_clients()
        except PanelError as exc:
            summaries.append({"id": str(server.id), "name": server.name, "clients": None, "error": str(exc)})
            continue
        async with unit_of_work(sessionmaker) as session:
            found = await _server_drift(session, server, clients)
        items.extend(found)
        summaries.append(
            {
                "id": str(server.id),
                "name": server.name,
                "clients": len(clients),
                "error": None,
                "drift": len(found),
            }
        )
    log.info("reconcile_report", servers=len(servers), items=len(items))
    return DriftReport(generated_at=utcnow(), servers=summaries, items=items)


async def store_report(redis: Redis, report: DriftReport) -> None:
    """Keep the report for the admin API."""
    await redis.set(REPORT_KEY, report.model_dump_json())


async def load_report(redis: Redis) -> DriftReport:
    """The latest report (empty before the first run)."""
    raw = await redis.get(REPORT_KEY)
    if not raw:
        return DriftReport(generated_at=None, servers=[], items=[])
    return DriftReport.model_validate_json(raw)


async def find_item(redis: Redis, item_id: str) -> DriftItem:
    """An item of the current report, or ReconcileItemNotFound."""
    report = await load_report(redis)
    for item in report.items:
        if item.id == item_id:
            return item
    raise ReconcileItemNotFound()


async def fix_item(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Redis, panel_for: PanelSource, item_id: str
) -> str:
    """Apply the fix of one drift item and drop it from the report when it worked."""
    item = await find_item(redis, item_id)
    if item.fix is None:
        return "not fixable: the shop does not touch clients it did not create"
    if item.fix == "delete_client":
        outcome = await cleanup_client(sessionmaker, panel_for, item.server_id, item.identity)
        ok = outcome in ("deleted", "absent")
    else:
        assert item.subscription_id is not None
        outcome = await sync_client(sessionmaker, panel_for, item.subscription_id)
        ok = outcome in ("synced", "recreated")
    if ok:
        report = await load_report(redis)
        report.items = [i for i in report.items if i.id != item_id]
        await store_report(redis, report)
    log.info("reconcile_fix", item=item_id, outcome=outcome)
    return outcome if outcome != TECHNICAL else "panel unreachable, try again later"
