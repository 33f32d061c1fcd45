"""Payments: provider invoices, balance purchases and admin credits."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, pg_enum
from app.models.enums import PaymentMethod, PaymentPurpose, PaymentStatus


class Payment(IdMixin, TimestampMixin, Base):
    """One payment; (method, provider_payment_id) is unique so an invoice is credited once."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("method", "provider_payment_id", name="uq_payments_method_provider_payment_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("order_price IS NULL OR order_price >= 0", name="order_price_non_negative"),
        Index("ix_payments_user_id_created_at", "user_id", "created_at"),
        Index("ix_payments_status_created_at", "status", "created_at"),
        Index("ix_payments_method_created_at", "method", "created_at"),
        Index("ix_payments_paid_at", "paid_at"),
        Index("ix_payments_pending_created_at", "created_at", postgresql_where=text("status = 'pending'")),
        # "Has this customer paid (since ...)?" as an index-only probe: trial conversion, segments.
        Index(
            "ix_payments_user_id_paid",
            "user_id",
            "created_at",
            postgresql_where=text("status = 'paid' AND method <> 'admin'"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="RESTRICT"), nullable=False
    )
    # Always in RUB: what the customer's balance is credited with.
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="RUB", server_default="RUB")
    status: Mapped[PaymentStatus] = mapped_column(
        pg_enum(PaymentStatus, "payment_status"),
        nullable=False,
        default=PaymentStatus.pending,
        server_default=PaymentStatus.pending.value,
    )
    method: Mapped[PaymentMethod] = mapped_column(pg_enum(PaymentMethod, "payment_method"), nullable=False)
    purpose: Mapped[PaymentPurpose] = mapped_column(
        pg_enum(PaymentPurpose, "payment_purpose"), nullable=False, default=PaymentPurpose.topup
    )
    provider_payment_id: Mapped[str | None] = mapped_column(String(128))
    pay_url: Mapped[str | None] = mapped_column(Text)
    # What the provider charges, when it is not RUB (crypto asset amount, Stars) and the rate used.
    provider_amount: Mapped[Decimal | None] = mapped_column(Numeric(30, 9))
    provider_currency: Mapped[str | None] = mapped_column(String(16))
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(30, 9))
    # What the payment buys when purpose is purchase or renewal.
    tariff_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tariffs.id", ondelete="SET NULL")
    )
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("locations.id", ondelete="SET NULL")
    )
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    promo_code_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("promo_codes.id", ondelete="SET NULL")
    )
    # The price of what the payment buys (after discounts), quoted when the invoice was made: a
    # purchase completes at this price even if the tariff's price changes meanwhile.
    order_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why a paid purchase could not be completed (its money then stays on the balance).
    fulfillment_error: Mapped[str | None] = mapped_column(Text)
    # The provider's reason for a failed or expired payment.
    status_detail: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    raw_payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    is_sandbox: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
