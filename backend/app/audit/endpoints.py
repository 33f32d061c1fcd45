"""The audit log viewer (read-only: there is no route that changes it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from app.admin_auth.deps import RequireRole
from app.deps import SessionDep
from app.kit.pagination import Page, PageDep, make_page, paginate
from app.models import AuditLog
from app.models.enums import AdminRole

router = APIRouter(prefix="/admin/audit-log", tags=["admin: audit log"])


class AuditEntry(BaseModel):
    """One recorded admin write."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    actor: str
    admin_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    action: str
    entity_type: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    created_at: datetime


@router.get("", response_model=Page[AuditEntry], dependencies=[Depends(RequireRole(AdminRole.admin))])
async def list_audit_log(
    session: SessionDep,
    params: PageDep,
    admin_id: uuid.UUID | None = None,
    entity_type: Annotated[str | None, Query(max_length=50)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[
        str | None, Query(max_length=100, description="exact action or a prefix ending in *")
    ] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> Page[AuditEntry]:
    """Who changed what and when, newest first."""
    stmt = select(AuditLog)
    if admin_id:
        stmt = stmt.where(AuditLog.admin_id == admin_id)
    if entity_type:
        stmt = stmt.where(AuditLog.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    if action:
        stmt = stmt.where(
            AuditLog.action.startswith(action[:-1]) if action.endswith("*") else AuditLog.action == action
        )
    if created_from:
        stmt = stmt.where(AuditLog.created_at >= created_from)
    if created_to:
        stmt = stmt.where(AuditLog.created_at < created_to)
    stmt = stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    rows, total = await paginate(session, stmt, params)
    return make_page([AuditEntry.model_validate(r) for r in rows], total, params)
