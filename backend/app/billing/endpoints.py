"""Ledger routes: the customer's balance history; staff adjustments and ledger views."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record
from app.billing import repository
from app.billing.ledger import change_balance
from app.billing.schemas import (
    BalanceAdjusted,
    BalanceAdjustment,
    LedgerEntryAdminRead,
    LedgerEntryRead,
    LedgerPage,
)
from app.deps import SessionDep
from app.errors import error_responses
from app.kit.money import format_rub, to_money
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate
from app.models import BalanceLedger
from app.models.enums import AdminRole, LedgerKind
from app.notifications.service import notify_user
from app.users.admin_deps import UserDep
from app.users.deps import CurrentUser

customer_router = APIRouter(prefix="/users/me", tags=["customer"])
admin_router = APIRouter(prefix="/admin", tags=["admin: ledger"])

READ = Depends(RequireRole(AdminRole.support, "payments:read"))
ADJUST = Depends(RequireRole(AdminRole.admin, "users:write"))


@customer_router.get(
    "/balance/history", response_model=Page[LedgerEntryRead], responses=error_responses(401, 403)
)
async def balance_history(user: CurrentUser, session: SessionDep, params: PageDep) -> Page[LedgerEntryRead]:
    """Every change of the customer's balance, newest first."""
    stmt = select(BalanceLedger).where(BalanceLedger.user_id == user.id)
    rows, total = await paginate(
        session, stmt.order_by(BalanceLedger.created_at.desc(), BalanceLedger.id), params
    )
    return make_page([LedgerEntryRead.model_validate(r) for r in rows], total, params)


@admin_router.post(
    "/users/{user_id}/balance",
    response_model=BalanceAdjusted,
    responses=error_responses(402, 404),
    dependencies=[ADJUST],
)
async def adjust_balance(
    body: BalanceAdjustment,
    user: UserDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> BalanceAdjusted:
    """Credit or debit a customer's balance by hand (reason required, audited, the customer is told)."""
    before = {"balance": str(to_money(user.balance))}
    entry = await change_balance(
        session,
        user.id,
        body.amount,
        LedgerKind.admin_adjustment,
        reference=f"admin:{principal.label}",
        comment=body.reason,
        admin_id=principal.admin_id,
    )
    record(
        session,
        principal,
        "user.balance_adjust",
        "user",
        user.id,
        before=before,
        after={"balance": str(entry.balance_after), "amount": str(entry.amount), "reason": body.reason},
        request=request,
    )
    sign = "+" if entry.amount > 0 else "−"
    notify_user(
        session,
        user.id,
        "balance_adjusted",
        amount=f"{sign}{format_rub(abs(entry.amount))}",
        balance=format_rub(entry.balance_after),
        reason=body.reason,
    )
    return BalanceAdjusted(entry=LedgerEntryAdminRead.model_validate(entry), balance=entry.balance_after)


def _filters(
    kind: LedgerKind | None = None,
    date_from: Annotated[datetime | None, Query(description="at or after (ISO 8601)")] = None,
    date_to: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
    payment_id: uuid.UUID | None = None,
) -> repository.LedgerFilters:
    return repository.LedgerFilters(kind=kind, date_from=date_from, date_to=date_to, payment_id=payment_id)


async def _ledger_page(
    session: SessionDep, params: PageDep, filters: repository.LedgerFilters, sort: str | None
) -> LedgerPage:
    stmt = apply_sort(
        filters.apply(select(BalanceLedger)),
        sort,
        repository.SORTS,
        [BalanceLedger.created_at.desc(), BalanceLedger.id],
    )
    rows, total = await paginate(session, stmt, params)
    page = make_page([LedgerEntryAdminRead.model_validate(r) for r in rows], total, params)
    return LedgerPage(**page.model_dump(), totals=await repository.totals(session, filters))


@admin_router.get("/ledger", response_model=LedgerPage, dependencies=[READ])
async def list_ledger(
    session: SessionDep,
    params: PageDep,
    filters: Annotated[repository.LedgerFilters, Depends(_filters)],
    user_id: uuid.UUID | None = None,
    sort: Annotated[str | None, Query(description="e.g. -created_at, amount")] = None,
) -> LedgerPage:
    """Every balance change, filtered by customer, kind and dates, with totals."""
    return await _ledger_page(session, params, replace(filters, user_id=user_id), sort)


@admin_router.get(
    "/users/{user_id}/ledger", response_model=LedgerPage, responses=error_responses(404), dependencies=[READ]
)
async def user_ledger(
    user: UserDep,
    session: SessionDep,
    params: PageDep,
    filters: Annotated[repository.LedgerFilters, Depends(_filters)],
    sort: str | None = None,
) -> LedgerPage:
    """One customer's balance changes."""
    return await _ledger_page(session, params, replace(filters, user_id=user.id), sort)
