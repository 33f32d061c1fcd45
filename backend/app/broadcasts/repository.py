"""SQL of broadcasts: segments, the frozen recipient list, claims and outcomes of deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, literal, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.broadcasts.schemas import Segment, SegmentKind
from app.kit.pagination import AnySelect
from app.kit.time import utcnow
from app.models import Broadcast, BroadcastDelivery, Subscription, User
from app.models.enums import BroadcastStatus, DeliveryStatus, SubscriptionStatus
from app.users.admin_repository import has_active_subscription, has_paid

# The error of a delivery that was in flight when the sender died: it may or may not have arrived,
# and it is never sent again.
UNKNOWN_OUTCOME = "unknown: the sender stopped during the API call; not retried"


def _segment_clause(segment: Segment) -> ColumnElement[bool]:
    kind = segment.kind
    if kind == SegmentKind.active:
        return has_active_subscription()
    if kind == SegmentKind.expired:
        had = exists().where(
            Subscription.user_id == User.id,
            Subscription.status.in_([SubscriptionStatus.expired, SubscriptionStatus.disabled]),
        )
        return and_(had, ~has_active_subscription())
    if kind == SegmentKind.never_paid:
        return ~has_paid()
    if kind == SegmentKind.location:
        return exists().where(
            Subscription.user_id == User.id,
            Subscription.status == SubscriptionStatus.active,
            Subscription.location_id == segment.location_id,
        )
    return true()


def recipients(segment: Segment) -> AnySelect:
    """Customers in a segment who can receive messages (not blocked by us, not blocking the bot)."""
    stmt = (
        select(User.id, User.telegram_id)
        .where(User.is_blocked.is_(False), User.bot_blocked.is_(False))
        .where(_segment_clause(segment))
    )
    if segment.language:
        stmt = stmt.where(User.language == segment.language)
    return stmt


async def count_recipients(session: AsyncSession, segment: Segment) -> int:
    """How many customers a segment reaches now."""
    stmt = recipients(segment).with_only_columns(func.count()).order_by(None)
    return int(await session.scalar(stmt) or 0)


async def freeze_recipients(session: AsyncSession, broadcast_id: uuid.UUID, segment: Segment) -> int:
    """Copy the segment into numbered deliveries (oldest customers first); returns how many."""
    source = recipients(segment).with_only_columns(
        literal(broadcast_id),
        func.row_number().over(order_by=(User.created_at, User.id)),
        User.id,
        User.telegram_id,
    )
    stmt = insert(BroadcastDelivery).from_select(["broadcast_id", "seq", "user_id", "telegram_id"], source)
    result: Any = await session.execute(stmt)
    return int(result.rowcount)


async def progress(session: AsyncSession, broadcast_id: uuid.UUID) -> dict[str, int]:
    """Deliveries by status, plus `unknown` (failed while in flight), in one query."""
    d = BroadcastDelivery
    stmt = select(
        *(func.count().filter(d.status == status).label(status.value) for status in DeliveryStatus),
        func.count().filter(d.status == DeliveryStatus.failed, d.error == UNKNOWN_OUTCOME).label("unknown"),
    ).where(d.broadcast_id == broadcast_id)
    return {k: int(v) for k, v in (await session.execute(stmt)).one()._mapping.items()}


async def refresh_counters(
    session: AsyncSession, broadcast_id: uuid.UUID, checkpoint: int | None = None
) -> None:
    """Copy the deliveries' state into the broadcast's counters (and move the checkpoint)."""
    counts = await progress(session, broadcast_id)
    values: dict[str, Any] = {
        "sent": counts["sent"],
        "failed": counts["failed"],
        "blocked": counts["blocked"],
        "updated_at": utcnow(),
    }
    if checkpoint is not None:
        values["checkpoint"] = func.greatest(Broadcast.checkpoint, checkpoint)
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(**values))


async def next_batch(
    session: AsyncSession, broadcast_id: uuid.UUID, after_seq: int, limit: int
) -> Sequence[tuple[int, uuid.UUID, int]]:
    """The next pending deliveries after `after_seq`, in order (seq, user id, chat id)."""
    d = BroadcastDelivery
    stmt = (
        select(d.seq, d.user_id, d.telegram_id)
        .where(d.broadcast_id == broadcast_id, d.seq > after_seq, d.status == DeliveryStatus.pending)
        .order_by(d.seq)
        .limit(limit)
    )
    return [(int(s), u, int(t)) for s, u, t in (await session.execute(stmt)).all()]


async def claim(session: AsyncSession, broadcast_id: uuid.UUID, seq: int) -> bool:
    """Mark a pending delivery `sending` (before the API call); False if it is no longer pending."""
    d = BroadcastDelivery
    stmt = (
        update(d)
        .where(d.broadcast_id == broadcast_id, d.seq == seq, d.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.sending)
        .returning(d.seq)
    )
    return (await session.execute(stmt)).first() is not None


async def record_outcome(
    session: AsyncSession,
    broadcast_id: uuid.UUID,
    seq: int,
    user_id: uuid.UUID,
    status: DeliveryStatus,
    error: str | None,
) -> None:
    """Store how a delivery ended; a recipient who blocked the bot is marked on the user too."""
    d = BroadcastDelivery
    await session.execute(
        update(d)
        .where(d.broadcast_id == broadcast_id, d.seq == seq)
        .values(status=status, error=error, sent_at=utcnow() if status == DeliveryStatus.sent else None)
    )
    if status == DeliveryStatus.blocked:
        await session.execute(update(User).where(User.id == user_id).values(bot_blocked=True))


async def fail_in_flight(session: AsyncSession) -> int:
    """After a crash: deliveries left `sending` become failed with an unknown outcome (never resent)."""
    live = select(Broadcast.id).where(
        Broadcast.status.in_([BroadcastStatus.running, BroadcastStatus.cancelled, BroadcastStatus.failed])
    )
    d = BroadcastDelivery
    result: Any = await session.execute(
        update(d)
        .where(d.broadcast_id.in_(live), d.status == DeliveryStatus.sending)
        .values(status=DeliveryStatus.failed, error=UNKNOWN_OUTCOME)
    )
    return int(result.rowcount)


async def running(session: AsyncSession) -> Sequence[Broadcast]:
    """Running broadcasts, first started first."""
    stmt = (
        select(Broadcast)
        .where(Broadcast.status == BroadcastStatus.running)
        .order_by(Broadcast.started_at, Broadcast.id)
    )
    return (await session.scalars(stmt)).all()


async def finish(
    session: AsyncSession, broadcast_id: uuid.UUID, status: BroadcastStatus, error: str | None = None
) -> bool:
    """End a running broadcast (done or failed); a cancel that came first is kept."""
    await refresh_counters(session, broadcast_id)
    result: Any = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.running)
        .values(status=status, finished_at=utcnow(), last_error=error)
    )
    return bool(result.rowcount)


async def current_status(session: AsyncSession, broadcast_id: uuid.UUID) -> BroadcastStatus | None:
    """The broadcast's status as stored now."""
    value = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
    return BroadcastStatus(value) if value is not None else None
