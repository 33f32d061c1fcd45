"""Rewards paid to inviters."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, IdMixin


class ReferralReward(IdMixin, CreatedAtMixin, Base):
    """A reward for an invited user's payment; unique per (payment, beneficiary, kind) so it is paid once."""

    __tablename__ = "referral_rewards"
    __table_args__ = (
        UniqueConstraint(
            "source_key", "beneficiary_id", "kind", name="uq_referral_rewards_source_beneficiary"
        ),
    )

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    referred_user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payments.id", ondelete="RESTRICT")
    )
    # percent | first_payment | welcome_bonus
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    # What makes the reward unique: the payment id, or "signup:<user id>" for a welcome bonus.
    source_key: Mapped[str] = mapped_column(String(100), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
