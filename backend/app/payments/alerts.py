"""Staff alerts about payments, at most one per kind every few minutes."""

from __future__ import annotations

import time
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.metrics import WEBHOOK_REJECTED
from app.notifications.service import notify_admins
from app.worker.enqueue import get_queue

log = structlog.get_logger(__name__)
# A flood of bad webhooks (or a provider outage) makes one alert per window, not one per request.
ALERT_WINDOW_SECONDS = 600


def _window_key(kind: str) -> str:
    return f"{kind}:{int(time.time() // ALERT_WINDOW_SECONDS)}"


async def alert_now(key: str, kind: str, **params: Any) -> None:
    """Alert the staff right away, also when the caller's transaction is about to roll back."""
    try:
        await get_queue().enqueue_job(
            "notifications.alert_admins",
            key,
            {k: str(v) for k, v in params.items()},
            _job_id=f"alert:{_window_key(kind)}",
        )
    except Exception as exc:
        log.warning("alert_not_enqueued", alert=key, error=str(exc) or type(exc).__name__)


def webhook_rejected(session: AsyncSession, provider: str, verdict: str, detail: str) -> None:
    """Count a webhook that changed nothing and alert the staff once the verdict is committed."""
    WEBHOOK_REJECTED.labels(provider, verdict).inc()
    log.warning("webhook_rejected", provider=provider, verdict=verdict, detail=detail)
    notify_admins(
        session,
        "alert_webhook_rejected",
        dedupe_key=_window_key(f"webhook:{provider}:{verdict}"),
        provider=provider,
        verdict=f"{verdict} ({detail})",
    )
