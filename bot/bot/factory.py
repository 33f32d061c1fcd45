"""Build the Bot, the FSM storage and the Dispatcher (tests build their own with a local Bot API)."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from aiogram_i18n import I18nMiddleware

from bot.api.client import BackendClient
from bot.config import BotSettings
from bot.handlers import get_routers
from bot.i18n import LOCALES, create_core, text
from bot.middlewares.errors import on_error
from bot.middlewares.locale import ProfileLocaleManager
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware

COMMANDS = (("start", "cmd-start"), ("tariffs", "cmd-tariffs"), ("language", "cmd-language"))


def create_bot(settings: BotSettings) -> Bot:
    """A Bot talking to TELEGRAM_API_URL (Telegram, or a local emulator)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/")))
    return Bot(
        token=settings.telegram_bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_storage(settings: BotSettings) -> BaseStorage:
    """FSM data (the current screen of each chat) in Redis, so it survives restarts."""
    return RedisStorage.from_url(settings.redis_url)


async def set_commands(bot: Bot) -> None:
    """The command menu in both languages (Russian is also the default for everyone else)."""
    for locale in LOCALES:
        commands = [BotCommand(command=c, description=text(locale, key)) for c, key in COMMANDS]
        await bot.set_my_commands(commands, language_code=None if locale == "ru" else locale)


def create_dispatcher(
    api: BackendClient,
    *,
    storage: BaseStorage | None = None,
    throttle_rate: float = 2.0,
    throttle_burst: int = 6,
) -> Dispatcher:
    """A dispatcher with every router and middleware; handlers get `api`, `who`, `profile`, `i18n`.

    Without `storage` the FSM lives in memory, which only tests should want.
    """
    dp = Dispatcher(storage=storage, api=api) if storage is not None else Dispatcher(api=api)
    dp.update.outer_middleware(ThrottlingMiddleware(api, throttle_rate, throttle_burst))
    dp.update.outer_middleware(UserMiddleware(api))
    I18nMiddleware(core=create_core(), manager=ProfileLocaleManager(), default_locale="ru").setup(dp)
    dp.callback_query.middleware(CallbackAnswerMiddleware())
    dp.include_routers(*get_routers())
    dp.errors.register(on_error)
    dp.startup.register(set_commands)
    return dp
