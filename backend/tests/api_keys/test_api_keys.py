"""API keys: the owner creates (plaintext once), lists and revokes; keys then authenticate by scope."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin_auth.api_keys import SCOPES
from app.kit.crypto import sha256_hex
from app.models import ApiKey, AuditLog
from app.models.enums import AdminRole
from tests.factories import admin_headers, create_user

URL = "/api/v1/admin/api-keys"


@pytest.fixture
async def owner(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.owner)


async def test_create_use_list_revoke(
    client: AsyncClient, owner: dict[str, str], session: AsyncSession
) -> None:
    await create_user(session, username="alice")
    resp = await client.post(
        URL, json={"name": " CRM ", "scopes": ["users:read", "users:read"]}, headers=owner
    )
    assert resp.status_code == 201, resp.text
    created = resp.json()
    plaintext = created["key"]
    assert plaintext.startswith("vsk_") and created["key_prefix"] == plaintext[:12]
    assert created["name"] == "CRM" and created["scopes"] == ["users:read"]
    stored = await session.scalar(select(ApiKey).where(ApiKey.id == created["id"]))
    assert stored is not None and stored.key_hash == sha256_hex(plaintext)

    key = {"X-API-Key": plaintext}
    users = await client.get("/api/v1/admin/users", params={"q": "alice"}, headers=key)
    assert users.status_code == 200 and users.json()["total"] == 1
    assert (await client.post(f"/api/v1/admin/users/{created['id']}/block", headers=key)).status_code == 403

    listed = (await client.get(URL, headers=owner)).json()
    assert [k["id"] for k in listed["items"]] == [created["id"]]
    assert "key" not in listed["items"][0] and listed["items"][0]["last_used_at"] is not None

    revoked = await client.post(f"{URL}/{created['id']}/revoke", headers=owner)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.post(f"{URL}/{created['id']}/revoke", headers=owner)).status_code == 409
    assert (await client.get("/api/v1/admin/users", headers=key)).status_code == 401
    assert (await client.get(URL, params={"revoked": "false"}, headers=owner)).json()["total"] == 0

    audit = (
        await session.execute(
            select(AuditLog.action, AuditLog.after).where(AuditLog.entity_id == created["id"])
        )
    ).all()
    assert sorted(a[0] for a in audit) == ["api_key.create", "api_key.revoke"]
    assert all(plaintext not in str(a[1]) for a in audit)  # the key itself is never logged


async def test_scopes_are_listed(client: AsyncClient, owner: dict[str, str]) -> None:
    resp = await client.get(f"{URL}/scopes", headers=owner)
    assert {s["scope"] for s in resp.json()} == set(SCOPES)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "x", "scopes": []},
        {"name": "", "scopes": ["users:read"]},
        {"name": "x", "scopes": ["root"]},
        {"name": "x" * 101, "scopes": ["users:read"]},
    ],
)
async def test_invalid_bodies_are_422(client: AsyncClient, owner: dict[str, str], body: dict) -> None:
    assert (await client.post(URL, json=body, headers=owner)).status_code == 422


@pytest.mark.parametrize("role", [AdminRole.admin, AdminRole.support])
async def test_only_the_owner_manages_keys(
    client: AsyncClient, session: AsyncSession, role: AdminRole
) -> None:
    headers = await admin_headers(client, session, role)
    assert (await client.get(URL, headers=headers)).status_code == 403
    assert (
        await client.post(URL, json={"name": "x", "scopes": ["users:read"]}, headers=headers)
    ).status_code == 403


async def test_unknown_key_is_404(client: AsyncClient, owner: dict[str, str]) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert (await client.post(f"{URL}/{missing}/revoke", headers=owner)).status_code == 404
    assert (await client.get(f"{URL}/{missing}", headers=owner)).status_code == 404


async def test_openapi_documents_the_header_and_the_example(client: AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "description": "A scoped third-party key created by an owner",
        "in": "header",
        "name": "X-API-Key",
    }
    created = spec["components"]["schemas"]["ApiKeyCreated"]
    assert created["examples"][0]["key"].startswith("vsk_")
