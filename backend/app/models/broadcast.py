"""Broadcasts and their per-recipient delivery state."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, pg_enum
from app.models.enums import BroadcastStatus, DeliveryStatus


class Broadcast(IdMixin, TimestampMixin, Base):
    """A message to a segment of customers, sent by a resumable job."""

    __tablename__ = "broadcasts"

    text: Mapped[str] = mapped_column(Text, nullable=False)
    parse_mode: Mapped[str | None] = mapped_column(String(16), default="HTML")
    segment: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    status: Mapped[BroadcastStatus] = mapped_column(
        pg_enum(BroadcastStatus, "broadcast_status"),
        nullable=False,
        default=BroadcastStatus.draft,
        server_default=BroadcastStatus.draft.value,
        index=True,
    )
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    sent: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    blocked: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # The last recipient row handed to the sender; a restarted job continues after it.
    checkpoint: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # Why the sender stopped a broadcast (e.g. Telegram refused the text itself).
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("admin_accounts.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BroadcastDelivery(Base):
    """One recipient of one broadcast, numbered so the sender can resume from a checkpoint."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (Index("ix_broadcast_deliveries_broadcast_id_status", "broadcast_id", "status"),)

    broadcast_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    telegram_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[DeliveryStatus] = mapped_column(
        pg_enum(DeliveryStatus, "delivery_status"),
        nullable=False,
        default=DeliveryStatus.pending,
        server_default=DeliveryStatus.pending.value,
    )
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
