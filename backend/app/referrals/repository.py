"""SQL for referral rewards."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.money import to_money
from app.models import Payment, ReferralReward, User
from app.models.enums import PaymentStatus
from app.payments.providers import PROVIDER_METHODS


async def insert_reward_once(
    session: AsyncSession,
    *,
    beneficiary_id: uuid.UUID,
    referred_user_id: uuid.UUID,
    payment_id: uuid.UUID | None,
    kind: str,
    source_key: str,
    amount: Decimal,
) -> uuid.UUID | None:
    """Insert the reward unless it exists (unique source, beneficiary, kind); its id when inserted."""
    stmt = (
        insert(ReferralReward)
        .values(
            id=uuid.uuid4(),
            beneficiary_id=beneficiary_id,
            referred_user_id=referred_user_id,
            payment_id=payment_id,
            kind=kind,
            source_key=source_key,
            amount=amount,
        )
        .on_conflict_do_nothing(constraint="uq_referral_rewards_source_beneficiary")
        .returning(ReferralReward.id)
    )
    result: uuid.UUID | None = await session.scalar(stmt)
    return result


async def paid_provider_payments_before(
    session: AsyncSession, user_id: uuid.UUID, payment_id: uuid.UUID
) -> int:
    """How many other provider payments of the user were paid (0 means this one is the first)."""
    return int(
        await session.scalar(
            select(func.count(Payment.id)).where(
                Payment.user_id == user_id,
                Payment.id != payment_id,
                Payment.method.in_(PROVIDER_METHODS),
                Payment.status.in_((PaymentStatus.paid, PaymentStatus.refunded)),
            )
        )
        or 0
    )


async def invited_counts(session: AsyncSession, inviter_id: uuid.UUID) -> tuple[int, int]:
    """(customers invited, of whom paid at least once)."""
    invited = await session.scalar(select(func.count(User.id)).where(User.referred_by_id == inviter_id))
    paying = await session.scalar(
        select(func.count(func.distinct(Payment.user_id)))
        .join(User, User.id == Payment.user_id)
        .where(
            User.referred_by_id == inviter_id,
            Payment.method.in_(PROVIDER_METHODS),
            Payment.status == PaymentStatus.paid,
        )
    )
    return int(invited or 0), int(paying or 0)


async def earned_total(session: AsyncSession, beneficiary_id: uuid.UUID) -> Decimal:
    """Everything credited to the customer as referral rewards."""
    total = await session.scalar(
        select(func.coalesce(func.sum(ReferralReward.amount), 0)).where(
            ReferralReward.beneficiary_id == beneficiary_id
        )
    )
    return to_money(total if total is not None else 0)
