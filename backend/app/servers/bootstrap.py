"""Create servers from THREE_XUI_PANELS / MARZBAN_PANELS on first start (servers are normally managed in the SPA).

Each variable is a JSON list; an entry names its location (created when missing) and is created only
when no server has its name yet, so later edits in the admin panel are never overwritten.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.models import Location, Server
from app.models.enums import PanelType
from app.servers.schemas import PanelUrl, validate_panel_settings

log = structlog.get_logger(__name__)
PANEL_SETTING_KEYS = {"inbound_ids", "sub_url", "flow", "proxies", "inbounds", "verify_tls"}


class BootstrapEntry(BaseModel):
    """One server of THREE_XUI_PANELS or MARZBAN_PANELS."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=100)
    location: str = Field(min_length=1, max_length=100)
    country_code: str = Field(default="UN", pattern=r"^[A-Za-z]{2}$")
    url: PanelUrl
    username: str | None = None
    password: str | None = None
    api_token: str | None = None
    max_users: int = Field(default=500, gt=0)


def parse_entries(raw: str | None, variable: str) -> list[BootstrapEntry]:
    """The entries of one variable; a malformed variable stops the start with a clear message."""
    if not raw:
        return []
    try:
        items = json.loads(raw)
        if not isinstance(items, list):
            raise ValueError("must be a JSON list")
        return [BootstrapEntry.model_validate(item) for item in items]
    except (ValueError, ValidationError) as exc:
        raise SystemExit(f"{variable} is not a valid JSON list of servers: {exc}") from None


async def bootstrap_servers(session: AsyncSession, settings: Settings) -> int:
    """Create the configured servers that do not exist yet; returns how many were created."""
    created = 0
    for variable, panel_type, raw in (
        ("THREE_XUI_PANELS", PanelType.xui, settings.three_xui_panels),
        ("MARZBAN_PANELS", PanelType.marzban, settings.marzban_panels),
    ):
        for entry in parse_entries(raw, variable):
            if await session.scalar(select(Server.id).where(func.lower(Server.name) == entry.name.lower())):
                continue
            extra: dict[str, Any] = entry.model_extra or {}
            try:
                panel_settings = validate_panel_settings(
                    panel_type, {k: v for k, v in extra.items() if k in PANEL_SETTING_KEYS}
                )
            except ValidationError as exc:
                raise SystemExit(f"{variable}: server {entry.name!r} has invalid settings: {exc}") from None
            location = await session.scalar(
                select(Location).where(func.lower(Location.name) == entry.location.lower())
            )
            if location is None:
                location = Location(
                    name=entry.location, country_code=entry.country_code.upper(), flag_emoji=""
                )
                session.add(location)
                await session.flush()
            session.add(
                Server(
                    location_id=location.id,
                    name=entry.name,
                    panel_type=panel_type,
                    panel_url=entry.url,
                    username=entry.username,
                    password=entry.password,
                    api_token=entry.api_token,
                    max_users=entry.max_users,
                    settings=panel_settings,
                )
            )
            await session.flush()
            created += 1
            log.info(
                "server_bootstrapped", server=entry.name, panel_type=panel_type.value, location=entry.location
            )
    return created
