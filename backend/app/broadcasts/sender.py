"""Sends one broadcast's deliveries under Telegram's limits, at most once per recipient.

Each delivery is claimed (`sending`, committed) right before its API call and recorded right after.
A sender that dies in between leaves `sending` rows, which the next sender marks failed with an
unknown outcome instead of sending again: a duplicate is worse than a rare lost message.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.broadcasts import repository
from app.broadcasts.throttle import TokenBucket
from app.integrations.telegram.client import BotApiClient
from app.integrations.telegram.errors import (
    TelegramBadRequest,
    TelegramError,
    TelegramForbidden,
    TelegramRetryAfter,
    TelegramUnavailable,
)
from app.metrics import BROADCAST_SENT
from app.models import Broadcast
from app.models.enums import BroadcastStatus, DeliveryStatus

log = structlog.get_logger(__name__)

# Telegram refuses the text itself: every recipient would fail the same way, so the broadcast stops.
_MESSAGE_ERRORS = ("can't parse entities", "message is too long", "text is empty", "message text is empty")
# Network errors raised before the request left: the message surely was not delivered.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Outcome:
    """How one delivery ended."""

    status: DeliveryStatus
    error: str | None = None


class MessageRefused(Exception):
    """Telegram refused the broadcast's text; no recipient can get it."""


class BroadcastSender:
    """Sends the pending deliveries of one broadcast until done, cancelled, refused or out of time."""

    def __init__(
        self,
        client: BotApiClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        bucket: TokenBucket,
        *,
        concurrency: int,
        batch_size: int | None = None,
    ) -> None:
        self.client = client
        self.sessionmaker = sessionmaker
        self.bucket = bucket
        self.concurrency = concurrency
        self.batch_size = batch_size or concurrency * 3
        self._refused: str | None = None

    async def run(self, broadcast: Broadcast, deadline: float) -> str:
        """Send until finished ("done", "failed", "cancelled") or the deadline passes ("continue")."""
        cursor = broadcast.checkpoint
        semaphore = asyncio.Semaphore(self.concurrency)
        while True:
            async with self.sessionmaker() as session:
                status = await repository.current_status(session, broadcast.id)
                if status != BroadcastStatus.running:
                    await repository.refresh_counters(session, broadcast.id, cursor)
                    await session.commit()
                    log.info("broadcast_stopped", broadcast_id=str(broadcast.id), status=str(status))
                    return str(status)
                if time.monotonic() >= deadline:
                    return "continue"
                batch = await repository.next_batch(session, broadcast.id, cursor, self.batch_size)
                if not batch:
                    await repository.finish(session, broadcast.id, BroadcastStatus.done)
                    await session.commit()
                    log.info("broadcast_finished", broadcast_id=str(broadcast.id))
                    return "done"
            await asyncio.gather(
                *(
                    self._deliver(broadcast, seq, user_id, chat_id, semaphore)
                    for seq, user_id, chat_id in batch
                )
            )
            cursor = batch[-1][0]
            async with self.sessionmaker() as session:
                if self._refused is not None:
                    await repository.finish(
                        session,
                        broadcast.id,
                        BroadcastStatus.failed,
                        f"Telegram refused the text: {self._refused}",
                    )
                    await session.commit()
                    log.warning("broadcast_refused", broadcast_id=str(broadcast.id), error=self._refused)
                    return "failed"
                await repository.refresh_counters(session, broadcast.id, cursor)
                await session.commit()

    async def _deliver(
        self, broadcast: Broadcast, seq: int, user_id: uuid.UUID, chat_id: int, semaphore: asyncio.Semaphore
    ) -> None:
        async with semaphore:
            if self._refused is not None:
                return
            await self.bucket.acquire()
            async with self.sessionmaker() as session:
                claimed = await repository.claim(session, broadcast.id, seq)
                await session.commit()
            if not claimed:
                return
            try:
                outcome = await self._send(chat_id, broadcast.text, broadcast.parse_mode)
            except MessageRefused as exc:
                self._refused = str(exc)
                outcome = Outcome(DeliveryStatus.failed, str(exc))
            async with self.sessionmaker() as session:
                await repository.record_outcome(
                    session, broadcast.id, seq, user_id, outcome.status, outcome.error
                )
                await session.commit()
            BROADCAST_SENT.labels(outcome.status.value).inc()

    async def _send(self, chat_id: int, text: str, parse_mode: str | None) -> Outcome:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                await self.client.send_message(chat_id, text, parse_mode=parse_mode)
            except TelegramRetryAfter as exc:
                # Flood control covers the whole bot: everyone waits, then this message is tried again.
                log.warning("broadcast_flood_wait", retry_after=exc.retry_after)
                self.bucket.pause(exc.retry_after)
                await self.bucket.acquire()
            except TelegramForbidden as exc:
                return Outcome(DeliveryStatus.blocked, str(exc))
            except TelegramBadRequest as exc:
                if any(marker in str(exc).lower() for marker in _MESSAGE_ERRORS):
                    raise MessageRefused(str(exc)) from exc
                return Outcome(DeliveryStatus.failed, str(exc))
            except TelegramUnavailable as exc:
                if not isinstance(exc.__cause__, _NOT_SENT):
                    # It may have arrived (a timeout after sending, a 5xx): never send it twice.
                    return Outcome(DeliveryStatus.failed, f"unknown: {exc}")
                self.bucket.pause(min(2**attempt, 30))
                await self.bucket.acquire()
            except TelegramError as exc:
                return Outcome(DeliveryStatus.failed, str(exc))
            else:
                return Outcome(DeliveryStatus.sent)
        return Outcome(DeliveryStatus.failed, f"gave up after {MAX_ATTEMPTS} attempts")
