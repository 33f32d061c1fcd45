"""A customer's VPN access on one server."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, pg_enum
from app.models.enums import SubscriptionStatus


class Subscription(IdMixin, TimestampMixin, Base):
    """Access bought with a tariff; `panel_identity` is deterministic so a retried job finds its client."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_status_ends_at", "status", "ends_at"),
        Index("ix_subscriptions_user_id_created_at", "user_id", "created_at"),
        Index("ix_subscriptions_server_id_status", "server_id", "status"),
        Index(
            "ix_subscriptions_pending_created_at",
            "created_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="RESTRICT"), nullable=False
    )
    location_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("locations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    server_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("servers.id", ondelete="RESTRICT")
    )
    tariff_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tariffs.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[SubscriptionStatus] = mapped_column(
        pg_enum(SubscriptionStatus, "subscription_status"),
        nullable=False,
        default=SubscriptionStatus.pending,
        server_default=SubscriptionStatus.pending.value,
    )
    is_trial: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # NULL = forever
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_days: Mapped[int | None] = mapped_column(Integer)
    panel_identity: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    panel_credential: Mapped[str | None] = mapped_column(String(255))
    panel_sub_id: Mapped[str | None] = mapped_column(String(64))
    config_url: Mapped[str | None] = mapped_column(Text)
    share_links: Mapped[str | None] = mapped_column(Text)
    traffic_used_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    traffic_limit_bytes: Mapped[int | None] = mapped_column(BigInteger)
    device_limit: Mapped[int | None] = mapped_column(Integer)
    auto_renew: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    provision_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # Reminder bookkeeping: which reminder (days before) was sent for which end date.
    reminded_days: Mapped[int | None] = mapped_column(Integer)
    reminded_for_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Auto-renew found too little money for this end date: the top-up reminder was sent once for it.
    auto_renew_notice_for_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When traffic sync found the quota used up (cleared when the quota is raised or traffic reset).
    quota_exhausted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_on_panel_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_on_panel_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    traffic_synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
