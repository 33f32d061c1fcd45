"""GET /admin/dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.admin_auth.deps import RequireRole
from app.dashboard import service
from app.dashboard.schemas import Dashboard
from app.deps import RedisDep, SessionDep
from app.models.enums import AdminRole
from app.shop_settings.definitions import TimeZoneName

router = APIRouter(prefix="/admin/dashboard", tags=["admin: dashboard"])


@router.get("", response_model=Dashboard, dependencies=[Depends(RequireRole(AdminRole.admin, "stats:read"))])
async def get_dashboard(
    session: SessionDep,
    redis: RedisDep,
    tz: Annotated[
        TimeZoneName | None, Query(description="days in this IANA time zone (default: the shop's setting)")
    ] = None,
    fresh: Annotated[bool, Query(description="skip the 15-second cache")] = False,
) -> Dashboard:
    """Customers, subscriptions, trials, revenue (today, 7 and 30 days, per day), servers and load."""
    return await service.cached(session, redis, tz, fresh)
