"""Try a panel's credentials and settings: version, API generation, inbounds, and what does not match."""

from __future__ import annotations

import dataclasses
import time

from app.config import Settings
from app.integrations.panels.base import (
    PanelAuthError,
    PanelConfig,
    PanelError,
    PanelInbound,
    PanelLogicalError,
)
from app.integrations.panels.factory import PanelTuning, create_panel
from app.models.enums import PanelType
from app.servers.schemas import InboundRead, PanelTestResult

# A connection test answers an admin who waits: one try, short timeouts.
MAX_TEST_TIMEOUT = 10.0


def _warnings(config: PanelConfig, inbounds: list[PanelInbound]) -> list[str]:
    refs = {i.ref for i in inbounds}
    found: list[str] = []
    if config.panel_type is PanelType.xui:
        for inbound_id in config.settings.get("inbound_ids") or []:
            if str(inbound_id) not in refs:
                found.append(f"inbound {inbound_id} does not exist on the panel")
        if not config.settings.get("sub_url"):
            found.append("no sub_url: customers get the shop's link only, not the panel's own")
        return found
    protocols = {i.protocol for i in inbounds}
    for proto, tags in (config.settings.get("inbounds") or {}).items():
        if proto not in protocols:
            found.append(f"the panel has no {proto} inbound")
        for tag in tags:
            if tag not in refs:
                found.append(f"inbound tag {tag!r} does not exist on the panel")
    return found


async def test_connection(config: PanelConfig, settings: Settings) -> PanelTestResult:
    """Log in, read the version and the inbounds; never raises for a panel problem."""
    tuning = dataclasses.replace(
        PanelTuning.from_settings(settings),
        timeout=min(settings.panel_timeout_seconds, MAX_TEST_TIMEOUT),
        retry_attempts=1,
    )
    panel = create_panel(config, tuning)
    start = time.perf_counter()
    try:
        info = await panel.check()
        inbounds = await panel.list_inbounds()
    except PanelError as exc:
        kind = (
            "auth"
            if isinstance(exc, PanelAuthError)
            else "rejected"
            if isinstance(exc, PanelLogicalError)
            else "unreachable"
        )
        return PanelTestResult(
            ok=False,
            panel_type=config.panel_type,
            api_generation=panel.api_generation,
            panel_version=panel.version,
            core_version=None,
            latency_ms=int((time.perf_counter() - start) * 1000),
            error=str(exc) or type(exc).__name__,
            error_kind=kind,
        )
    finally:
        await panel.aclose()
    return PanelTestResult(
        ok=True,
        panel_type=config.panel_type,
        api_generation=info.api_generation,
        panel_version=info.version,
        core_version=info.core_version,
        latency_ms=int((time.perf_counter() - start) * 1000),
        inbounds=[InboundRead(**dataclasses.asdict(i)) for i in inbounds],
        warnings=_warnings(config, inbounds),
    )
