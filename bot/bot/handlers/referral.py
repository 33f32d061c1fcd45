"""🔗 Invite a friend: the personal deep link, and the numbers once the backend reports them."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.models import Profile
from bot.formatting import money
from bot.i18n import labels
from bot.keyboards.callbacks import NavCb, Screen
from bot.keyboards.screens import referral_keyboard
from bot.middlewares.user import REFERRAL_PREFIX
from bot.screen import show


def referral_link(bot_username: str, code: str) -> str:
    """`https://t.me/<bot>?start=ref_<code>`: opening it runs /start with the code."""
    return f"https://t.me/{bot_username}?start={REFERRAL_PREFIX}{code}"


async def render_referral(
    bot: Bot, api: BackendClient, who: TelegramIdentity, profile: Profile, i18n: I18nContext
) -> tuple[str, InlineKeyboardMarkup]:
    """The link (bot username from getMe, cached by aiogram; code from the profile) and the stats."""
    me = await bot.me()
    link = referral_link(me.username or "", profile.referral_code)
    body = i18n.get("referral", link=link)
    stats = await api.referrals(who)
    if stats is not None:
        earned = money(stats.earned, i18n.locale)
        body += "\n\n" + i18n.get("referral-stats", invited=stats.invited, earned=earned)
    return body, referral_keyboard(i18n, link)


async def open_referral(
    event: Message | CallbackQuery,
    bot: Bot,
    state: FSMContext,
    api: BackendClient,
    who: TelegramIdentity,
    profile: Profile,
    i18n: I18nContext,
) -> None:
    """🔗 from the main menu (a new screen) or from home (edited in place)."""
    body, markup = await render_referral(bot, api, who, profile, i18n)
    await show(event, bot, state, body, markup)


def build_router() -> Router:
    """The referral router."""
    router = Router(name=__name__)
    router.message.register(open_referral, F.text.in_(labels("menu-referral")))
    router.callback_query.register(open_referral, NavCb.filter(F.to == Screen.referral))
    return router
