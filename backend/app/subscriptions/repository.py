"""SQL of the subscriptions domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Location, Server, Subscription, Tariff, User
from app.models.enums import SubscriptionStatus

# Subscriptions whose client should exist on their server's panel.
ON_PANEL = (SubscriptionStatus.active, SubscriptionStatus.disabled)


def with_refs() -> Select[Subscription, Location, str, str, int]:
    """Subscriptions joined with what their views show (location, tariff name, server name, user)."""
    return (
        select(Subscription, Location, Tariff.name, Server.name, User.telegram_id)
        .join(Location, Location.id == Subscription.location_id)
        .join(User, User.id == Subscription.user_id)
        .outerjoin(Tariff, Tariff.id == Subscription.tariff_id)
        .outerjoin(Server, Server.id == Subscription.server_id)
    )


async def one_with_refs(session: AsyncSession, subscription_id: uuid.UUID) -> Any | None:
    """One subscription row with its references, or None."""
    return (await session.execute(with_refs().where(Subscription.id == subscription_id))).first()


async def user_subscriptions(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Any]:
    """A customer's subscriptions, newest first (failed ones are hidden after a refund)."""
    stmt = (
        with_refs()
        .where(Subscription.user_id == user_id, Subscription.status != SubscriptionStatus.failed)
        .order_by(Subscription.created_at.desc(), Subscription.id)
    )
    return list((await session.execute(stmt)).all())


async def lock(
    session: AsyncSession, subscription_id: uuid.UUID, *, skip_locked: bool = False
) -> Subscription | None:
    """The subscription row under `FOR UPDATE` (fresh from the database)."""
    stmt = (
        select(Subscription)
        .where(Subscription.id == subscription_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    return await session.scalar(stmt)


async def due_to_expire(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    """Mark active subscriptions past their end as expired, in one statement; returns the ids it changed."""
    ids = (
        select(Subscription.id)
        .where(Subscription.status == SubscriptionStatus.active, Subscription.ends_at <= now)
        .order_by(Subscription.ends_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        update(Subscription)
        .where(Subscription.id.in_(ids))
        .values(status=SubscriptionStatus.expired, updated_at=now)
        .returning(Subscription.id)
    )
    return list((await session.scalars(stmt)).all())


async def expired_still_enabled(session: AsyncSession, limit: int) -> list[uuid.UUID]:
    """Expired subscriptions whose client was not switched off on the panel yet."""
    stmt = (
        select(Subscription.id)
        .where(
            Subscription.status == SubscriptionStatus.expired,
            Subscription.server_id.is_not(None),
            Subscription.disabled_on_panel_at.is_(None),
            Subscription.deleted_on_panel_at.is_(None),
        )
        .order_by(Subscription.ends_at)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def expired_past_grace(session: AsyncSession, before: datetime, limit: int) -> list[uuid.UUID]:
    """Expired subscriptions whose grace period is over and whose client is still on the panel."""
    stmt = (
        select(Subscription.id)
        .where(
            Subscription.status == SubscriptionStatus.expired,
            Subscription.server_id.is_not(None),
            Subscription.deleted_on_panel_at.is_(None),
            Subscription.ends_at <= before,
        )
        .order_by(Subscription.ends_at)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def ending_between(
    session: AsyncSession, start: datetime, end: datetime, *, auto_renew: bool | None = None
) -> list[uuid.UUID]:
    """Active subscriptions ending in [start, end]."""
    stmt = select(Subscription.id).where(
        Subscription.status == SubscriptionStatus.active,
        Subscription.ends_at.is_not(None),
        Subscription.ends_at >= start,
        Subscription.ends_at <= end,
    )
    if auto_renew is not None:
        stmt = stmt.where(Subscription.auto_renew.is_(auto_renew), Subscription.tariff_id.is_not(None))
    return list((await session.scalars(stmt.order_by(Subscription.ends_at))).all())


async def stuck_pending(session: AsyncSession, before: datetime, limit: int) -> Sequence[Any]:
    """Pending subscriptions nothing has touched since `before` (a lost job)."""
    stmt = (
        select(Subscription.id, Subscription.provision_attempts)
        .where(Subscription.status == SubscriptionStatus.pending, Subscription.updated_at < before)
        .order_by(Subscription.created_at)
        .limit(limit)
    )
    return (await session.execute(stmt)).all()


async def on_server(session: AsyncSession, server_id: uuid.UUID) -> list[Subscription]:
    """Subscriptions placed on a server whose client is (or should be) on its panel."""
    stmt = select(Subscription).where(
        Subscription.server_id == server_id,
        (Subscription.status.in_(ON_PANEL))
        | ((Subscription.status == SubscriptionStatus.expired) & Subscription.deleted_on_panel_at.is_(None)),
    )
    return list((await session.scalars(stmt)).all())


async def by_identities(session: AsyncSession, identities: Sequence[str]) -> dict[str, Subscription]:
    """Subscriptions by panel identity (lower case)."""
    if not identities:
        return {}
    stmt = select(Subscription).where(
        func.lower(Subscription.panel_identity).in_([i.lower() for i in identities])
    )
    return {s.panel_identity.lower(): s for s in (await session.scalars(stmt)).all()}
