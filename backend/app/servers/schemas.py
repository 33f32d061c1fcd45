"""Bodies of servers; credentials are write-only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from app.models.enums import PanelType, ServerHealth

PanelUrl = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=8, max_length=500, pattern=r"^https?://[^\s/]+(/[^\s]*)?$"
    ),
]
MARZBAN_PROTOCOLS = {"vless", "vmess", "trojan", "shadowsocks"}


class XuiSettings(BaseModel):
    """3x-ui: which inbounds new clients join, and the panel's subscription URL prefix."""

    model_config = ConfigDict(extra="forbid")

    inbound_ids: list[Annotated[int, Field(gt=0)]] = Field(min_length=1, max_length=50)
    sub_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = None
    flow: Literal["", "xtls-rprx-vision"] = ""
    verify_tls: bool = Field(default=True, description="false for a panel with a self-signed certificate")


class MarzbanSettings(BaseModel):
    """Marzban: protocols with their settings, and the inbound tags per protocol ([] = all)."""

    model_config = ConfigDict(extra="forbid")

    proxies: dict[str, dict[str, Any]] = Field(min_length=1)
    inbounds: dict[str, list[Annotated[str, StringConstraints(min_length=1, max_length=100)]]] = Field(
        default_factory=dict
    )
    verify_tls: bool = Field(default=True, description="false for a panel with a self-signed certificate")

    @field_validator("proxies")
    @classmethod
    def _known_protocols(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        unknown = set(value) - MARZBAN_PROTOCOLS
        if unknown:
            raise ValueError(f"unknown protocols {sorted(unknown)}; use {sorted(MARZBAN_PROTOCOLS)}")
        return value

    @model_validator(mode="after")
    def _inbounds_match_proxies(self) -> MarzbanSettings:
        extra = set(self.inbounds) - set(self.proxies)
        if extra:
            raise ValueError(f"inbounds name protocols that are not in proxies: {sorted(extra)}")
        # Marzban gives a user no inbounds when a protocol's entry is missing; [] means all of them.
        for proto in self.proxies:
            self.inbounds.setdefault(proto, [])
        return self


def validate_panel_settings(panel_type: PanelType, settings: dict[str, Any]) -> dict[str, Any]:
    """Check `settings` against the panel type's shape and return it normalised."""
    model: type[BaseModel] = XuiSettings if panel_type is PanelType.xui else MarzbanSettings
    return model.model_validate(settings).model_dump(exclude_none=True)


class ServerCreate(BaseModel):
    """A new server; username/password (or a 3x-ui API token) are stored encrypted."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "location_id": "8a6e0f5e-3f1b-4a8e-9a59-1b0a3c2d4e5f",
                    "name": "nl-1",
                    "panel_type": "3x-ui",
                    "panel_url": "https://nl1.example.com:2053/secret-path/",
                    "username": "admin",
                    "password": "panel-password",
                    "max_users": 300,
                    "settings": {"inbound_ids": [1], "sub_url": "https://nl1.example.com:2096/sub/"},
                }
            ]
        }
    )

    location_id: uuid.UUID
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    panel_type: PanelType
    panel_url: PanelUrl
    username: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=500)
    api_token: str | None = Field(default=None, max_length=1000)
    max_users: int = Field(default=500, gt=0, le=1_000_000)
    is_active: bool = True
    settings: dict[str, Any]

    @model_validator(mode="after")
    def _check(self) -> ServerCreate:
        self.settings = validate_panel_settings(self.panel_type, self.settings)
        if not self.api_token and not (self.username and self.password):
            raise ValueError("give username and password, or an api_token (3x-ui v3+)")
        if self.api_token and self.panel_type is PanelType.marzban:
            raise ValueError("Marzban logs in with username and password; api_token is for 3x-ui")
        return self


class ServerUpdate(BaseModel):
    """Changes to a server; credentials are replaced only when sent (empty string clears api_token)."""

    location_id: uuid.UUID | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    panel_url: PanelUrl | None = None
    username: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=500)
    api_token: str | None = Field(default=None, max_length=1000)
    max_users: int | None = Field(default=None, gt=0, le=1_000_000)
    is_active: bool | None = None
    settings: dict[str, Any] | None = None


class ServerRead(BaseModel):
    """A server as staff see it: no credentials, only whether they are set."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    location_id: uuid.UUID
    name: str
    panel_type: PanelType
    panel_url: str
    has_password: bool
    has_api_token: bool
    max_users: int
    is_active: bool
    is_sandbox: bool
    settings: dict[str, Any]
    health: ServerHealth
    last_check_at: datetime | None
    last_latency_ms: int | None
    last_error: str | None
    api_generation: str | None
    panel_version: str | None
    active_users: int = 0
    created_at: datetime
    updated_at: datetime


class PanelTestBody(BaseModel):
    """Credentials to try before saving a server."""

    panel_type: PanelType
    panel_url: PanelUrl
    username: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=500)
    api_token: str | None = Field(default=None, max_length=1000)
    settings: dict[str, Any]

    @model_validator(mode="after")
    def _check(self) -> PanelTestBody:
        self.settings = validate_panel_settings(self.panel_type, self.settings)
        if not self.api_token and not (self.username and self.password):
            raise ValueError("give username and password, or an api_token (3x-ui v3+)")
        return self


class InboundRead(BaseModel):
    """An inbound the panel offers (3x-ui: its id; Marzban: its tag)."""

    ref: str
    protocol: str
    port: int | str | None
    remark: str
    enabled: bool
    clients: int | None


class PanelTestResult(BaseModel):
    """What connecting to a panel showed."""

    ok: bool
    panel_type: PanelType
    api_generation: str | None = Field(description="3x-ui: legacy, v3.0 or v3.1; Marzban: v0.8")
    panel_version: str | None
    core_version: str | None = Field(description="Xray version (3x-ui)")
    latency_ms: int
    inbounds: list[InboundRead] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list, description="settings that do not match the panel")
    error: str | None = None
    error_kind: Literal["auth", "unreachable", "rejected"] | None = None


class ServerLoadRead(BaseModel):
    """How full a server is."""

    server_id: uuid.UUID
    max_users: int
    live: int = Field(description="pending + active subscriptions: what counts against max_users")
    by_status: dict[str, int]
    free: int
    utilisation_percent: int
    traffic_used_bytes: int = Field(description="traffic of the live subscriptions since their last reset")
    online: int | None = Field(description="clients online at the last traffic sync (null: not synced yet)")
    online_checked_at: datetime | None
    health: ServerHealth
    last_latency_ms: int | None
