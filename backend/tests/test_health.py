"""Probes, metrics, OpenAPI, error shapes and headers."""

from __future__ import annotations

from httpx import ASGITransport, AsyncClient

from app.db import create_engine
from app.main import attach_resources, create_app
from app.redis import create_redis
from tests.conftest import make_settings


async def test_healthz_and_readyz(client: AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "redis": "ok"}


async def test_readyz_reports_down_dependencies() -> None:
    settings = make_settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none", redis_url="redis://127.0.0.1:1/0"
    )
    app = create_app(settings)
    attach_resources(app, create_engine(settings), create_redis(settings))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c:
        resp = await c.get("/readyz")
        assert resp.status_code == 503
        assert resp.json() == {"status": "not_ready", "database": "down", "redis": "down"}
        # An API call whose database is down answers 503, not 500 and not a hang.
        resp = await c.get("/api/v1/locations")
        assert resp.status_code == 503
        assert resp.json()["error"] == "ServiceUnavailable"
        assert resp.headers["retry-after"]
    await app.state.engine.dispose()
    await app.state.redis.aclose()


async def test_metrics_exposed(client: AsyncClient) -> None:
    await client.get("/api/v1/locations")
    resp = await client.get("/metrics")
    assert resp.status_code == 200
    assert "http_request_duration_seconds" in resp.text


async def test_openapi_documents_security_schemes_and_tags(client: AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert {"AdminJWT", "UserJWT", "ApiKey"} <= set(schemes)
    assert "/api/v1/auth/login" in spec["paths"]
    assert "/api/v1/admin/locations" in spec["paths"]
    tags = {t["name"] for t in spec["tags"]}
    for path in spec["paths"].values():
        for op in path.values():
            assert op.get("summary") or op.get("description"), op
            assert set(op.get("tags", [])) <= tags, op.get("tags")
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_route_and_method_use_the_error_shape(client: AsyncClient) -> None:
    resp = await client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.json() == {"error": "NotFound", "detail": "Not Found"}
    resp = await client.delete("/api/v1/locations")
    assert resp.status_code == 405
    assert resp.json()["error"] == "MethodNotAllowed"


async def test_security_headers_and_request_id(client: AsyncClient) -> None:
    resp = await client.get("/api/v1/locations", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["cache-control"] == "no-store"
    assert resp.headers["x-request-id"] == "0123456789abcdef0123456789abcdef"


async def test_cors_allows_only_configured_origins(client: AsyncClient) -> None:
    ok = await client.options(
        "/api/v1/locations",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"},
    )
    assert ok.headers.get("access-control-allow-origin") == "http://localhost:5173"
    bad = await client.options(
        "/api/v1/locations",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in bad.headers
