"""🏠 Home: the balance and a line per subscription, with the ways onward."""

from __future__ import annotations

import asyncio

import structlog
from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.errors import BackendError, BackendUnavailable
from bot.api.models import Subscription
from bot.formatting import date, money
from bot.i18n import labels
from bot.keyboards.callbacks import NavCb, Screen
from bot.keyboards.screens import home_keyboard
from bot.screen import show

log = structlog.get_logger(__name__)


def subscription_line(i18n: I18nContext, sub: Subscription) -> str:
    """`🇳🇱 Netherlands — until 01.02.2027 (30 days left)`, or its status when not active."""
    flag, location = sub.location.flag_emoji, sub.location.name
    if sub.status != "active":
        line = i18n.get("home-subscription-status", flag=flag, location=location, status=sub.status)
    elif sub.ends_at is None:
        line = i18n.get("home-subscription-forever", flag=flag, location=location)
    else:
        days = sub.days_left if sub.days_left is not None else 0
        line = i18n.get("home-subscription", flag=flag, location=location, until=date(sub.ends_at), days=days)
    return f"{line} · {i18n.get('home-trial')}" if sub.is_trial else line


async def _subscriptions_text(api: BackendClient, who: TelegramIdentity, i18n: I18nContext) -> str:
    try:
        subs = await api.subscriptions(who)
    except (BackendUnavailable, BackendError) as exc:
        if isinstance(exc, BackendError) and exc.code == "UserBlocked":
            raise
        log.warning("subscriptions_unavailable", telegram_id=who.telegram_id, error=str(exc))
        return i18n.get("home-subscriptions-failed")
    if not subs:  # none yet, or a backend without the subscriptions endpoint
        return i18n.get("home-no-subscriptions")
    return "\n".join(subscription_line(i18n, s) for s in subs)


async def render_home(
    api: BackendClient, who: TelegramIdentity, i18n: I18nContext
) -> tuple[str, InlineKeyboardMarkup]:
    """The home screen, from a fresh profile (balance) and the subscriptions, fetched together."""
    profile, subscriptions = await asyncio.gather(api.me(who), _subscriptions_text(api, who, i18n))
    body = i18n.get("home", balance=money(profile.balance, i18n.locale), subscriptions=subscriptions)
    return body, home_keyboard(i18n)


async def open_home(
    event: Message | CallbackQuery,
    bot: Bot,
    state: FSMContext,
    api: BackendClient,
    who: TelegramIdentity,
    i18n: I18nContext,
) -> None:
    """🏠 from the main menu or /menu (a new screen), or 🏠 Menu on any screen (edited in place)."""
    body, markup = await render_home(api, who, i18n)
    await show(event, bot, state, body, markup)


def build_router() -> Router:
    """The home router."""
    router = Router(name=__name__)
    router.message.register(open_home, Command("menu"))
    router.message.register(open_home, F.text.in_(labels("menu-home")))
    router.callback_query.register(open_home, NavCb.filter(F.to == Screen.home))
    return router
