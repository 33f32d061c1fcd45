"""The customer's language comes from their backend profile; changing it is a PATCH /users/me."""

from __future__ import annotations

from typing import Any

from aiogram.types import User
from aiogram_i18n.managers import BaseManager

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.models import Profile
from bot.i18n import DEFAULT_LOCALE, guess_locale


class ProfileLocaleManager(BaseManager):
    """aiogram-i18n's locale source: the profile UserMiddleware loaded for this update."""

    def __init__(self) -> None:
        super().__init__(default_locale=DEFAULT_LOCALE)

    async def get_locale(
        self, profile: Profile | None = None, event_from_user: User | None = None, **_: Any
    ) -> str:
        """The profile's language; a guess from Telegram before the backend has answered."""
        if profile is not None:
            return profile.language
        return guess_locale(event_from_user.language_code if event_from_user else None)

    async def set_locale(self, locale: str, api: BackendClient, who: TelegramIdentity, **_: Any) -> None:
        """Store the new language in the backend (the client's cached profile follows)."""
        await api.set_language(who, locale)
