"""Run the bot: `python -m bot` (long polling, or a webhook server with TELEGRAM_WEBHOOK_URL)."""

from __future__ import annotations

import asyncio

from bot.config import BotSettings, get_settings


async def serve(settings: BotSettings) -> None:
    """Start until interrupted."""
    # Imported here so a configuration error is reported before aiogram's slow import.
    from bot.api.client import BackendClient  # noqa: PLC0415
    from bot.factory import create_bot, create_dispatcher, create_storage  # noqa: PLC0415
    from bot.logging import configure_logging  # noqa: PLC0415
    from bot.runner import run_polling, run_webhook  # noqa: PLC0415

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
    asyncio.run(serve(get_settings()))
