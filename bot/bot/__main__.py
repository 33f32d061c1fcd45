"""Run the bot: `python -m bot` (long polling, or a webhook server with TELEGRAM_WEBHOOK_URL)."""

from __future__ import annotations

import asyncio

from bot.api.client import BackendClient
from bot.config import get_settings
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.logging import configure_logging
from bot.runner import run_polling, run_webhook


async def main() -> None:
    """Start until interrupted."""
    settings = get_settings()
    configure_logging(settings.log_level, json_output=settings.log_json)
    api = BackendClient(
        settings.api_base_url,
        settings.bot_service_token.get_secret_value(),
        timeout=settings.api_timeout_seconds,
    )
    storage = create_storage(settings)
    bot = create_bot(settings)
    dp = create_dispatcher(
        api, storage=storage, throttle_rate=settings.throttle_rate, throttle_burst=settings.throttle_burst
    )
    try:
        if settings.telegram_webhook_url:
            await run_webhook(dp, bot, settings)
        else:
            await run_polling(dp, bot)
    finally:
        await api.close()
        await storage.close()
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
