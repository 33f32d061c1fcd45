"""Money test helpers: funding through the ledger, customer tokens, and the books-balance guard.

`books_balance` (autouse in the money test packages) checks after every test that each user's
balance equals the sum of their ledger rows and is not negative; the `committed_sessionmaker`
override runs the same check on committed data before the tables are emptied.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.auth.tokens import TokenType, issue_token
from app.billing.ledger import change_balance
from app.config import Settings
from app.db import create_sessionmaker
from app.models import BalanceLedger, User
from app.models.enums import LedgerKind
from tests.conftest import truncate_all


async def unbalanced_users(session: AsyncSession) -> list[tuple[uuid.UUID, Decimal, Decimal]]:
    """(user, balance, ledger sum) for every user whose books do not balance or whose balance is negative."""
    ledger = (
        select(BalanceLedger.user_id, func.sum(BalanceLedger.amount).label("total"))
        .group_by(BalanceLedger.user_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(User.id, User.balance, func.coalesce(ledger.c.total, 0))
            .outerjoin(ledger, ledger.c.user_id == User.id)
            .where((User.balance != func.coalesce(ledger.c.total, 0)) | (User.balance < 0))
        )
    ).all()
    return [(r[0], Decimal(r[1]), Decimal(r[2])) for r in rows]


async def assert_books_balance(session: AsyncSession) -> None:
    """Every balance equals its ledger sum and is not negative."""
    bad = await unbalanced_users(session)
    assert bad == [], f"balance != ledger sum (user, balance, ledger): {bad}"


@pytest.fixture(autouse=True)
async def books_balance(session: AsyncSession) -> AsyncIterator[None]:
    """After each test: the books of the test's own (rolled-back) transaction balance."""
    yield
    if session.in_transaction() and session.get_transaction() is not None:
        await assert_books_balance(session)


@pytest.fixture
async def committed_sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Really-committing sessions; the committed books are checked before every table is emptied."""
    maker = create_sessionmaker(engine)
    yield maker
    try:
        async with maker() as session:
            await assert_books_balance(session)
    finally:
        await truncate_all(engine)


async def fund(session: AsyncSession, user: User, amount: Decimal | str) -> User:
    """Give a user money the honest way: a ledger row."""
    await change_balance(
        session, user.id, Decimal(amount), LedgerKind.admin_adjustment, reference="test-funding"
    )
    return user


def user_headers(settings: Settings, user: User | uuid.UUID) -> dict[str, str]:
    """Authorization headers of a customer."""
    user_id = user.id if isinstance(user, User) else user
    token, _ = issue_token(settings, user_id, TokenType.user, 3600)
    return {"Authorization": f"Bearer {token}"}


async def balance_of(session: AsyncSession, user_id: uuid.UUID) -> Decimal:
    """A user's balance read fresh from the database."""
    value = await session.scalar(select(User.balance).where(User.id == user_id))
    assert value is not None
    return Decimal(value)
