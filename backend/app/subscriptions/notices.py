"""Customer notifications about a subscription, with its location and end date filled in."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Location, Subscription
from app.notifications.service import notify_user


def until_text(sub: Subscription) -> str:
    """The end date as customers read it (dd.mm.yyyy, UTC), or ∞."""
    return sub.ends_at.strftime("%d.%m.%Y") if sub.ends_at else "∞"


async def notify_subscription(
    session: AsyncSession,
    sub: Subscription,
    key: str,
    *,
    dedupe_key: str | None = None,
    qr: str | None = None,
    **params: Any,
) -> None:
    """Queue the text `key` for the subscription's owner with {flag}, {location} and {until} filled in."""
    location = await session.get(Location, sub.location_id)
    notify_user(
        session,
        sub.user_id,
        key,
        qr=qr,
        dedupe_key=dedupe_key,
        flag=location.flag_emoji if location else "",
        location=location.name if location else "",
        until=until_text(sub),
        **params,
    )
