"""/start, with an optional referral deep link (/start ref_<code>)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.errors import BackendError
from bot.keyboards.menu import main_menu
from bot.locales import text


def identity(message: Message) -> TelegramIdentity:
    """Who sent the message."""
    user = message.from_user
    assert user is not None
    return TelegramIdentity(
        telegram_id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        language_code=user.language_code,
    )


async def start(message: Message, command: CommandObject, api: BackendClient) -> None:
    """Register the customer (with the referral code of the link) and show the main menu."""
    who = identity(message)
    code = command.args.strip() if command.args else None
    try:
        auth = await api.login(who, referral_code=code)
    except BackendError as exc:
        if exc.code == "UserBlocked":
            await message.answer(text(who.language_code, "blocked"))
            return
        raise
    lang = auth.user.language
    name = auth.user.first_name or auth.user.username or "👤"
    greeting = text(lang, "welcome" if auth.created else "welcome_back", name=name)
    await message.answer(greeting, reply_markup=main_menu(lang))


def build_router() -> Router:
    """The /start router."""
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    return router
