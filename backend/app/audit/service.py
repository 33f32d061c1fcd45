"""Record admin writes: who, what, before/after, from where."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from fastapi import Request
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin_auth.principal import Principal
from app.deps import client_ip
from app.models import AuditLog

# Never copied into the audit log, even encrypted.
_SECRET_FIELDS = {"password", "password_hash", "api_token", "key_hash"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """The column values of an ORM object, JSON-ready, without secrets."""
    skip = _SECRET_FIELDS | (exclude or set())
    mapper = inspect(type(obj))
    data: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        if attr.key in skip:
            continue
        data[attr.key] = _jsonable(getattr(obj, attr.key))
    return data


def record(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: Request | None = None,
) -> AuditLog:
    """Add one audit row to the current transaction (it commits or rolls back with the change)."""
    entry = AuditLog(
        admin_id=principal.admin_id if principal else None,
        api_key_id=principal.api_key_id if principal else None,
        actor=principal.label if principal else "system",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=client_ip(request) if request else None,
        user_agent=(request.headers.get("user-agent") or "")[:300] if request else None,
    )
    session.add(entry)
    return entry
