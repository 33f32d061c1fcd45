"""SQL for promo codes and redemptions."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import PromoCode, PromoRedemption


def normalize(code: str) -> str:
    """Codes are matched case-insensitively and without surrounding spaces."""
    return code.strip().upper()


async def get_by_code(session: AsyncSession, code: str) -> PromoCode | None:
    """A code by its text."""
    return await session.scalar(select(PromoCode).where(PromoCode.code == normalize(code)))


async def lock(session: AsyncSession, promo_id: uuid.UUID) -> PromoCode | None:
    """The code row under FOR UPDATE: uses of one code are counted one at a time."""
    return await session.scalar(
        select(PromoCode)
        .where(PromoCode.id == promo_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


async def redemption_of(
    session: AsyncSession, promo_id: uuid.UUID, user_id: uuid.UUID
) -> PromoRedemption | None:
    """The customer's use of a code, if any."""
    return await session.scalar(
        select(PromoRedemption).where(
            PromoRedemption.promo_code_id == promo_id, PromoRedemption.user_id == user_id
        )
    )


async def redemption_for_payment(session: AsyncSession, payment_id: uuid.UUID) -> PromoRedemption | None:
    """The use a payment reserved."""
    return await session.scalar(select(PromoRedemption).where(PromoRedemption.payment_id == payment_id))


async def delete_redemption(session: AsyncSession, redemption_id: uuid.UUID) -> None:
    """Forget a reservation."""
    await session.execute(delete(PromoRedemption).where(PromoRedemption.id == redemption_id))


async def code_taken(session: AsyncSession, code: str, exclude: uuid.UUID | None = None) -> bool:
    """Whether a code text is in use."""
    stmt = select(PromoCode.id).where(PromoCode.code == normalize(code))
    if exclude is not None:
        stmt = stmt.where(PromoCode.id != exclude)
    return (await session.scalar(stmt)) is not None


async def redemption_count(session: AsyncSession, promo_id: uuid.UUID) -> int:
    """How many redemptions (including reservations) a code has."""
    return int(
        await session.scalar(
            select(func.count(PromoRedemption.id)).where(PromoRedemption.promo_code_id == promo_id)
        )
        or 0
    )
