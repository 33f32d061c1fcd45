"""Public catalog reads and admin CRUD of locations and tariffs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import func, or_, select

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record, snapshot
from app.catalog import repository, service
from app.catalog.schemas import (
    LocationCreate,
    LocationRead,
    LocationUpdate,
    PublicLocation,
    PublicTariff,
    TariffCreate,
    TariffRead,
    TariffUpdate,
)
from app.deps import SessionDep
from app.errors import error_responses
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate
from app.models import Location, Tariff
from app.models.enums import AdminRole
from app.servers.capacity import free_places

public_router = APIRouter(tags=["catalog"])
admin_router = APIRouter(prefix="/admin", tags=["admin: catalog"])

READ = Depends(RequireRole(AdminRole.support, "catalog:read"))
WRITE = Depends(RequireRole(AdminRole.admin, "catalog:write"))


async def _location(session: SessionDep, location_id: uuid.UUID) -> Location:
    return await service.get_location(session, location_id)


async def _tariff(session: SessionDep, tariff_id: uuid.UUID) -> Tariff:
    return await service.get_tariff(session, tariff_id)


LocationDep = Annotated[Location, Depends(_location)]
TariffDep = Annotated[Tariff, Depends(_tariff)]


@public_router.get("/locations", response_model=list[PublicLocation])
async def public_locations(session: SessionDep) -> list[PublicLocation]:
    """Locations on sale; `available` is false while every server of one is full or down."""
    locations = await repository.active_locations(session)
    places = await free_places(session, [loc.id for loc in locations])
    return [
        PublicLocation.model_validate(loc).model_copy(update={"available": places[loc.id] > 0})
        for loc in locations
    ]


@public_router.get("/tariffs", response_model=list[PublicTariff])
async def public_tariffs(
    session: SessionDep,
    location_id: Annotated[uuid.UUID | None, Query(description="only plans usable in this location")] = None,
) -> list[PublicTariff]:
    """Tariffs on sale, with discounts against the monthly plan."""
    return service.public_tariffs(await repository.active_tariffs(session, location_id))


# --- admin: locations -------------------------------------------------------------------------

LOCATION_SORTS = {"name": Location.name, "sort_order": Location.sort_order, "created_at": Location.created_at}


@admin_router.get("/locations", response_model=Page[LocationRead], dependencies=[READ])
async def list_locations(
    session: SessionDep,
    params: PageDep,
    q: Annotated[str | None, Query(max_length=100, description="search in name and country code")] = None,
    is_active: bool | None = None,
    sort: Annotated[str | None, Query(description="e.g. name or -created_at")] = None,
) -> Page[LocationRead]:
    """All locations, filtered and sorted."""
    stmt = select(Location)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Location.name).like(like), func.lower(Location.country_code) == q.lower())
        )
    if is_active is not None:
        stmt = stmt.where(Location.is_active.is_(is_active))
    stmt = apply_sort(stmt, sort, LOCATION_SORTS, [Location.sort_order, Location.name, Location.id])
    rows, total = await paginate(session, stmt, params)
    return make_page([LocationRead.model_validate(r) for r in rows], total, params)


@admin_router.post(
    "/locations",
    response_model=LocationRead,
    status_code=201,
    responses=error_responses(409),
    dependencies=[WRITE],
)
async def create_location(
    body: LocationCreate, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Location:
    """Create a location."""
    location = await service.create_location(session, body)
    record(
        session,
        principal,
        "location.create",
        "location",
        location.id,
        after=snapshot(location),
        request=request,
    )
    return location


@admin_router.get(
    "/locations/{location_id}",
    response_model=LocationRead,
    responses=error_responses(404),
    dependencies=[READ],
)
async def get_location(location: LocationDep) -> Location:
    """One location."""
    return location


@admin_router.patch(
    "/locations/{location_id}",
    response_model=LocationRead,
    responses=error_responses(404, 409),
    dependencies=[WRITE],
)
async def update_location(
    body: LocationUpdate,
    location: LocationDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> Location:
    """Change a location."""
    before = snapshot(location)
    location = await service.update_location(session, location, body)
    record(
        session,
        principal,
        "location.update",
        "location",
        location.id,
        before=before,
        after=snapshot(location),
        request=request,
    )
    return location


@admin_router.delete(
    "/locations/{location_id}", status_code=204, responses=error_responses(404, 409), dependencies=[WRITE]
)
async def delete_location(
    location: LocationDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Response:
    """Delete a location nothing uses."""
    before = snapshot(location)
    await service.delete_location(session, location)
    record(session, principal, "location.delete", "location", before["id"], before=before, request=request)
    return Response(status_code=204)


# --- admin: tariffs ---------------------------------------------------------------------------

TARIFF_SORTS = {
    "name": Tariff.name,
    "price": Tariff.price,
    "duration_days": Tariff.duration_days,
    "sort_order": Tariff.sort_order,
    "created_at": Tariff.created_at,
}


@admin_router.get("/tariffs", response_model=Page[TariffRead], dependencies=[READ])
async def list_tariffs(
    session: SessionDep,
    params: PageDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    is_active: bool | None = None,
    is_promo: bool | None = None,
    location_id: uuid.UUID | None = None,
    sort: str | None = None,
) -> Page[TariffRead]:
    """All tariffs, filtered and sorted."""
    stmt = select(Tariff)
    if q:
        stmt = stmt.where(func.lower(Tariff.name).like(f"%{q.lower()}%"))
    if is_active is not None:
        stmt = stmt.where(Tariff.is_active.is_(is_active))
    if is_promo is not None:
        stmt = stmt.where(Tariff.is_promo.is_(is_promo))
    if location_id is not None:
        stmt = stmt.where(Tariff.location_id == location_id)
    stmt = apply_sort(stmt, sort, TARIFF_SORTS, [Tariff.sort_order, Tariff.price, Tariff.id])
    rows, total = await paginate(session, stmt, params)
    return make_page([TariffRead.model_validate(r) for r in rows], total, params)


@admin_router.post(
    "/tariffs",
    response_model=TariffRead,
    status_code=201,
    responses=error_responses(404),
    dependencies=[WRITE],
)
async def create_tariff(
    body: TariffCreate, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Tariff:
    """Create a tariff."""
    tariff = await service.create_tariff(session, body)
    record(session, principal, "tariff.create", "tariff", tariff.id, after=snapshot(tariff), request=request)
    return tariff


@admin_router.get(
    "/tariffs/{tariff_id}", response_model=TariffRead, responses=error_responses(404), dependencies=[READ]
)
async def get_tariff(tariff: TariffDep) -> Tariff:
    """One tariff."""
    return tariff


@admin_router.patch(
    "/tariffs/{tariff_id}", response_model=TariffRead, responses=error_responses(404), dependencies=[WRITE]
)
async def update_tariff(
    body: TariffUpdate, tariff: TariffDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Tariff:
    """Change a tariff."""
    before = snapshot(tariff)
    tariff = await service.update_tariff(session, tariff, body)
    record(
        session,
        principal,
        "tariff.update",
        "tariff",
        tariff.id,
        before=before,
        after=snapshot(tariff),
        request=request,
    )
    return tariff


@admin_router.delete(
    "/tariffs/{tariff_id}", status_code=204, responses=error_responses(404, 409), dependencies=[WRITE]
)
async def delete_tariff(
    tariff: TariffDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Response:
    """Delete a tariff that was never sold."""
    before = snapshot(tariff)
    await service.delete_tariff(session, tariff)
    record(session, principal, "tariff.delete", "tariff", before["id"], before=before, request=request)
    return Response(status_code=204)
