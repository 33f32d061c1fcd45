"""Pick the adapter by panel type, and keep one adapter (HTTP client, session) per server per process."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.integrations.panels.base import PanelClient, PanelConfig
from app.integrations.panels.http import PanelHttp, make_http_client
from app.integrations.panels.marzban import MarzbanPanel
from app.integrations.panels.xui import XuiPanel
from app.models.enums import PanelType


@dataclass(frozen=True)
class PanelTuning:
    """Timeouts, parallelism and retry policy of panel calls (from Settings)."""

    timeout: float = 15.0
    connect_timeout: float = 5.0
    max_parallel: int = 8
    retry_attempts: int = 3
    retry_backoff: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> PanelTuning:
        """Read PANEL_* settings."""
        return cls(
            timeout=settings.panel_timeout_seconds,
            connect_timeout=settings.panel_connect_timeout_seconds,
            max_parallel=settings.panel_max_parallel,
            retry_attempts=settings.panel_retry_attempts,
            retry_backoff=settings.panel_retry_backoff_seconds,
        )


def create_panel(config: PanelConfig, tuning: PanelTuning) -> PanelClient:
    """A new adapter with its own HTTP client; the caller closes it (`aclose`)."""
    http = PanelHttp(
        make_http_client(
            timeout=tuning.timeout,
            connect_timeout=tuning.connect_timeout,
            max_parallel=tuning.max_parallel,
            # Many panels run on an IP address with a self-signed certificate; the owner opts out per server.
            verify=bool(config.settings.get("verify_tls", True)),
        ),
        server=config.name,
        max_parallel=tuning.max_parallel,
        attempts=tuning.retry_attempts,
        backoff_seconds=tuning.retry_backoff,
    )
    if config.panel_type is PanelType.xui:
        return XuiPanel(config, http)
    return MarzbanPanel(config, http)


class PanelPool:
    """One adapter per server, shared by every job of the process (sessions and limits are per server)."""

    def __init__(self, tuning: PanelTuning) -> None:
        self.tuning = tuning
        self._entries: dict[uuid.UUID, tuple[tuple[Any, ...], PanelClient]] = {}
        self._retired: list[PanelClient] = []

    def get(self, config: PanelConfig) -> PanelClient:
        """The server's adapter; a changed URL, credential or setting replaces it."""
        entry = self._entries.get(config.server_id)
        fingerprint = config.fingerprint()
        if entry is not None and entry[0] == fingerprint:
            return entry[1]
        if entry is not None:
            self._retired.append(entry[1])  # requests in flight may still use it; closed with the pool
        panel = create_panel(config, self.tuning)
        self._entries[config.server_id] = (fingerprint, panel)
        return panel

    async def aclose(self) -> None:
        """Close every adapter's HTTP client."""
        panels = [p for _, p in self._entries.values()] + self._retired
        self._entries.clear()
        self._retired.clear()
        for panel in panels:
            await panel.aclose()
