"""Jobs that talk to the Bot API: one customer message, or a staff alert."""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import segno
import structlog
from arq import Retry
from sqlalchemy.ext.asyncio import AsyncSession

from app.integrations.telegram.client import BotApiClient
from app.integrations.telegram.errors import (
    TelegramBadRequest,
    TelegramForbidden,
    TelegramRetryAfter,
    TelegramUnavailable,
)
from app.models import User
from app.notifications.texts import render
from app.worker.context import JobContext, http_client, job

log = structlog.get_logger(__name__)
MAX_TRIES = 5


def bot_client(ctx: JobContext) -> BotApiClient | None:
    """The Bot API client of this worker, or None when no bot token is configured."""
    settings = ctx["settings"]
    if settings.telegram_bot_token is None:
        return None
    return BotApiClient(
        settings.telegram_api_url, settings.telegram_bot_token.get_secret_value(), http_client(ctx)
    )


def qr_png(data: str) -> bytes:
    """A QR code of `data` as PNG bytes."""
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


async def deliver(
    ctx: JobContext, session: AsyncSession, user: User, what: str, send: Callable[[], Awaitable[Any]]
) -> str:
    """Run one Bot API send for `user` with the retry rules of customer messages.

    Returns "sent", "blocked" (the user blocked the bot: marked and committed), "rejected" (Telegram
    refused the message) or "dropped" (Telegram unreachable too many times); flood control and outages
    raise arq's Retry so the job runs again later.
    """
    try:
        await send()
    except TelegramForbidden:
        user.bot_blocked = True
        await session.commit()
        return "blocked"
    except TelegramRetryAfter as exc:
        raise Retry(defer=exc.retry_after) from exc
    except TelegramUnavailable as exc:
        if ctx.get("job_try", 1) >= MAX_TRIES:
            log.warning("notification_dropped", key=what, user_id=str(user.id), error=str(exc))
            return "dropped"
        raise Retry(defer=ctx.get("job_try", 1) * 5) from exc
    except TelegramBadRequest as exc:
        log.warning("notification_rejected", key=what, user_id=str(user.id), error=str(exc))
        return "rejected"
    return "sent"


async def _send_to_user(
    ctx: JobContext,
    user_id: str,
    what: str,
    build: Callable[[BotApiClient, User], Callable[[], Awaitable[Any]]],
) -> str:
    """Load the customer and run the send `build` makes for them, with `deliver`'s rules."""
    client = bot_client(ctx)
    if client is None:
        return "skipped: no TELEGRAM_BOT_TOKEN"
    async with ctx["sessionmaker"]() as session:
        user = await session.get(User, uuid.UUID(user_id))
        if user is None:
            return "skipped: unknown user"
        return await deliver(ctx, session, user, what, build(client, user))


@job("notifications.send")
async def send_notification(
    ctx: JobContext, user_id: str, key: str, params: dict[str, str], qr: str | None = None
) -> str:
    """Send one text (and optionally a QR image) to a customer; mark users who blocked the bot."""

    def build(client: BotApiClient, user: User) -> Callable[[], Awaitable[None]]:
        text = render(key, user.language, params)
        chat_id = user.telegram_id

        async def send() -> None:
            if qr:
                await client.send_photo(chat_id, qr_png(qr), caption=text if len(text) <= 1024 else None)
                if len(text) > 1024:
                    await client.send_message(chat_id, text)
            else:
                await client.send_message(chat_id, text)

        return send

    return await _send_to_user(ctx, user_id, key, build)


@job("notifications.send_text")
async def send_text(ctx: JobContext, user_id: str, text: str) -> str:
    """Send a ready Telegram-HTML text to a customer (a message staff wrote to them)."""
    return await _send_to_user(
        ctx, user_id, "text", lambda client, user: lambda: client.send_message(user.telegram_id, text)
    )


@job("notifications.alert_admins")
async def alert_admins(ctx: JobContext, key: str, params: dict[str, str]) -> str:
    """Post a staff alert to ADMIN_CHAT_ID (logged either way)."""
    log.warning("staff_alert", alert=key, params=params)
    chat_id = ctx["settings"].admin_chat_id
    client = bot_client(ctx)
    if client is None or chat_id is None:
        return "logged only"
    try:
        await client.send_message(chat_id, render(key, "ru", params))
    except TelegramRetryAfter as exc:
        raise Retry(defer=exc.retry_after) from exc
    except (TelegramUnavailable, TelegramForbidden, TelegramBadRequest) as exc:
        log.warning("staff_alert_not_delivered", key=key, error=str(exc))
        return "not delivered"
    return "sent"
