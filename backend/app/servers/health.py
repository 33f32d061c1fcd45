"""Server health: one check = log in (if needed) + a cheap read; down after repeated failures, up on recovery."""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.integrations.panels.base import PanelClient, PanelError, PanelInfo
from app.kit.time import utcnow
from app.metrics import PANEL_LATENCY, PANEL_UP
from app.models import Server
from app.models.enums import ServerHealth
from app.notifications.service import notify_admins
from app.servers.panels import remember_panel_facts

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one health check."""

    ok: bool
    latency_ms: int
    error: str | None = None
    info: PanelInfo | None = None


async def run_check(panel: PanelClient) -> CheckResult:
    """Check one panel; every panel failure becomes a failed result (never raises PanelError)."""
    start = time.perf_counter()
    try:
        info = await panel.check()
    except PanelError as exc:
        elapsed = int((time.perf_counter() - start) * 1000)
        return CheckResult(False, elapsed, f"{type(exc).__name__}: {exc}"[:500])
    return CheckResult(True, int((time.perf_counter() - start) * 1000), None, info)


def apply_check(
    session: AsyncSession, server: Server, result: CheckResult, panel: PanelClient, down_after: int
) -> ServerHealth | None:
    """Record a check on the server row; returns the new health when it changed (staff are alerted)."""
    server.last_check_at = utcnow()
    server.last_latency_ms = result.latency_ms
    PANEL_UP.labels(server.name).set(1 if result.ok else 0)
    PANEL_LATENCY.labels(server.name).set(result.latency_ms / 1000)
    before = server.health
    if result.ok:
        server.consecutive_failures = 0
        server.last_error = None
        remember_panel_facts(server, panel)
        server.health = ServerHealth.ok
    else:
        server.consecutive_failures += 1
        server.last_error = result.error
        if server.consecutive_failures >= down_after:
            server.health = ServerHealth.down
    if server.health == before:
        return None
    log.warning(
        "server_health_changed",
        server=server.name,
        before=before.value,
        after=server.health.value,
        error=server.last_error,
    )
    stamp = server.last_check_at.isoformat()
    if server.health is ServerHealth.down:
        notify_admins(
            session,
            "alert_server_down",
            server=server.name,
            error=server.last_error or "?",
            dedupe_key=f"down:{server.id}:{stamp}",
        )
    elif before is ServerHealth.down:
        notify_admins(session, "alert_server_up", server=server.name, dedupe_key=f"up:{server.id}:{stamp}")
    return server.health
