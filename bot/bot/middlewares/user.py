"""The customer behind each update, loaded once: from the client's cache, or a login on /start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update, User

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.errors import BackendError
from bot.i18n import guess_locale, text

log = structlog.get_logger(__name__)
REFERRAL_PREFIX = "ref_"


def identity(user: User) -> TelegramIdentity:
    """The Telegram user as the backend's login wants it."""
    return TelegramIdentity(
        telegram_id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        language_code=user.language_code,
    )


def start_payload(update: Update) -> str | None:
    """For a /start message: its deep-link payload ("" without one); None for anything else."""
    message = update.message
    if message is None or not message.text:
        return None
    command, _, payload = message.text.partition(" ")
    if command.split("@", 1)[0] != "/start":
        return None
    return payload.strip()


class UserMiddleware(BaseMiddleware):
    """Puts `who` (TelegramIdentity) and `profile` into the handler data; refuses blocked customers.

    /start always logs in again (fresh name and username, the referral code of the link, and whether this
    registered the user); other updates use the cached session and cost no API call.
    """

    def __init__(self, api: BackendClient) -> None:
        self.api = api

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Load the customer, then run the handler."""
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or user.is_bot or not isinstance(event, Update):
            return await handler(event, data)
        if chat is not None and chat.type != "private":
            return None  # the shop lives in private chats only
        who = identity(user)
        data["who"] = who
        payload = start_payload(event)
        try:
            if payload is not None:
                code = payload if payload.startswith(REFERRAL_PREFIX) else None
                auth = await self.api.login(who, referral_code=code)
                data["registered"] = auth.created
                profile = auth.user
                if auth.created:
                    log.info("customer_registered", telegram_id=who.telegram_id, referral=bool(code))
            else:
                profile = (await self.api.session(who)).profile
        except BackendError as exc:
            if exc.code != "UserBlocked":
                raise
            await refuse_blocked(event, guess_locale(user.language_code))
            return None
        data["profile"] = profile
        return await handler(event, data)


async def refuse_blocked(update: Update, locale: str) -> None:
    """Tell a customer the shop blocked, politely, whatever they sent."""
    if update.callback_query is not None:
        await update.callback_query.answer(text(locale, "blocked"), show_alert=True)
    elif update.message is not None:
        await update.message.answer(text(locale, "blocked"))
    elif update.pre_checkout_query is not None:
        await update.pre_checkout_query.answer(ok=False, error_message=text(locale, "blocked"))
