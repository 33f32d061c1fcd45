"""/start, with an optional referral deep link (/start ref_<code>): greeting, main menu, home screen."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram_i18n import I18nContext

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.models import Profile
from bot.handlers.home import render_home
from bot.keyboards.menu import main_menu
from bot.screen import send_screen


async def start(
    message: Message,
    bot: Bot,
    state: FSMContext,
    api: BackendClient,
    who: TelegramIdentity,
    profile: Profile,
    i18n: I18nContext,
    registered: bool = False,
) -> None:
    """Greet (the user middleware already registered them with the link's referral code), set the main
    menu keyboard and show home."""
    name = escape(profile.first_name or profile.username or "👤")
    await message.answer(
        i18n.get("welcome" if registered else "welcome-back", name=name), reply_markup=main_menu(i18n)
    )
    body, markup = await render_home(api, who, i18n)
    await send_screen(bot, message.chat.id, state, body, markup)


def build_router() -> Router:
    """The /start router."""
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    return router
