"""One error boundary: log, and answer the customer in their language instead of staying silent."""

from __future__ import annotations

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram_i18n import I18nContext

from bot.api.client import BackendClient
from bot.api.errors import BackendError, BackendUnavailable
from bot.i18n import guess_locale, text

log = structlog.get_logger(__name__)


def error_text_key(exc: Exception) -> str:
    """Which text explains `exc` to a customer."""
    if isinstance(exc, BackendUnavailable):
        return "backend-down"
    if isinstance(exc, BackendError):
        if exc.code == "UserBlocked":
            return "blocked"
        if exc.status == 429:
            return "too-many"
        if exc.not_found:
            return "stale-button"
    return "error"


async def on_error(event: ErrorEvent, bot: Bot, api: BackendClient, i18n: I18nContext | None = None) -> bool:
    """Tell the customer what went wrong: the backend being down, a block, too many requests, a gone
    object, or a plain failure. A pressed button was already answered, so the text goes as a message."""
    update, exc = event.update, event.exception
    key = error_text_key(exc)
    user = update.event.from_user if hasattr(update.event, "from_user") else None
    if key == "error":
        log.error("handler_failed", update_id=update.update_id, error=repr(exc), exc_info=exc)
    else:
        log.warning("handler_refused", update_id=update.update_id, reason=key, error=str(exc))
    if user is None:
        return True
    if key == "blocked":
        api.forget(user.id)
    if i18n is not None:
        message = i18n.get(key)
    else:
        cached = api.cached_profile(user.id)
        message = text(cached.language if cached else guess_locale(user.language_code), key)
    try:
        if update.pre_checkout_query is not None:
            await update.pre_checkout_query.answer(ok=False, error_message=message)
            return True
        if update.callback_query is not None:
            # Failing before the handler (e.g. at login) leaves the button unanswered: answer it here.
            try:
                await update.callback_query.answer(message, show_alert=True)
                return True
            except TelegramAPIError:
                pass  # already answered by the callback middleware: say it in the chat instead
        await bot.send_message(user.id, message)
    except TelegramAPIError as send_error:
        log.warning("error_reply_failed", update_id=update.update_id, error=str(send_error))
    return True
