"""Queue notifications inside the caller's transaction; the worker sends them after commit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.notifications.texts import TEXTS
from app.worker.enqueue import enqueue_after_commit


def notify_user(
    session: AsyncSession,
    user_id: uuid.UUID,
    key: str,
    *,
    qr: str | None = None,
    dedupe_key: str | None = None,
    **params: Any,
) -> None:
    """Send the customer the text `key` (in their language) once the transaction commits.

    `qr` attaches a QR code image of that string; `dedupe_key` makes a second enqueue of the same
    notification a no-op (e.g. "ready:<subscription id>").
    """
    if key not in TEXTS:
        raise KeyError(f"unknown notification text {key!r}")
    kwargs: dict[str, Any] = {}
    if dedupe_key:
        kwargs["_job_id"] = f"notify:{dedupe_key}"
    enqueue_after_commit(
        session, "notifications.send", str(user_id), key, {k: str(v) for k, v in params.items()}, qr, **kwargs
    )


def notify_admins(session: AsyncSession, key: str, *, dedupe_key: str | None = None, **params: Any) -> None:
    """Alert the staff chat (ADMIN_CHAT_ID) once the transaction commits."""
    if key not in TEXTS:
        raise KeyError(f"unknown notification text {key!r}")
    kwargs: dict[str, Any] = {}
    if dedupe_key:
        kwargs["_job_id"] = f"alert:{dedupe_key}"
    enqueue_after_commit(
        session, "notifications.alert_admins", key, {k: str(v) for k, v in params.items()}, **kwargs
    )


def message_user(session: AsyncSession, user_id: uuid.UUID, text: str) -> None:
    """Send the customer a ready Telegram-HTML text (written by staff) once the transaction commits."""
    enqueue_after_commit(session, "notifications.send_text", str(user_id), text)
