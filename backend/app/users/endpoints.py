"""The bot's service login and the customer's own profile."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.deps import SessionDep, SettingsDep
from app.errors import error_responses
from app.ratelimit.deps import limiters
from app.users import service
from app.users.deps import BotService, CurrentUser
from app.users.schemas import ProfileUpdate, TelegramAuthRequest, TelegramAuthResponse, UserProfile

auth_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/users/me", tags=["customer"])


@auth_router.post("/telegram", response_model=TelegramAuthResponse, responses=error_responses(401, 403, 429))
async def telegram_login(
    body: TelegramAuthRequest, _: BotService, session: SessionDep, settings: SettingsDep, request: Request
) -> TelegramAuthResponse:
    """Register or refresh a Telegram user (bot only, X-Bot-Token) and return a customer token."""
    await limiters(request).exact.check("tg-auth", settings.rate_limit_telegram_auth, str(body.telegram_id))
    return await service.register_or_login(session, settings, body)


@router.get("", response_model=UserProfile, responses=error_responses(401, 403))
async def get_me(user: CurrentUser, settings: SettingsDep) -> UserProfile:
    """The customer's profile with balance and personal subscription link."""
    return service.profile(settings, user)


@router.patch("", response_model=UserProfile, responses=error_responses(401, 403))
async def update_me(
    body: ProfileUpdate, user: CurrentUser, settings: SettingsDep, session: SessionDep
) -> UserProfile:
    """Change the customer's language."""
    if body.language is not None:
        user.language = body.language
    await session.flush()
    return service.profile(settings, user)
