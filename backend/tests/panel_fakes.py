"""Helpers that run the panel fakes and build adapters pointed at them (shared by several test packages)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from app.integrations.panels.base import ClientSpec, PanelClient, PanelConfig
from app.integrations.panels.factory import PanelTuning, create_panel
from app.models.enums import PanelType
from fakes.marzban import MarzbanFake
from fakes.server import BackgroundServer
from fakes.xui import XuiFake

GB = 1024**3


def client_spec(identity: str = "u42_abcdef0123", **kw: Any) -> ClientSpec:
    """A client as the shop asks for it: until 2031-01-01 12:00 UTC, 50 GB, 2 devices."""
    values: dict[str, Any] = {
        "identity": identity,
        "expires_at": datetime(2031, 1, 1, 12, 0, tzinfo=UTC),
        "traffic_limit_bytes": 50 * GB,
        "device_limit": 2,
        "enabled": True,
        "telegram_id": 42,
        "note": "sub 1",
    }
    values.update(kw)
    return ClientSpec(**values)


FAST = PanelTuning(timeout=2.0, connect_timeout=1.0, max_parallel=8, retry_attempts=3, retry_backoff=0.0)


@asynccontextmanager
async def serving(fake: XuiFake | MarzbanFake) -> AsyncIterator[str]:
    """Serve a fake on a loopback port; heal it first on the way out so hung requests end."""
    server = BackgroundServer(fake.app)
    url = await server.start()
    try:
        yield url
    finally:
        fake.faults.heal()
        await server.stop()


def xui_config(served_at: str, fake: XuiFake, **overrides: Any) -> PanelConfig:
    """A PanelConfig for the 3x-ui fake at `url` (its base path appended)."""
    values: dict[str, Any] = {
        "server_id": uuid.uuid4(),
        "name": "xui-test",
        "panel_type": PanelType.xui,
        "url": served_at + fake.base,
        "username": fake.username,
        "password": fake.password,
        "api_token": None,
        "settings": {"inbound_ids": [1], "sub_url": "https://vpn.example.com:2096/sub/"},
        "api_generation": None,
    }
    values.update(overrides)
    return PanelConfig(**values)


def marzban_config(served_at: str, fake: MarzbanFake, **overrides: Any) -> PanelConfig:
    """A PanelConfig for the Marzban fake at `url`."""
    values: dict[str, Any] = {
        "server_id": uuid.uuid4(),
        "name": "marzban-test",
        "panel_type": PanelType.marzban,
        "url": served_at + "/dashboard/",
        "username": fake.username,
        "password": fake.password,
        "api_token": None,
        "settings": {
            "proxies": {"vless": {"flow": "xtls-rprx-vision"}, "trojan": {}},
            "inbounds": {"vless": [], "trojan": []},
        },
        "api_generation": None,
    }
    values.update(overrides)
    return PanelConfig(**values)


@asynccontextmanager
async def adapter(config: PanelConfig, tuning: PanelTuning = FAST) -> AsyncIterator[PanelClient]:
    """An adapter closed at the end of the block."""
    panel = create_panel(config, tuning)
    try:
        yield panel
    finally:
        await panel.aclose()


# --- rows pointing at the fakes, and worker settings for fast tests ----------------------------------

BOT_TOKEN = "4242:panel-lifecycle-tests-token"
ADMIN_CHAT = -100777


def worker_settings(**overrides: Any) -> Any:
    """Test settings with no waiting between retries (the worker runs in burst mode)."""
    from tests.conftest import make_settings

    values: dict[str, Any] = {
        "provision_retry_delay_seconds": 0,
        "panel_retry_backoff_seconds": 0,
        "panel_job_retry_delay_seconds": 0,
        "panel_timeout_seconds": 2,
        "panel_connect_timeout_seconds": 1,
    }
    values.update(overrides)
    return make_settings(**values)


async def xui_server(session: Any, location: Any, fake: XuiFake, url: str, **kw: Any) -> Any:
    """A 3x-ui server row for the fake at `url`."""
    from tests.factories import create_server

    settings = kw.pop("settings", {"inbound_ids": [1], "sub_url": "https://vpn.example.com:2096/sub/"})
    return await create_server(
        session,
        location,
        panel_url=url + fake.base,
        username=fake.username,
        password=fake.password,
        settings=settings,
        **kw,
    )


async def marzban_server(session: Any, location: Any, fake: MarzbanFake, url: str, **kw: Any) -> Any:
    """A Marzban server row for the fake at `url`."""
    from tests.factories import create_server

    settings = kw.pop("settings", {"proxies": {"vless": {}}, "inbounds": {"vless": []}})
    return await create_server(
        session,
        location,
        panel_type=PanelType.marzban,
        panel_url=url + "/dashboard/",
        username=fake.username,
        password=fake.password,
        settings=settings,
        **kw,
    )
