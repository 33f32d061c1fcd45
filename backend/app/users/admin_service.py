"""Rules of the staff's customer management: lookup, the customer page, block, direct messages."""

from __future__ import annotations

import uuid
from decimal import Decimal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.models import Subscription, User
from app.notifications.service import message_user
from app.users import admin_repository as repo
from app.users.admin_schemas import (
    AdminUserDetail,
    AdminUserItem,
    UserBrief,
    UserCounts,
    UserReferralItem,
    UserSubscriptionItem,
)

log = structlog.get_logger(__name__)


class UserNotFound(NotFound):
    """No such customer."""

    default_detail = "User not found"


class BotBlockedByUser(Conflict):
    """The customer blocked the bot, so Telegram will not deliver anything to them."""

    default_detail = "The user has blocked the bot; the message cannot be delivered"


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    """A customer or 404."""
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound()
    return user


def to_item(user: User, active_subscriptions: int = 0) -> AdminUserItem:
    """A customer as the staff list shows them."""
    item = AdminUserItem.model_validate(user)
    item.active_subscriptions = active_subscriptions
    return item


async def detail(session: AsyncSession, user: User) -> AdminUserDetail:
    """The customer page: profile, balance, who invited them, and counts."""
    counts = UserCounts(**await repo.counts(session, user.id))
    referrer = await session.get(User, user.referred_by_id) if user.referred_by_id else None
    return AdminUserDetail(
        **to_item(user, counts.active_subscriptions).model_dump(),
        phone=user.phone,
        email=user.email,
        referral_code=user.referral_code,
        referred_by=UserBrief.model_validate(referrer) if referrer else None,
        updated_at=user.updated_at,
        counts=counts,
    )


def subscription_item(
    sub: Subscription, location_name: str, flag: str, server_name: str | None, tariff_name: str | None
) -> UserSubscriptionItem:
    """A subscription row with the names of its location, server and tariff."""
    return UserSubscriptionItem(
        id=sub.id,
        status=sub.status,
        is_trial=sub.is_trial,
        location_id=sub.location_id,
        location_name=location_name,
        flag_emoji=flag,
        server_id=sub.server_id,
        server_name=server_name,
        tariff_id=sub.tariff_id,
        tariff_name=tariff_name,
        starts_at=sub.starts_at,
        ends_at=sub.ends_at,
        traffic_used_bytes=sub.traffic_used_bytes,
        traffic_limit_bytes=sub.traffic_limit_bytes,
        device_limit=sub.device_limit,
        auto_renew=sub.auto_renew,
        config_url=sub.config_url,
        created_at=sub.created_at,
    )


def referral_item(user: User, has_paid: bool, rewards: Decimal) -> UserReferralItem:
    """An invited customer with whether they paid and what the inviter earned from them."""
    brief = UserBrief.model_validate(user)
    return UserReferralItem(
        **brief.model_dump(), created_at=user.created_at, has_paid=has_paid, rewards=rewards
    )


async def set_blocked(session: AsyncSession, user: User, blocked: bool) -> bool:
    """Block or unblock a customer; returns whether anything changed.

    A blocked customer's token stops working at once (checked on every request) and the bot's login
    refuses them.
    """
    if user.is_blocked == blocked:
        return False
    user.is_blocked = blocked
    await session.flush()
    log.info("user_blocked" if blocked else "user_unblocked", user_id=str(user.id))
    return True


def send_message(session: AsyncSession, user: User, text: str) -> None:
    """Queue a staff message to the customer (sent by the worker after commit)."""
    if user.bot_blocked:
        raise BotBlockedByUser()
    message_user(session, user.id, text)
