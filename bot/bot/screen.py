"""Showing a screen: edited in place after a button press, a new message after typed input.

The id of the chat's current screen is kept in the FSM storage (Redis), so when a new screen message
is sent the previous one loses its buttons and the chat never holds two live menus.
"""

from __future__ import annotations

import contextlib

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

_SCREEN_KEY = "screen_message_id"


async def show(
    event: Message | CallbackQuery,
    bot: Bot,
    state: FSMContext | None,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """After a button press, edit that screen in place when possible; after typed input (or when the
    pressed message can no longer be edited), send the screen as a new message."""
    if isinstance(event, CallbackQuery) and isinstance(event.message, Message):
        try:
            await event.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:
                return
            # Too old to edit, or a photo: the screen goes out as a new message below.
    chat_id = event.chat.id if isinstance(event, Message) else event.from_user.id
    await send_screen(bot, chat_id, state, text, markup)


async def send_screen(
    bot: Bot, chat_id: int, state: FSMContext | None, text: str, markup: InlineKeyboardMarkup | None
) -> Message:
    """Send a new screen and take the buttons off the previous one."""
    sent = await bot.send_message(chat_id, text, reply_markup=markup)
    if state is not None:
        previous = (await state.get_data()).get(_SCREEN_KEY)
        await state.update_data({_SCREEN_KEY: sent.message_id})
        if isinstance(previous, int) and previous != sent.message_id:
            with contextlib.suppress(TelegramBadRequest):
                await bot.edit_message_reply_markup(chat_id=chat_id, message_id=previous, reply_markup=None)
    return sent
