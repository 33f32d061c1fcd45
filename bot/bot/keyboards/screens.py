"""Inline keyboards of the home, referral and language screens."""

from __future__ import annotations

from urllib.parse import urlencode

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram_i18n import I18nContext

from bot.keyboards.callbacks import LanguageCb, NavCb, Screen
from bot.keyboards.menu import nav_row


def _nav(i18n: I18nContext, key: str, to: Screen) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=i18n.get(key), callback_data=NavCb(to=to).pack())


def home_keyboard(i18n: I18nContext) -> InlineKeyboardMarkup:
    """What the customer can do from home."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_nav(i18n, "btn-tariffs", Screen.locations)],
            [_nav(i18n, "btn-referral", Screen.referral), _nav(i18n, "btn-language", Screen.language)],
        ]
    )


def referral_keyboard(i18n: I18nContext, link: str) -> InlineKeyboardMarkup:
    """Share the link through Telegram's share screen, then back home."""
    share = "https://t.me/share/url?" + urlencode({"url": link, "text": i18n.get("share-text")})
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=i18n.get("btn-share"), url=share)], nav_row(i18n)]
    )


def language_keyboard(i18n: I18nContext) -> InlineKeyboardMarkup:
    """One button per language."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=i18n.get("btn-lang-ru"), callback_data=LanguageCb(code="ru").pack()
                ),
                InlineKeyboardButton(
                    text=i18n.get("btn-lang-en"), callback_data=LanguageCb(code="en").pack()
                ),
            ],
            nav_row(i18n),
        ]
    )
