"""The main menu."""

from __future__ import annotations

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from bot.locales import text


def main_menu(lang: str) -> ReplyKeyboardMarkup:
    """Two buttons a row, the most used first."""
    keys = [
        "menu_tariffs",
        "menu_subscriptions",
        "menu_balance",
        "menu_trial",
        "menu_referral",
        "menu_support",
    ]
    rows = [[KeyboardButton(text=text(lang, k)) for k in keys[i : i + 2]] for i in range(0, len(keys), 2)]
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)
