"""One error boundary: log, and answer the user instead of staying silent."""

from __future__ import annotations

import structlog
from aiogram.types import ErrorEvent

from bot.api.errors import BackendUnavailable
from bot.locales import text

log = structlog.get_logger(__name__)


async def on_error(event: ErrorEvent) -> bool:
    """Tell the user something went wrong (or that the backend is down)."""
    update = event.update
    message = update.message or (update.callback_query.message if update.callback_query else None)
    user = (
        update.message.from_user
        if update.message
        else (update.callback_query.from_user if update.callback_query else None)
    )
    lang = user.language_code if user else None
    key = "backend_down" if isinstance(event.exception, BackendUnavailable) else "error"
    if key == "error":
        log.error("handler_failed", update_id=update.update_id, error=repr(event.exception))
    else:
        log.warning("backend_unavailable", update_id=update.update_id)
    if update.callback_query is not None:
        await update.callback_query.answer(text(lang, key), show_alert=True)
    elif message is not None and hasattr(message, "answer"):
        await message.answer(text(lang, key))
    return True
