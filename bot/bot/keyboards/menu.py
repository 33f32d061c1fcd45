"""The main menu under the input field, and the rows every screen ends with."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup
from aiogram_i18n import I18nContext

from bot.keyboards.callbacks import NavCb, Screen

MAIN_MENU_KEYS = ("menu-home", "menu-tariffs", "menu-referral", "menu-language")


def main_menu(i18n: I18nContext) -> ReplyKeyboardMarkup:
    """Two buttons a row, the most used first."""
    keys = MAIN_MENU_KEYS
    rows = [[KeyboardButton(text=i18n.get(k)) for k in keys[i : i + 2]] for i in range(0, len(keys), 2)]
    return ReplyKeyboardMarkup(
        keyboard=rows,
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=i18n.get("input-placeholder"),
    )


def nav_row(i18n: I18nContext, back: str | None = None) -> list[InlineKeyboardButton]:
    """⬅️ Back (to the callback `back`, when there is a previous screen) and 🏠 Menu."""
    row = []
    if back is not None:
        row.append(InlineKeyboardButton(text=i18n.get("btn-back"), callback_data=back))
    row.append(InlineKeyboardButton(text=i18n.get("btn-menu"), callback_data=NavCb(to=Screen.home).pack()))
    return row
