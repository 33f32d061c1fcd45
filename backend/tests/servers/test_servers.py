"""Servers: panel settings validated per type; credentials encrypted at rest and never returned or logged."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditLog, Server
from app.models.enums import AdminRole
from tests.factories import admin_headers, create_location, create_server

SECRET_PASSWORD = "Pa55-super-secret-panel"
SECRET_TOKEN = "xui-api-token-very-secret-value"
SECRET_USERNAME = "panel-root-login"


@pytest.fixture
async def owner(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.owner)


def xui_body(location_id: str, **kw: object) -> dict[str, object]:
    return {
        "location_id": location_id,
        "name": "nl-1",
        "panel_type": "3x-ui",
        "panel_url": "https://nl1.example.com:2053/AbCdEf/",
        "username": SECRET_USERNAME,
        "password": SECRET_PASSWORD,
        "max_users": 200,
        "settings": {"inbound_ids": [1, 2], "sub_url": "https://nl1.example.com:2096/sub/"},
        **kw,
    }


class TestServers:
    async def test_credentials_never_leave_the_api_or_the_logs(
        self,
        client: AsyncClient,
        owner: dict[str, str],
        session: AsyncSession,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        loc = await create_location(session)
        resp = await client.post(
            "/api/v1/admin/servers", json=xui_body(str(loc.id), api_token=SECRET_TOKEN), headers=owner
        )
        assert resp.status_code == 201, resp.text
        server_id = resp.json()["id"]
        assert resp.json()["has_password"] is True and resp.json()["has_api_token"] is True
        responses = [resp]
        responses.append(await client.get(f"/api/v1/admin/servers/{server_id}", headers=owner))
        responses.append(await client.get("/api/v1/admin/servers", headers=owner))
        responses.append(
            await client.patch(
                f"/api/v1/admin/servers/{server_id}", json={"password": SECRET_PASSWORD + "2"}, headers=owner
            )
        )
        responses.append(await client.get("/api/v1/admin/audit-log", headers=owner))
        for r in responses:
            for secret in (SECRET_PASSWORD, SECRET_TOKEN, SECRET_USERNAME):
                assert secret not in r.text
        audit = (await session.scalars(select(AuditLog).where(AuditLog.entity_id == server_id))).all()
        for row in audit:
            for secret in (SECRET_PASSWORD, SECRET_TOKEN, SECRET_USERNAME):
                assert secret not in str(row.before) + str(row.after)

        # At rest the columns hold ciphertext; through the ORM the plaintext comes back.
        raw = (
            await session.execute(
                text("select username, password, api_token from servers where id = :id"), {"id": server_id}
            )
        ).one()
        assert SECRET_PASSWORD not in raw.password and SECRET_TOKEN not in raw.api_token
        assert SECRET_USERNAME not in raw.username
        server = await session.get(Server, server_id)
        assert server is not None
        await session.refresh(server)
        assert server.password == SECRET_PASSWORD + "2" and server.api_token == SECRET_TOKEN

        out = capsys.readouterr()
        for secret in (SECRET_PASSWORD, SECRET_TOKEN, SECRET_USERNAME):
            assert secret not in out.out + out.err

    @pytest.mark.parametrize(
        ("panel_type", "panel_settings", "extra"),
        [
            ("3x-ui", {}, {}),
            ("3x-ui", {"inbound_ids": []}, {}),
            ("3x-ui", {"inbound_ids": [0]}, {}),
            ("3x-ui", {"inbound_ids": [1], "sub_url": "ftp://x"}, {}),
            ("3x-ui", {"inbound_ids": [1], "unknown": 1}, {}),
            ("marzban", {"proxies": {}}, {}),
            ("marzban", {"proxies": {"wireguard": {}}}, {}),
            ("marzban", {"proxies": {"vless": {}}, "inbounds": {"trojan": ["T"]}}, {}),
            ("marzban", {"proxies": {"vless": {}}}, {"api_token": "t", "username": None, "password": None}),
            ("3x-ui", {"inbound_ids": [1]}, {"panel_url": "not a url"}),
            ("3x-ui", {"inbound_ids": [1]}, {"username": None, "password": None}),
            ("openvpn", {"inbound_ids": [1]}, {}),
        ],
    )
    async def test_invalid_servers_are_422(
        self,
        client: AsyncClient,
        owner: dict[str, str],
        session: AsyncSession,
        panel_type: str,
        panel_settings: dict,
        extra: dict,
    ) -> None:
        loc = await create_location(session)
        body = xui_body(str(loc.id), panel_type=panel_type, settings=panel_settings, **extra)
        resp = await client.post("/api/v1/admin/servers", json=body, headers=owner)
        assert resp.status_code == 422, resp.text

    async def test_marzban_inbounds_default_to_all_per_protocol(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        loc = await create_location(session)
        body = xui_body(
            str(loc.id),
            panel_type="marzban",
            name="de-1",
            settings={"proxies": {"vless": {"flow": ""}, "trojan": {}}, "inbounds": {"vless": ["VLESS TCP"]}},
        )
        resp = await client.post("/api/v1/admin/servers", json=body, headers=owner)
        assert resp.status_code == 201, resp.text
        assert resp.json()["settings"]["inbounds"] == {"vless": ["VLESS TCP"], "trojan": []}

    async def test_unknown_location_and_duplicate_name(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        resp = await client.post(
            "/api/v1/admin/servers", json=xui_body("00000000-0000-0000-0000-000000000009"), headers=owner
        )
        assert resp.status_code == 404
        loc = await create_location(session)
        await create_server(session, loc, name="nl-1")
        resp = await client.post("/api/v1/admin/servers", json=xui_body(str(loc.id)), headers=owner)
        assert resp.status_code == 409 and resp.json()["error"] == "ServerNameTaken"

    async def test_update_credentials_resets_probe_and_delete(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        server = await create_server(session, api_generation="v3.1")
        server_id = server.id
        resp = await client.patch(f"/api/v1/admin/servers/{server_id}", json={"max_users": 10}, headers=owner)
        assert resp.json()["api_generation"] == "v3.1" and resp.json()["max_users"] == 10
        resp = await client.patch(
            f"/api/v1/admin/servers/{server_id}", json={"panel_url": "https://new.example/p/"}, headers=owner
        )
        assert resp.json()["api_generation"] is None
        resp = await client.patch(
            f"/api/v1/admin/servers/{server_id}", json={"settings": {"inbound_ids": []}}, headers=owner
        )
        assert resp.status_code == 422
        assert (await client.delete(f"/api/v1/admin/servers/{server_id}", headers=owner)).status_code == 204
