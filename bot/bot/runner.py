"""Run the bot: long polling by default, or a webhook server when TELEGRAM_WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import structlog
from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import BotSettings

log = structlog.get_logger(__name__)


async def _healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_webhook_app(
    dp: Dispatcher, bot: Bot, settings: BotSettings, *, handle_in_background: bool = True
) -> web.Application:
    """An aiohttp app taking Telegram's POSTs at the path of TELEGRAM_WEBHOOK_URL; any request without
    the right X-Telegram-Bot-Api-Secret-Token is refused (401).

    By default Telegram gets its 200 at once and the update is handled in the background, so a slow
    backend never makes Telegram re-deliver.
    """
    app = web.Application()
    app.router.add_get("/healthz", _healthz)
    SimpleRequestHandler(
        dispatcher=dp,
        bot=bot,
        secret_token=settings.webhook_secret,
        handle_in_background=handle_in_background,
    ).register(app, path=settings.webhook_path)
    setup_application(app, dp, bot=bot)

    async def register_webhook(_: web.Application) -> None:
        await bot.set_webhook(
            settings.telegram_webhook_url or "",
            secret_token=settings.webhook_secret,
            allowed_updates=dp.resolve_used_update_types(),
        )
        log.info("webhook_set", path=settings.webhook_path)

    app.on_startup.append(register_webhook)
    return app


async def start_webhook(
    dp: Dispatcher, bot: Bot, settings: BotSettings, *, handle_in_background: bool = True
) -> web.AppRunner:
    """Serve the webhook app on BOT_WEBHOOK_HOST:BOT_WEBHOOK_PORT; the caller cleans the runner up."""
    app = create_webhook_app(dp, bot, settings, handle_in_background=handle_in_background)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, settings.bot_webhook_host, settings.bot_webhook_port).start()
    return runner


async def run_webhook(dp: Dispatcher, bot: Bot, settings: BotSettings) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = await start_webhook(dp, bot, settings)
    log.info("bot_started", mode="webhook", port=settings.bot_webhook_port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def run_polling(dp: Dispatcher, bot: Bot, **options: Any) -> None:
    """Long polling; a webhook left from an earlier run is removed first (Telegram allows one or the other)."""
    await bot.delete_webhook(drop_pending_updates=False)
    log.info("bot_started", mode="polling")
    await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types(), **options)
