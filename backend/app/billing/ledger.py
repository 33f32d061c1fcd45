"""The one function that moves money: a row lock, a ledger row and the new balance, in one transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import BadRequest, NotFound
from app.kit.money import format_rub, to_money
from app.models import BalanceLedger, User
from app.models.enums import LedgerKind

log = structlog.get_logger(__name__)


class InsufficientBalance(BadRequest):
    """The balance does not cover the amount."""

    status_code = 402
    default_detail = "Not enough money on the balance"


async def lock_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    """Load the user with `FOR NO KEY UPDATE`: concurrent balance changes of one user run one after another."""
    user = await session.scalar(
        select(User)
        .where(User.id == user_id)
        # NO KEY UPDATE: does not wait for rows that merely reference the user (payments, ledger).
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if user is None:
        raise NotFound("User not found")
    return user


async def change_balance(
    session: AsyncSession,
    user_id: uuid.UUID,
    amount: Decimal,
    kind: LedgerKind,
    *,
    reference: str | None = None,
    comment: str | None = None,
    payment_id: uuid.UUID | None = None,
    subscription_id: uuid.UUID | None = None,
    admin_id: uuid.UUID | None = None,
) -> BalanceLedger:
    """Add `amount` (negative to debit) to the balance and append the ledger row, under a row lock.

    The caller's transaction commits both or neither; a debit beyond the balance raises
    InsufficientBalance and changes nothing (the CHECK constraint backs this up).
    """
    amount = to_money(amount)
    if amount == 0:
        raise BadRequest("Amount must not be zero")
    user = await lock_user(session, user_id)
    new_balance = user.balance + amount
    if new_balance < 0:
        raise InsufficientBalance(f"Balance {format_rub(user.balance)} does not cover {format_rub(-amount)}")
    user.balance = new_balance
    entry = BalanceLedger(
        user_id=user.id,
        amount=amount,
        kind=kind,
        reference=reference,
        comment=comment,
        balance_after=new_balance,
        payment_id=payment_id,
        subscription_id=subscription_id,
        admin_id=admin_id,
    )
    session.add(entry)
    await session.flush()
    log.info(
        "balance_changed",
        user_id=str(user.id),
        amount=str(amount),
        kind=kind.value,
        balance_after=str(new_balance),
        reference=reference,
    )
    return entry
