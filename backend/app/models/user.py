"""Telegram customers."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    """A customer known by their Telegram id; balance always equals the sum of their ledger rows."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_non_negative"),
        CheckConstraint("referred_by_id IS NULL OR referred_by_id <> id", name="no_self_referral"),
        # ICU lower-casing: Cyrillic names match case-insensitively whatever the database's locale is
        # (a database created with the C locale would lower-case ASCII only).
        Index(
            "ix_users_username_trgm",
            text('lower(username COLLATE "und-x-icu") gin_trgm_ops'),
            postgresql_using="gin",
        ),
        Index(
            "ix_users_name_trgm",
            text(
                "lower((coalesce(first_name, '') || ' ' || coalesce(last_name, '')) COLLATE \"und-x-icu\") "
                "gin_trgm_ops"
            ),
            postgresql_using="gin",
        ),
        Index("ix_users_created_at", "created_at"),
    )

    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    username: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="ru", server_default="ru")
    balance: Mapped[Decimal] = mapped_column(
        Numeric(14, 2), nullable=False, default=Decimal("0"), server_default="0"
    )
    referral_code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    referred_by_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The personal aggregated subscription link /sub/{sub_token}; regenerating it revokes the old link.
    sub_token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    is_blocked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    bot_blocked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    trial_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
