"""The bridge between server rows and panel adapters: configs, the per-process pool, remembered facts."""

from __future__ import annotations

from app.config import Settings
from app.integrations.panels.base import PanelClient, PanelConfig
from app.integrations.panels.factory import PanelPool, PanelTuning
from app.models import Server
from app.worker.context import JobContext


def panel_config(server: Server) -> PanelConfig:
    """A detached description of the server for an adapter (credentials decrypted by the column type)."""
    return PanelConfig(
        server_id=server.id,
        name=server.name,
        panel_type=server.panel_type,
        url=server.panel_url,
        username=server.username,
        password=server.password,
        api_token=server.api_token,
        settings=dict(server.settings or {}),
        api_generation=server.api_generation,
    )


def worker_pool(ctx: JobContext) -> PanelPool:
    """The worker's pool of panel adapters, created on first use and closed at worker shutdown."""
    pool = ctx.get("panels")
    if pool is None:
        pool = PanelPool(PanelTuning.from_settings(ctx["settings"]))
        ctx["panels"] = pool
    assert isinstance(pool, PanelPool)
    return pool


def standalone_pool(settings: Settings) -> PanelPool:
    """A short-lived pool (one admin request); the caller closes it."""
    return PanelPool(PanelTuning.from_settings(settings))


def remember_panel_facts(server: Server, panel: PanelClient) -> bool:
    """Store the probed API generation and version on the server row; True when they changed."""
    generation, version = panel.api_generation, panel.version
    changed = False
    if generation and generation != server.api_generation:
        server.api_generation = generation
        changed = True
    if version and version != server.panel_version:
        server.panel_version = version[:32]
        changed = True
    return changed
