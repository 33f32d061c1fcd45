"""VPN servers: one panel each, belonging to a location."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.crypto import EncryptedString
from app.models.base import Base, IdMixin, TimestampMixin, pg_enum
from app.models.enums import PanelType, ServerHealth


class Server(IdMixin, TimestampMixin, Base):
    """A 3x-ui or Marzban panel; its credentials are encrypted at rest and never leave the API."""

    __tablename__ = "servers"
    __table_args__ = (CheckConstraint("max_users > 0", name="max_users_positive"),)

    location_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("locations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    panel_type: Mapped[PanelType] = mapped_column(pg_enum(PanelType, "panel_type"), nullable=False)
    panel_url: Mapped[str] = mapped_column(String(500), nullable=False)
    username: Mapped[str | None] = mapped_column(EncryptedString())
    password: Mapped[str | None] = mapped_column(EncryptedString())
    api_token: Mapped[str | None] = mapped_column(EncryptedString())
    # 3x-ui: {"inbound_ids": [..], "sub_url": ".."}; Marzban: {"proxies": {..}, "inbounds": {..}}
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    max_users: Mapped[int] = mapped_column(Integer, nullable=False, default=500, server_default="500")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default="true")
    is_sandbox: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    health: Mapped[ServerHealth] = mapped_column(
        pg_enum(ServerHealth, "server_health"),
        nullable=False,
        default=ServerHealth.unknown,
        server_default=ServerHealth.unknown.value,
    )
    consecutive_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    last_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What probing found out about the panel (e.g. 3x-ui "legacy" or "v3.1"), remembered per server.
    api_generation: Mapped[str | None] = mapped_column(String(32))
    panel_version: Mapped[str | None] = mapped_column(String(32))
