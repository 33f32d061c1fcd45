"""Every admin route is guarded: enumerated from the app, so a new unguarded route fails here."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin_auth.api_keys import generate_key
from app.admin_auth.deps import RequireRole
from app.models import ApiKey
from app.models.enums import AdminRole
from tests.factories import admin_headers, create_user

ADMIN_PREFIXES = ("/api/v1/admin",)


def admin_routes(app: FastAPI) -> list[tuple[Any, str]]:
    """(route, method) for every admin route and method, with routers' include-time settings applied."""
    out = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and (route.path or "").startswith(ADMIN_PREFIXES):
            out.extend((route, m) for m in sorted(route.methods or ()))
    return out


def guard_of(route: Any) -> RequireRole | None:
    """The RequireRole declared in the route decorator's dependencies."""
    for dep in route.dependencies:
        if isinstance(dep.dependency, RequireRole):
            return dep.dependency
    return None


def concrete_path(route: Any) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)


async def call(client: AsyncClient, method: str, path: str, headers: dict[str, str] | None = None) -> Any:
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}
    return await client.request(method, path, **kwargs)


def test_admin_routes_exist_and_each_declares_a_role(app: FastAPI) -> None:
    routes = admin_routes(app)
    assert len(routes) >= 10
    missing = [f"{m} {r.path}" for r, m in routes if guard_of(r) is None]
    assert missing == [], f"admin routes without RequireRole in dependencies=: {missing}"


async def test_every_admin_route_refuses_anonymous_and_customers(
    app: FastAPI, client: AsyncClient, session: AsyncSession, settings: Any
) -> None:
    user = await create_user(session)
    from app.auth.tokens import TokenType, issue_token

    customer_token, _ = issue_token(settings, user.id, TokenType.user, 600)
    for route, method in admin_routes(app):
        path = concrete_path(route)
        anon = await call(client, method, path)
        assert anon.status_code == 401, f"{method} {path} without token -> {anon.status_code}"
        as_customer = await call(client, method, path, {"Authorization": f"Bearer {customer_token}"})
        assert as_customer.status_code == 401, (
            f"{method} {path} with customer token -> {as_customer.status_code}"
        )


@pytest.mark.parametrize("role", [AdminRole.support, AdminRole.admin])
async def test_lower_roles_get_403_on_higher_routes(
    app: FastAPI, client: AsyncClient, session: AsyncSession, role: AdminRole
) -> None:
    headers = await admin_headers(client, session, role)
    checked = 0
    for route, method in admin_routes(app):
        guard = guard_of(route)
        assert guard is not None
        path = concrete_path(route)
        resp = await call(client, method, path, headers)
        if guard.role.rank > role.rank:
            assert resp.status_code == 403, f"{role} on {method} {path} -> {resp.status_code}"
            assert resp.json()["error"] == "PermissionDenied"
            checked += 1
        else:
            assert resp.status_code not in (401, 403), f"{role} refused on {method} {path}"
    assert checked > 0


async def test_api_keys_need_the_routes_scope(
    app: FastAPI, client: AsyncClient, session: AsyncSession
) -> None:
    plaintext, prefix, digest = generate_key()
    session.add(ApiKey(name="reader", key_prefix=prefix, key_hash=digest, scopes=["catalog:read"]))
    revoked_plain, revoked_prefix, revoked_digest = generate_key()
    from app.kit.time import utcnow

    session.add(
        ApiKey(
            name="old",
            key_prefix=revoked_prefix,
            key_hash=revoked_digest,
            scopes=["catalog:read"],
            revoked_at=utcnow(),
        )
    )
    await session.flush()
    for route, method in admin_routes(app):
        guard = guard_of(route)
        assert guard is not None
        path = concrete_path(route)
        resp = await call(client, method, path, {"X-API-Key": plaintext})
        if guard.scope == "catalog:read":
            assert resp.status_code not in (401, 403), f"key refused on {method} {path}"
        else:
            assert resp.status_code == 403, f"key with catalog:read on {method} {path} -> {resp.status_code}"
        revoked = await call(client, method, path, {"X-API-Key": revoked_plain})
        assert revoked.status_code == 401
