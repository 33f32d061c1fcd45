"""Broadcasts for staff: drafts, preview, start, live progress, cancel."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record, snapshot
from app.broadcasts import service
from app.broadcasts.schemas import (
    BroadcastCreate,
    BroadcastDetail,
    BroadcastRead,
    BroadcastUpdate,
    DeliveryRead,
    PreviewRequest,
    PreviewResult,
)
from app.deps import SessionDep
from app.errors import error_responses
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate
from app.models import Broadcast, BroadcastDelivery
from app.models.enums import AdminRole, BroadcastStatus, DeliveryStatus

router = APIRouter(prefix="/admin/broadcasts", tags=["admin: broadcasts"])
STAFF = Depends(RequireRole(AdminRole.admin))


async def _broadcast(broadcast_id: uuid.UUID, session: SessionDep) -> Broadcast:
    return await service.get_broadcast(session, broadcast_id)


async def _locked_broadcast(broadcast_id: uuid.UUID, session: SessionDep) -> Broadcast:
    return await service.get_broadcast(session, broadcast_id, lock=True)


BroadcastDep = Annotated[Broadcast, Depends(_broadcast)]
LockedBroadcastDep = Annotated[Broadcast, Depends(_locked_broadcast)]
SORTS = {"created_at": Broadcast.created_at, "started_at": Broadcast.started_at}


@router.get("", response_model=Page[BroadcastRead], dependencies=[STAFF])
async def list_broadcasts(
    session: SessionDep, params: PageDep, status: BroadcastStatus | None = None, sort: str | None = None
) -> Page[BroadcastRead]:
    """Broadcasts, newest first."""
    stmt = select(Broadcast)
    if status is not None:
        stmt = stmt.where(Broadcast.status == status)
    stmt = apply_sort(stmt, sort, SORTS, [Broadcast.created_at.desc(), Broadcast.id.desc()])
    rows, total = await paginate(session, stmt, params)
    return make_page([BroadcastRead.model_validate(r) for r in rows], total, params)


@router.post("/preview", response_model=PreviewResult, responses=error_responses(404), dependencies=[STAFF])
async def preview(body: PreviewRequest, session: SessionDep) -> PreviewResult:
    """The text as recipients will see it and how many customers the segment reaches now."""
    return await service.preview(session, body)


@router.post(
    "", response_model=BroadcastDetail, status_code=201, responses=error_responses(404), dependencies=[STAFF]
)
async def create_broadcast(
    body: BroadcastCreate, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> BroadcastDetail:
    """Create a draft (Telegram HTML is checked: allowed tags, balanced, at most 4096 visible characters)."""
    broadcast = await service.create(session, body, principal.admin_id)
    record(
        session,
        principal,
        "broadcast.create",
        "broadcast",
        broadcast.id,
        after=snapshot(broadcast),
        request=request,
    )
    return await service.detail(session, broadcast)


@router.get(
    "/{broadcast_id}", response_model=BroadcastDetail, responses=error_responses(404), dependencies=[STAFF]
)
async def get_broadcast(broadcast: BroadcastDep, session: SessionDep) -> BroadcastDetail:
    """A broadcast with live progress."""
    return await service.detail(session, broadcast)


@router.patch(
    "/{broadcast_id}",
    response_model=BroadcastDetail,
    responses=error_responses(404, 409),
    dependencies=[STAFF],
)
async def update_broadcast(
    body: BroadcastUpdate,
    broadcast: LockedBroadcastDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> BroadcastDetail:
    """Change a draft's text or segment."""
    before = snapshot(broadcast)
    await service.update(session, broadcast, body)
    record(
        session,
        principal,
        "broadcast.update",
        "broadcast",
        broadcast.id,
        before=before,
        after=snapshot(broadcast),
        request=request,
    )
    return await service.detail(session, broadcast)


@router.delete("/{broadcast_id}", status_code=204, responses=error_responses(404, 409), dependencies=[STAFF])
async def delete_broadcast(
    broadcast: LockedBroadcastDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Response:
    """Delete a draft."""
    before = snapshot(broadcast)
    await service.delete(session, broadcast)
    record(session, principal, "broadcast.delete", "broadcast", before["id"], before=before, request=request)
    return Response(status_code=204)


@router.post(
    "/{broadcast_id}/start",
    response_model=BroadcastDetail,
    responses=error_responses(400, 404, 409),
    dependencies=[STAFF],
)
async def start_broadcast(
    broadcast: LockedBroadcastDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> BroadcastDetail:
    """Freeze the recipients and start sending (about 25 messages a second); follow progress with GET."""
    await service.start(session, broadcast)
    record(
        session,
        principal,
        "broadcast.start",
        "broadcast",
        broadcast.id,
        before={"status": BroadcastStatus.draft.value},
        after={"status": broadcast.status.value, "total": broadcast.total},
        request=request,
    )
    return await service.detail(session, broadcast)


@router.post(
    "/{broadcast_id}/cancel",
    response_model=BroadcastDetail,
    responses=error_responses(404, 409),
    dependencies=[STAFF],
)
async def cancel_broadcast(
    broadcast: LockedBroadcastDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> BroadcastDetail:
    """Stop a running broadcast (messages already sent stay sent) or drop a draft."""
    before = {"status": broadcast.status.value}
    await service.cancel(session, broadcast)
    record(
        session,
        principal,
        "broadcast.cancel",
        "broadcast",
        broadcast.id,
        before=before,
        after={"status": broadcast.status.value},
        request=request,
    )
    return await service.detail(session, broadcast)


@router.get(
    "/{broadcast_id}/deliveries",
    response_model=Page[DeliveryRead],
    responses=error_responses(404),
    dependencies=[STAFF],
)
async def list_deliveries(
    broadcast: BroadcastDep, session: SessionDep, params: PageDep, status: DeliveryStatus | None = None
) -> Page[DeliveryRead]:
    """Recipients of a broadcast in sending order, e.g. `?status=failed` to see who did not get it."""
    stmt = select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == broadcast.id)
    if status is not None:
        stmt = stmt.where(BroadcastDelivery.status == status)
    rows, total = await paginate(session, stmt.order_by(BroadcastDelivery.seq), params)
    return make_page([DeliveryRead.model_validate(r) for r in rows], total, params)
