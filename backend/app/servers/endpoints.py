"""Admin CRUD of servers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import func, select

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record, snapshot
from app.deps import RedisDep, SessionDep, SettingsDep
from app.errors import error_responses
from app.integrations.panels.base import PanelConfig
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate
from app.models import Server
from app.models.enums import AdminRole, PanelType, ServerHealth
from app.servers import service
from app.servers.panels import panel_config
from app.servers.schemas import (
    PanelTestBody,
    PanelTestResult,
    ServerCreate,
    ServerLoadRead,
    ServerRead,
    ServerUpdate,
)
from app.servers.testing import test_connection

router = APIRouter(prefix="/admin/servers", tags=["admin: servers"])

READ = Depends(RequireRole(AdminRole.support, "catalog:read"))
WRITE = Depends(RequireRole(AdminRole.admin, "catalog:write"))


async def _server(session: SessionDep, server_id: uuid.UUID) -> Server:
    return await service.get_server(session, server_id)


ServerDep = Annotated[Server, Depends(_server)]
SORTS = {
    "name": Server.name,
    "created_at": Server.created_at,
    "health": Server.health,
    "max_users": Server.max_users,
}


@router.get("", response_model=Page[ServerRead], dependencies=[READ])
async def list_servers(
    session: SessionDep,
    params: PageDep,
    location_id: uuid.UUID | None = None,
    panel_type: PanelType | None = None,
    health: ServerHealth | None = None,
    is_active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: str | None = None,
) -> Page[ServerRead]:
    """Servers with their health and load."""
    stmt = select(Server)
    if location_id:
        stmt = stmt.where(Server.location_id == location_id)
    if panel_type:
        stmt = stmt.where(Server.panel_type == panel_type)
    if health:
        stmt = stmt.where(Server.health == health)
    if is_active is not None:
        stmt = stmt.where(Server.is_active.is_(is_active))
    if q:
        stmt = stmt.where(func.lower(Server.name).like(f"%{q.lower()}%"))
    stmt = apply_sort(stmt, sort, SORTS, [Server.name, Server.id])
    rows, total = await paginate(session, stmt, params)
    counts = await service.active_counts(session, [r.id for r in rows])
    return make_page([service.to_read(r, counts.get(r.id, 0)) for r in rows], total, params)


@router.post(
    "", response_model=ServerRead, status_code=201, responses=error_responses(404, 409), dependencies=[WRITE]
)
async def create_server(
    body: ServerCreate, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> ServerRead:
    """Add a server; credentials are encrypted and never returned."""
    server = await service.create_server(session, body)
    record(
        session,
        principal,
        "server.create",
        "server",
        server.id,
        after=snapshot(server, exclude={"username"}),
        request=request,
    )
    return service.to_read(server)


@router.post("/test", response_model=PanelTestResult, dependencies=[WRITE])
async def test_unsaved_server(body: PanelTestBody, settings: SettingsDep) -> PanelTestResult:
    """Try credentials before saving (the SPA's "Test connection" button); nothing is stored."""
    config = PanelConfig(
        server_id=uuid.uuid4(),
        name="unsaved",
        panel_type=body.panel_type,
        url=body.panel_url,
        username=body.username,
        password=body.password,
        api_token=body.api_token,
        settings=body.settings,
    )
    return await test_connection(config, settings)


@router.post(
    "/{server_id}/test", response_model=PanelTestResult, responses=error_responses(404), dependencies=[WRITE]
)
async def test_server(
    server: ServerDep,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    request: Request,
) -> PanelTestResult:
    """Connect to the server's panel now: version, API generation, inbounds, settings that do not match."""
    result = await test_connection(panel_config(server), settings)
    if result.ok:
        before = {"api_generation": server.api_generation, "panel_version": server.panel_version}
        server.api_generation = result.api_generation or server.api_generation
        server.panel_version = (result.panel_version or server.panel_version or "")[:32] or None
        record(
            session,
            principal,
            "server.test",
            "server",
            server.id,
            before=before,
            after={"api_generation": server.api_generation, "panel_version": server.panel_version},
            request=request,
        )
    return result


@router.get(
    "/{server_id}/load", response_model=ServerLoadRead, responses=error_responses(404), dependencies=[READ]
)
async def server_load(server: ServerDep, session: SessionDep, redis: RedisDep) -> ServerLoadRead:
    """How full the server is: subscriptions by status, free places, traffic, clients online."""
    return await service.load(session, redis, server)


@router.get("/{server_id}", response_model=ServerRead, responses=error_responses(404), dependencies=[READ])
async def get_server(server: ServerDep, session: SessionDep) -> ServerRead:
    """One server with its load."""
    counts = await service.active_counts(session, [server.id])
    return service.to_read(server, counts.get(server.id, 0))


@router.patch(
    "/{server_id}", response_model=ServerRead, responses=error_responses(404, 409), dependencies=[WRITE]
)
async def update_server(
    body: ServerUpdate, server: ServerDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> ServerRead:
    """Change a server (credentials only when sent)."""
    before = snapshot(server, exclude={"username"})
    server = await service.update_server(session, server, body)
    record(
        session,
        principal,
        "server.update",
        "server",
        server.id,
        before=before,
        after=snapshot(server, exclude={"username"})
        | {"credentials_changed": bool({"username", "password", "api_token"} & body.model_fields_set)},
        request=request,
    )
    counts = await service.active_counts(session, [server.id])
    return service.to_read(server, counts.get(server.id, 0))


@router.delete("/{server_id}", status_code=204, responses=error_responses(404, 409), dependencies=[WRITE])
async def delete_server(
    server: ServerDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> Response:
    """Delete a server that holds no subscriptions."""
    before = snapshot(server, exclude={"username"})
    await service.delete_server(session, server)
    record(session, principal, "server.delete", "server", before["id"], before=before, request=request)
    return Response(status_code=204)
