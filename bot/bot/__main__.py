"""Run the bot with long polling: `python -m bot`."""

from __future__ import annotations

import asyncio
import logging

from bot.api.client import BackendClient
from bot.config import get_settings
from bot.factory import create_bot, create_dispatcher


async def main() -> None:
    """Start polling until interrupted."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper())
    api = BackendClient(
        settings.api_base_url,
        settings.bot_service_token.get_secret_value(),
        timeout=settings.api_timeout_seconds,
    )
    bot = create_bot(settings)
    dp = create_dispatcher(api)
    try:
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
    finally:
        await api.close()
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
