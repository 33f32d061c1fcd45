"""Whatever no feature handled: unknown text, stickers, and buttons from an older bot or screen."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from bot.api.client import BackendClient, TelegramIdentity
from bot.handlers.home import render_home
from bot.keyboards.menu import main_menu
from bot.screen import show


async def unknown_message(message: Message, i18n: I18nContext) -> None:
    """A polite hint, with the main menu keyboard (in case the customer had hidden it)."""
    await message.answer(i18n.get("unknown-text"), reply_markup=main_menu(i18n))


async def stale_button(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    api: BackendClient,
    who: TelegramIdentity,
    i18n: I18nContext,
) -> None:
    """A button nobody understands any more: say so and turn its message into the current home."""
    callback_answer.text = i18n.get("stale-button")
    body, markup = await render_home(api, who, i18n)
    await show(query, bot, state, body, markup)


def build_router() -> Router:
    """The catch-all router; it must come last."""
    router = Router(name=__name__)
    router.message.register(unknown_message)
    router.callback_query.register(stale_button)
    return router
