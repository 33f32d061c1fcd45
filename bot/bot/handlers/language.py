"""🌐 Language: ru or en, stored in the backend profile."""

from __future__ import annotations

import structlog
from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from bot.api.client import BackendClient, TelegramIdentity
from bot.handlers.home import render_home
from bot.i18n import LOCALES, labels
from bot.keyboards.callbacks import LanguageCb, NavCb, Screen
from bot.keyboards.menu import main_menu
from bot.keyboards.screens import language_keyboard
from bot.screen import show

log = structlog.get_logger(__name__)


async def open_language(
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, i18n: I18nContext
) -> None:
    """🌐 from the main menu or /language (a new screen), or from home (edited in place)."""
    await show(event, bot, state, i18n.get("language-title"), language_keyboard(i18n))


async def choose_language(
    query: CallbackQuery,
    callback_data: LanguageCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    api: BackendClient,
    who: TelegramIdentity,
    i18n: I18nContext,
) -> None:
    """Save the language, show home in it and send the main menu keyboard in the new language."""
    if callback_data.code not in LOCALES:
        callback_answer.text = i18n.get("stale-button")
        await show(query, bot, state, i18n.get("language-title"), language_keyboard(i18n))
        return
    await i18n.set_locale(callback_data.code)
    log.info("language_changed", telegram_id=who.telegram_id, language=callback_data.code)
    callback_answer.text = i18n.get("language-set")
    body, markup = await render_home(api, who, i18n)
    await show(query, bot, state, body, markup)
    # A reply keyboard can only arrive with a new message; the home screen stays the live one.
    await bot.send_message(query.from_user.id, i18n.get("language-set"), reply_markup=main_menu(i18n))


def build_router() -> Router:
    """The language router."""
    router = Router(name=__name__)
    router.message.register(open_language, Command("language"))
    router.message.register(open_language, F.text.in_(labels("menu-language")))
    router.callback_query.register(open_language, NavCb.filter(F.to == Screen.language))
    router.callback_query.register(choose_language, LanguageCb.filter())
    return router
