"""Registration through the bot and the customer's token."""

from __future__ import annotations

import secrets
import string

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.tokens import TokenType, issue_token
from app.config import Settings
from app.errors import PermissionDenied
from app.kit.crypto import random_token
from app.models import User
from app.users import repository
from app.users.schemas import TelegramAuthRequest, TelegramAuthResponse, UserProfile

log = structlog.get_logger(__name__)

_CODE_ALPHABET = string.ascii_lowercase + string.digits
# Telegram language codes answered in Russian; everything else gets English.
_RUSSIAN_SPEAKING = {"ru", "uk", "be", "kk", "ky", "uz", "tg", "hy", "az", "ka", "mo", "tk"}


class UserBlocked(PermissionDenied):
    """The shop blocked this customer."""

    default_detail = "Your account is blocked. Contact support."


def language_for(code: str | None) -> str:
    """Pick ru or en from Telegram's language_code; Russian when unknown."""
    if not code:
        return "ru"
    return "ru" if code.split("-")[0].lower() in _RUSSIAN_SPEAKING else "en"


def new_referral_code() -> str:
    """8 random lowercase letters and digits."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def subscription_url(settings: Settings, user: User) -> str:
    """The personal aggregated subscription link."""
    return f"{settings.public_base_url.rstrip('/')}/sub/{user.sub_token}"


def profile(settings: Settings, user: User) -> UserProfile:
    """The customer's profile as the API shows it."""
    return UserProfile(
        id=user.id,
        telegram_id=user.telegram_id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        language=user.language,
        balance=user.balance,
        referral_code=user.referral_code,
        referred_by_id=user.referred_by_id,
        subscription_url=subscription_url(settings, user),
        trial_used=user.trial_used_at is not None,
        is_blocked=user.is_blocked,
        created_at=user.created_at,
    )


async def register_or_login(
    session: AsyncSession, settings: Settings, body: TelegramAuthRequest
) -> TelegramAuthResponse:
    """Upsert the Telegram user, record the referrer once (at registration), return a customer token."""
    code = new_referral_code()
    while await repository.referral_code_taken(session, code):
        code = new_referral_code()
    values = {
        "telegram_id": body.telegram_id,
        "username": body.username,
        "first_name": body.first_name,
        "last_name": body.last_name,
        "language": language_for(body.language_code),
        "referral_code": code,
        "sub_token": random_token(24),
    }
    user, created = await repository.upsert_telegram_user(session, values)
    if created:
        referrer = None
        if body.referral_code:
            ref = body.referral_code.strip().removeprefix("ref_")
            referrer = await repository.get_by_referral_code(session, ref)
        if referrer is not None and referrer.id != user.id:
            user.referred_by_id = referrer.id
            await session.flush()
        log.info(
            "user_registered",
            user_id=str(user.id),
            telegram_id=user.telegram_id,
            referred_by=str(user.referred_by_id) if user.referred_by_id else None,
        )
    if user.is_blocked:
        raise UserBlocked()
    token, _ = issue_token(
        settings, user.id, TokenType.user, settings.user_token_ttl_seconds, extra={"tg": user.telegram_id}
    )
    return TelegramAuthResponse(
        access_token=token,
        expires_in=settings.user_token_ttl_seconds,
        created=created,
        user=profile(settings, user),
    )
