"""The ledger: every balance change is a row, balances never go negative, concurrency is safe."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.billing.ledger import InsufficientBalance, change_balance
from app.errors import BadRequest
from app.models import BalanceLedger, User
from app.models.enums import LedgerKind
from tests.factories import create_user


async def ledger_sum(session: AsyncSession, user: User) -> Decimal:
    total = await session.scalar(
        select(func.coalesce(func.sum(BalanceLedger.amount), 0)).where(BalanceLedger.user_id == user.id)
    )
    return Decimal(total)


class TestChangeBalance:
    async def test_credit_then_debit(self, session: AsyncSession) -> None:
        user = await create_user(session)
        await change_balance(session, user.id, Decimal("100"), LedgerKind.topup, reference="pay:1")
        entry = await change_balance(session, user.id, Decimal("-49.50"), LedgerKind.purchase)
        assert entry.balance_after == Decimal("50.50")
        assert user.balance == Decimal("50.50")
        assert await ledger_sum(session, user) == user.balance

    async def test_debit_beyond_balance_changes_nothing(self, session: AsyncSession) -> None:
        user = await create_user(session)
        await change_balance(session, user.id, Decimal("10"), LedgerKind.topup)
        with pytest.raises(InsufficientBalance) as exc:
            await change_balance(session, user.id, Decimal("-10.01"), LedgerKind.purchase)
        assert exc.value.status_code == 402
        assert "10 ₽" in exc.value.detail
        assert user.balance == Decimal("10")
        assert await ledger_sum(session, user) == Decimal("10")

    async def test_rounds_to_kopecks_and_refuses_zero(self, session: AsyncSession) -> None:
        user = await create_user(session)
        entry = await change_balance(session, user.id, Decimal("0.005"), LedgerKind.promo)
        assert entry.amount == Decimal("0.01")
        with pytest.raises(BadRequest):
            await change_balance(session, user.id, Decimal("0.004"), LedgerKind.promo)

    async def test_concurrent_debits_never_overdraw(
        self, committed_sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async with committed_sessionmaker() as s:
            user = await create_user(s)
            await change_balance(s, user.id, Decimal("147"), LedgerKind.topup)
            await s.commit()

        async def debit() -> bool:
            async with committed_sessionmaker() as s:
                try:
                    await change_balance(s, user.id, Decimal("-49"), LedgerKind.purchase)
                    await s.commit()
                    return True
                except InsufficientBalance:
                    await s.rollback()
                    return False

        results = await asyncio.gather(*[debit() for _ in range(40)])
        assert sum(results) == 3
        async with committed_sessionmaker() as s:
            fresh = await s.get(User, user.id)
            assert fresh is not None
            assert fresh.balance == Decimal("0")
            assert await ledger_sum(s, fresh) == fresh.balance
