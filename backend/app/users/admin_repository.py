"""SQL of the staff's customer management: search, filters, counts, a customer's history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal_column, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.pagination import AnySelect, like_pattern
from app.models import (
    Location,
    Payment,
    ReferralReward,
    Server,
    Subscription,
    Tariff,
    Ticket,
    User,
)
from app.models.enums import PaymentMethod, PaymentStatus, SubscriptionStatus, TicketStatus

# The same expressions as the trigram indexes ix_users_username_trgm and ix_users_name_trgm, with the
# constants inlined: a bound parameter would keep PostgreSQL from matching the index expression.
ICU = "und-x-icu"
USERNAME_EXPR = func.lower(User.username.collate(ICU))
NAME_EXPR = func.lower(
    func.coalesce(User.first_name, literal_column("''"))
    .op("||")(literal_column("' '"))
    .op("||")(func.coalesce(User.last_name, literal_column("''")))
    .self_group()
    .collate(ICU)
)
# Money that came from outside: what the customer paid to a provider.
PROVIDER_METHODS = (
    PaymentMethod.severpay,
    PaymentMethod.cryptopay,
    PaymentMethod.xrocket,
    PaymentMethod.stars,
)
_MAX_BIGINT = 2**63 - 1


def has_active_subscription() -> ColumnElement[bool]:
    """EXISTS an active subscription of the outer `users` row."""
    return exists().where(Subscription.user_id == User.id, Subscription.status == SubscriptionStatus.active)


def has_paid() -> ColumnElement[bool]:
    """EXISTS a paid (or later refunded) payment of the outer `users` row, admin credits aside."""
    return exists().where(
        Payment.user_id == User.id,
        Payment.status.in_([PaymentStatus.paid, PaymentStatus.refunded]),
        Payment.method != PaymentMethod.admin,
    )


def search_clause(q: str) -> ColumnElement[bool]:
    """Telegram id (exact), or a part of the username or of the first and last name."""
    term = q.strip().removeprefix("@").lower()
    if not term:
        return true()
    pattern = like_pattern(term)
    clauses: list[ColumnElement[bool]] = [
        USERNAME_EXPR.like(pattern, escape="\\"),
        NAME_EXPR.like(pattern, escape="\\"),
    ]
    if term.isdigit() and int(term) <= _MAX_BIGINT:
        clauses.append(User.telegram_id == int(term))
    return or_(*clauses)


def list_users(
    *,
    q: str | None = None,
    is_blocked: bool | None = None,
    bot_blocked: bool | None = None,
    has_active: bool | None = None,
    referred_by: uuid.UUID | None = None,
    language: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> Select[Any]:
    """The filtered customer list (unsorted)."""
    stmt = select(User)
    if q:
        stmt = stmt.where(search_clause(q))
    if is_blocked is not None:
        stmt = stmt.where(User.is_blocked.is_(is_blocked))
    if bot_blocked is not None:
        stmt = stmt.where(User.bot_blocked.is_(bot_blocked))
    if has_active is not None:
        stmt = stmt.where(has_active_subscription() if has_active else ~has_active_subscription())
    if referred_by is not None:
        stmt = stmt.where(User.referred_by_id == referred_by)
    if language:
        stmt = stmt.where(User.language == language)
    if created_from is not None:
        stmt = stmt.where(User.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(User.created_at < created_to)
    return stmt


async def active_subscription_counts(
    session: AsyncSession, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Active subscriptions per customer, for one page of the list."""
    if not user_ids:
        return {}
    stmt = (
        select(Subscription.user_id, func.count())
        .where(Subscription.user_id.in_(user_ids), Subscription.status == SubscriptionStatus.active)
        .group_by(Subscription.user_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(stmt)).all()}


async def counts(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    """Everything counted about one customer, in one round trip."""

    def scalar(stmt: Select[Any], name: str) -> Any:
        return stmt.scalar_subquery().label(name)

    sub = select(func.count()).select_from(Subscription).where(Subscription.user_id == user_id)
    paid = select(Payment).where(Payment.user_id == user_id, Payment.status == PaymentStatus.paid)
    tickets = select(func.count()).select_from(Ticket).where(Ticket.user_id == user_id)
    stmt = select(
        scalar(sub, "subscriptions"),
        scalar(sub.where(Subscription.status == SubscriptionStatus.active), "active_subscriptions"),
        scalar(paid.with_only_columns(func.count()), "payments_paid"),
        scalar(
            paid.with_only_columns(func.coalesce(func.sum(Payment.amount), 0)).where(
                Payment.method.in_(PROVIDER_METHODS)
            ),
            "total_paid",
        ),
        scalar(select(func.count()).select_from(User).where(User.referred_by_id == user_id), "referrals"),
        scalar(
            select(func.coalesce(func.sum(ReferralReward.amount), 0)).where(
                ReferralReward.beneficiary_id == user_id
            ),
            "referral_earnings",
        ),
        scalar(tickets, "tickets"),
        scalar(tickets.where(Ticket.status != TicketStatus.closed), "open_tickets"),
    )
    return dict((await session.execute(stmt)).one()._mapping)


def payments_of(
    user_id: uuid.UUID, status: PaymentStatus | None = None, method: PaymentMethod | None = None
) -> Select[Any]:
    """A customer's payments, newest first."""
    stmt = select(Payment).where(Payment.user_id == user_id)
    if status is not None:
        stmt = stmt.where(Payment.status == status)
    if method is not None:
        stmt = stmt.where(Payment.method == method)
    return stmt.order_by(Payment.created_at.desc(), Payment.id.desc())


def subscriptions_of(user_id: uuid.UUID, status: SubscriptionStatus | None = None) -> AnySelect:
    """A customer's subscriptions with location, server and tariff names, newest first."""
    stmt = (
        select(
            Subscription,
            Location.name.label("location_name"),
            Location.flag_emoji,
            Server.name.label("server_name"),
            Tariff.name.label("tariff_name"),
        )
        .join(Location, Location.id == Subscription.location_id)
        .outerjoin(Server, Server.id == Subscription.server_id)
        .outerjoin(Tariff, Tariff.id == Subscription.tariff_id)
        .where(Subscription.user_id == user_id)
    )
    if status is not None:
        stmt = stmt.where(Subscription.status == status)
    return stmt.order_by(Subscription.created_at.desc(), Subscription.id.desc())


def referrals_of(user_id: uuid.UUID) -> AnySelect:
    """Customers invited by `user_id`, with whether they paid and what the inviter earned, newest first."""
    rewards = (
        select(func.coalesce(func.sum(ReferralReward.amount), 0))
        .where(ReferralReward.beneficiary_id == user_id, ReferralReward.referred_user_id == User.id)
        .scalar_subquery()
    )
    return (
        select(User, has_paid().label("has_paid"), rewards.label("rewards"))
        .where(User.referred_by_id == user_id)
        .order_by(User.created_at.desc(), User.id.desc())
    )
