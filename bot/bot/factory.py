"""Build the Bot and the Dispatcher (tests build their own with a local Bot API)."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.api.client import BackendClient
from bot.config import BotSettings
from bot.handlers import get_routers
from bot.middlewares.errors import on_error


def create_bot(settings: BotSettings) -> Bot:
    """A Bot talking to TELEGRAM_API_URL (Telegram, or a local emulator)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/")))
    return Bot(
        token=settings.telegram_bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_dispatcher(api: BackendClient) -> Dispatcher:
    """A dispatcher with every router, the error boundary and the API client injected into handlers."""
    dp = Dispatcher(api=api)
    dp.include_routers(*get_routers())
    dp.errors.register(on_error)
    return dp
