"""Broadcast rules: drafts are editable, a start freezes the recipients, a cancel stops the sender."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.broadcasts import repository
from app.broadcasts.schemas import (
    BroadcastCreate,
    BroadcastDetail,
    BroadcastRead,
    BroadcastUpdate,
    PreviewRequest,
    PreviewResult,
    Progress,
    Segment,
    SegmentKind,
    segment_json,
)
from app.catalog.service import get_location
from app.errors import BadRequest, Conflict, NotFound
from app.integrations.telegram.html import parse
from app.kit.time import utcnow
from app.models import Broadcast
from app.models.enums import BroadcastStatus
from app.worker.enqueue import enqueue_after_commit

log = structlog.get_logger(__name__)


class BroadcastNotFound(NotFound):
    """No such broadcast."""

    default_detail = "Broadcast not found"


class BroadcastNotDraft(Conflict):
    """Only a draft can be edited, deleted or started."""

    default_detail = "Only a draft broadcast can be changed or started"


class BroadcastFinished(Conflict):
    """A finished broadcast cannot be cancelled."""

    default_detail = "The broadcast has already finished"


class EmptySegment(BadRequest):
    """Nobody would receive the broadcast."""

    default_detail = "Nobody in this segment can receive messages right now"


async def get_broadcast(session: AsyncSession, broadcast_id: uuid.UUID, *, lock: bool = False) -> Broadcast:
    """A broadcast or 404 (optionally locked for a state change)."""
    broadcast = await session.get(Broadcast, broadcast_id, with_for_update=lock)
    if broadcast is None:
        raise BroadcastNotFound()
    return broadcast


async def _check_segment(session: AsyncSession, segment: Segment) -> None:
    if segment.kind == SegmentKind.location and segment.location_id is not None:
        await get_location(session, segment.location_id)


async def create(session: AsyncSession, body: BroadcastCreate, admin_id: uuid.UUID | None) -> Broadcast:
    """A draft broadcast."""
    await _check_segment(session, body.segment)
    broadcast = Broadcast(
        text=body.text, parse_mode="HTML", segment=segment_json(body.segment), created_by_id=admin_id
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def update(session: AsyncSession, broadcast: Broadcast, body: BroadcastUpdate) -> Broadcast:
    """Change a draft's text or segment."""
    if broadcast.status != BroadcastStatus.draft:
        raise BroadcastNotDraft()
    if body.text is not None:
        broadcast.text = body.text
    if body.segment is not None:
        await _check_segment(session, body.segment)
        broadcast.segment = segment_json(body.segment)
    await session.flush()
    return broadcast


async def delete(session: AsyncSession, broadcast: Broadcast) -> None:
    """Delete a draft (a started broadcast stays as a record)."""
    if broadcast.status != BroadcastStatus.draft:
        raise BroadcastNotDraft("Only a draft can be deleted; cancel a running broadcast instead")
    await session.delete(broadcast)
    await session.flush()


async def preview(session: AsyncSession, body: PreviewRequest) -> PreviewResult:
    """The text as a chat shows it and the segment's size now."""
    await _check_segment(session, body.segment)
    rendered = parse(body.text) if body.text is not None else None
    return PreviewResult(
        text=rendered.plain if rendered else None,
        length=rendered.length if rendered else None,
        recipients=await repository.count_recipients(session, body.segment),
    )


async def start(session: AsyncSession, broadcast: Broadcast) -> Broadcast:
    """Freeze the recipients into numbered deliveries and hand the broadcast to the sender job."""
    if broadcast.status != BroadcastStatus.draft:
        raise BroadcastNotDraft()
    segment = Segment.model_validate(broadcast.segment)
    total = await repository.freeze_recipients(session, broadcast.id, segment)
    if total == 0:
        raise EmptySegment()
    broadcast.status = BroadcastStatus.running
    broadcast.total = total
    broadcast.started_at = utcnow()
    await session.flush()
    enqueue_after_commit(session, "broadcasts.send", str(broadcast.id))
    log.info("broadcast_started", broadcast_id=str(broadcast.id), total=total, segment=broadcast.segment)
    return broadcast


async def cancel(session: AsyncSession, broadcast: Broadcast) -> Broadcast:
    """Stop a draft or a running broadcast; the sender notices within a batch (about a second)."""
    if broadcast.status not in (BroadcastStatus.draft, BroadcastStatus.running):
        raise BroadcastFinished(f"The broadcast is already {broadcast.status.value}")
    broadcast.status = BroadcastStatus.cancelled
    broadcast.finished_at = utcnow()
    await session.flush()
    log.info("broadcast_cancelled", broadcast_id=str(broadcast.id))
    return broadcast


async def detail(session: AsyncSession, broadcast: Broadcast) -> BroadcastDetail:
    """A broadcast with live progress counted from its deliveries."""
    counts = await repository.progress(session, broadcast.id)
    finished = counts["sent"] + counts["failed"] + counts["blocked"]
    total = sum(counts[k] for k in ("pending", "sending", "sent", "failed", "blocked"))
    return BroadcastDetail(
        **BroadcastRead.model_validate(broadcast).model_dump(),
        progress=Progress(
            pending=counts["pending"],
            sending=counts["sending"],
            sent=counts["sent"],
            failed=counts["failed"],
            unknown=counts["unknown"],
            blocked=counts["blocked"],
            percent=round(100 * finished / total, 1) if total else 0.0,
        ),
    )
