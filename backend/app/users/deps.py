"""The customer behind a customer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.tokens import TokenType, decode_token
from app.deps import SessionDep, SettingsDep
from app.errors import NotAuthenticated
from app.kit.crypto import constant_time_equals
from app.models import User
from app.ratelimit.deps import limiters
from app.users.service import UserBlocked

user_bearer = HTTPBearer(
    scheme_name="UserJWT",
    description="Customer token from POST /api/v1/auth/telegram (the bot gets it for each Telegram user)",
    auto_error=False,
)


async def get_current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(user_bearer)],
) -> User:
    """Load the customer; staff tokens are refused (wrong type), blocked customers get 403.

    Every customer route is rate limited per customer here (RATE_LIMIT_CUSTOMER).
    """
    if bearer is None:
        raise NotAuthenticated()
    claims = decode_token(settings, bearer.credentials, TokenType.user)
    user = await session.get(User, claims.subject)
    if user is None:
        raise NotAuthenticated("Unknown user")
    if user.is_blocked:
        raise UserBlocked()
    limiters(request).customer.hit(str(user.id))
    return user


async def verify_bot_token(
    settings: SettingsDep,
    x_bot_token: Annotated[
        str | None, Header(description="BOT_SERVICE_TOKEN, the bot's shared secret")
    ] = None,
) -> None:
    """Only the bot (holding BOT_SERVICE_TOKEN) may log customers in by Telegram id."""
    if not x_bot_token or not constant_time_equals(
        x_bot_token, settings.bot_service_token.get_secret_value()
    ):
        raise NotAuthenticated("Invalid bot service token")


CurrentUser = Annotated[User, Depends(get_current_user)]
BotService = Annotated[None, Depends(verify_bot_token)]
