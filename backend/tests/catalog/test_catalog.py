"""Locations and tariffs: admin CRUD with invalid inputs, public reads, audit rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditLog
from app.models.enums import AdminRole
from tests.factories import admin_headers, create_location, create_server, create_tariff


@pytest.fixture
async def owner(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.owner)


class TestLocations:
    async def test_create_read_update_delete(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        resp = await client.post(
            "/api/v1/admin/locations",
            json={"name": "Netherlands", "country_code": "nl", "flag_emoji": "🇳🇱"},
            headers=owner,
        )
        assert resp.status_code == 201, resp.text
        loc = resp.json()
        assert loc["country_code"] == "NL" and loc["is_active"] is True and loc["id"]

        resp = await client.patch(
            f"/api/v1/admin/locations/{loc['id']}", json={"sort_order": 5}, headers=owner
        )
        assert resp.json()["sort_order"] == 5 and resp.json()["name"] == "Netherlands"

        listed = await client.get("/api/v1/admin/locations", params={"q": "nether"}, headers=owner)
        assert listed.json()["total"] == 1 and listed.json()["items"][0]["id"] == loc["id"]

        assert (await client.delete(f"/api/v1/admin/locations/{loc['id']}", headers=owner)).status_code == 204
        assert (await client.get(f"/api/v1/admin/locations/{loc['id']}", headers=owner)).status_code == 404

        actions = (
            await session.scalars(select(AuditLog.action).where(AuditLog.entity_id == loc["id"]))
        ).all()
        assert sorted(actions) == ["location.create", "location.delete", "location.update"]

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"name": "", "country_code": "NL"},
            {"name": "X", "country_code": "NLD"},
            {"name": "X", "country_code": "1"},
            {"name": "X" * 101, "country_code": "NL"},
            {"name": "X", "country_code": "NL", "sort_order": "first"},
        ],
    )
    async def test_invalid_bodies_are_422(
        self, client: AsyncClient, owner: dict[str, str], body: dict
    ) -> None:
        resp = await client.post("/api/v1/admin/locations", json=body, headers=owner)
        assert resp.status_code == 422

    async def test_duplicate_name_is_409(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        await create_location(session, name="Germany")
        resp = await client.post(
            "/api/v1/admin/locations", json={"name": "germany", "country_code": "DE"}, headers=owner
        )
        assert resp.status_code == 409
        assert resp.json() == {
            "error": "LocationNameTaken",
            "detail": "A location with this name already exists",
        }

    async def test_location_in_use_cannot_be_deleted(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        loc = await create_location(session)
        await create_server(session, loc)
        resp = await client.delete(f"/api/v1/admin/locations/{loc.id}", headers=owner)
        assert resp.status_code == 409
        assert "1 servers" in resp.json()["detail"]

    async def test_list_filters_sorting_and_paging(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        for i, name in enumerate(["Alpha", "Bravo", "Charlie"]):
            await create_location(session, name=name, sort_order=i, is_active=name != "Bravo")
        page = await client.get("/api/v1/admin/locations", params={"sort": "-name", "size": 2}, headers=owner)
        body = page.json()
        assert body["total"] == 3 and body["pages"] == 2
        assert [i["name"] for i in body["items"]] == ["Charlie", "Bravo"]
        inactive = await client.get("/api/v1/admin/locations", params={"is_active": "false"}, headers=owner)
        assert [i["name"] for i in inactive.json()["items"]] == ["Bravo"]
        bad = await client.get("/api/v1/admin/locations", params={"sort": "password"}, headers=owner)
        assert bad.status_code == 400 and "password" in bad.json()["detail"]
        bad = await client.get("/api/v1/admin/locations", params={"size": 1000}, headers=owner)
        assert bad.status_code == 422

    async def test_public_list_shows_active_only(self, client: AsyncClient, session: AsyncSession) -> None:
        await create_location(session, name="On", sort_order=1)
        await create_location(session, name="Off", is_active=False)
        resp = await client.get("/api/v1/locations")
        assert resp.status_code == 200
        assert [loc["name"] for loc in resp.json()] == ["On"]


class TestTariffs:
    async def test_create_forever_and_limited(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        loc = await create_location(session)
        resp = await client.post(
            "/api/v1/admin/tariffs",
            json={"name": "Forever", "duration_days": None, "price": "599", "currency": "RUB"},
            headers=owner,
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["duration_days"] is None and resp.json()["price"] == "599.00"
        resp = await client.post(
            "/api/v1/admin/tariffs",
            json={
                "name": "NL month",
                "duration_days": 30,
                "price": 49.5,
                "currency": "RUB",
                "location_id": str(loc.id),
                "traffic_limit_gb": 100,
                "device_limit": 3,
            },
            headers=owner,
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["price"] == "49.50"

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "x", "duration_days": 0, "price": "10"},
            {"name": "x", "duration_days": 30, "price": "-1"},
            {"name": "x", "duration_days": 30, "price": "10.001"},
            {"name": "x", "duration_days": 30, "price": "abc"},
            {"name": "x", "duration_days": 30, "price": "10", "currency": "USD"},
            {"name": "x", "duration_days": 30, "price": "10", "device_limit": 0},
            {"name": "x", "price": "10"},
            {"duration_days": 30, "price": "10"},
        ],
    )
    async def test_invalid_tariffs_are_422(
        self, client: AsyncClient, owner: dict[str, str], body: dict
    ) -> None:
        resp = await client.post("/api/v1/admin/tariffs", json=body, headers=owner)
        assert resp.status_code == 422, body

    async def test_unknown_location_is_404(self, client: AsyncClient, owner: dict[str, str]) -> None:
        resp = await client.post(
            "/api/v1/admin/tariffs",
            json={
                "name": "x",
                "duration_days": 30,
                "price": "10",
                "location_id": "00000000-0000-0000-0000-000000000001",
            },
            headers=owner,
        )
        assert resp.status_code == 404 and resp.json()["error"] == "LocationNotFound"

    async def test_patch_to_forever_and_back(
        self, client: AsyncClient, owner: dict[str, str], session: AsyncSession
    ) -> None:
        tariff = await create_tariff(session)
        resp = await client.patch(
            f"/api/v1/admin/tariffs/{tariff.id}", json={"duration_days": None}, headers=owner
        )
        assert resp.json()["duration_days"] is None
        resp = await client.patch(f"/api/v1/admin/tariffs/{tariff.id}", json={"price": "59"}, headers=owner)
        assert resp.json()["price"] == "59.00" and resp.json()["duration_days"] is None

    async def test_public_tariffs_with_discount(self, client: AsyncClient, session: AsyncSession) -> None:
        await create_tariff(session, name="1m", duration_days=30, price=Decimal("49"), sort_order=0)
        await create_tariff(session, name="3m", duration_days=90, price=Decimal("129"), sort_order=1)
        await create_tariff(session, name="off", duration_days=30, price=Decimal("1"), is_active=False)
        resp = await client.get("/api/v1/tariffs")
        plans = {t["name"]: t for t in resp.json()}
        assert set(plans) == {"1m", "3m"}
        assert plans["1m"]["discount_percent"] is None
        assert plans["3m"]["discount_percent"] == 12  # 129 vs 3 x 49 = 147

    async def test_support_can_read_but_not_write(self, client: AsyncClient, session: AsyncSession) -> None:
        support = await admin_headers(client, session, AdminRole.support)
        assert (await client.get("/api/v1/admin/tariffs", headers=support)).status_code == 200
        resp = await client.post(
            "/api/v1/admin/tariffs", json={"name": "x", "duration_days": 30, "price": "1"}, headers=support
        )
        assert resp.status_code == 403
