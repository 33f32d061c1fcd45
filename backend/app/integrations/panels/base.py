"""What the shop needs from a VPN panel, whatever software runs it, and the errors it may raise.

Errors are split by what the caller should do: a technical error (network, timeout, 5xx, refused login)
means "this server cannot serve now: retry later or use another server"; a logical error (duplicate,
not found, bad input) will not change by retrying the same request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.models.enums import PanelType


class PanelError(Exception):
    """Any failure talking to a panel."""


class PanelTechnicalError(PanelError):
    """The panel cannot serve the request now; retry later or fail over to another server."""


class PanelTransientError(PanelTechnicalError):
    """Network error, timeout, 5xx, overload or an unreadable answer: worth an immediate retry."""


class PanelAuthError(PanelTechnicalError):
    """The panel refused our credentials; never retried at once (3x-ui blocks repeated failed logins)."""


class PanelLogicalError(PanelError):
    """The panel understood and refused the request; retrying the same request will not help."""


class ClientAlreadyExists(PanelLogicalError):
    """A client with this identity is already on the panel."""


class ClientNotFound(PanelLogicalError):
    """No client with this identity on the panel."""


class PanelBadInput(PanelLogicalError):
    """The panel rejected the request's content (unknown inbound, invalid field)."""


@dataclass(frozen=True)
class PanelConfig:
    """Everything an adapter needs about one server, detached from the database session."""

    server_id: uuid.UUID
    name: str
    panel_type: PanelType
    url: str
    username: str | None
    password: str | None
    api_token: str | None
    settings: dict[str, Any]
    api_generation: str | None = None

    def fingerprint(self) -> tuple[Any, ...]:
        """What makes a cached connection stale when it changes (URL, credentials, settings)."""
        return (
            self.panel_type,
            self.url,
            self.username,
            self.password,
            self.api_token,
            repr(sorted(self.settings.items())),
        )


@dataclass(frozen=True)
class PanelInfo:
    """What a connection check found out."""

    panel_type: PanelType
    version: str | None
    api_generation: str
    core_version: str | None = None


@dataclass(frozen=True)
class PanelInbound:
    """An inbound (3x-ui) or inbound tag (Marzban) clients can join."""

    ref: str
    protocol: str
    port: int | str | None
    remark: str
    enabled: bool = True
    clients: int | None = None


@dataclass(frozen=True)
class ClientSpec:
    """The state the shop wants a panel client in (create, or update to exactly this)."""

    identity: str
    expires_at: datetime | None
    traffic_limit_bytes: int | None
    device_limit: int | None
    enabled: bool = True
    telegram_id: int | None = None
    note: str = ""


@dataclass
class ClientState:
    """A client as the panel reports it."""

    identity: str
    credential: str | None
    sub_id: str | None
    expires_at: datetime | None
    traffic_limit_bytes: int | None
    device_limit: int | None
    enabled: bool
    used_bytes: int = 0
    inbounds: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    config_url: str | None = None


class PanelClient(Protocol):
    """One VPN panel as the shop uses it; every method raises PanelError subclasses only."""

    config: PanelConfig

    @property
    def api_generation(self) -> str | None:
        """The API generation in use (detected on first use unless known)."""
        ...

    @property
    def version(self) -> str | None:
        """The panel version, or version range, found while detecting the generation."""
        ...

    async def check(self) -> PanelInfo:
        """Log in and make a cheap read; returns version and API generation."""
        ...

    async def list_inbounds(self) -> list[PanelInbound]:
        """The panel's inbounds."""
        ...

    async def create_client(self, spec: ClientSpec) -> ClientState:
        """Create the client (raises ClientAlreadyExists when its identity is taken)."""
        ...

    async def get_client(self, identity: str) -> ClientState:
        """Read one client (raises ClientNotFound)."""
        ...

    async def update_client(self, spec: ClientSpec) -> ClientState:
        """Set expiry, quota, device limit and enabled exactly as in `spec`, keeping credentials."""
        ...

    async def delete_client(self, identity: str) -> None:
        """Remove the client (raises ClientNotFound when it is not there)."""
        ...

    async def reset_traffic(self, identity: str) -> None:
        """Set the client's used traffic back to zero."""
        ...

    async def online_clients(self) -> list[str]:
        """Identities of the clients connected right now."""
        ...

    async def list_clients(self) -> list[ClientState]:
        """Every client on the panel (ours and others), with traffic."""
        ...

    async def share_links(self, identity: str) -> list[str]:
        """The client's share links (vless://, vmess://, ...), one per inbound."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP connection pool."""
        ...
