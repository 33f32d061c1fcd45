"""The settings API: every definition grouped, typed changes (422 on a bad value), audit, shop-info."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditLog, Setting
from app.models.enums import AdminRole
from tests.factories import admin_headers

URL = "/api/v1/admin/settings"


@pytest.fixture
async def admin(client: AsyncClient, session: AsyncSession) -> dict[str, str]:
    return await admin_headers(client, session, AdminRole.admin)


def find(groups: list[dict[str, Any]], key: str) -> dict[str, Any]:
    for group in groups:
        for item in group["items"]:
            if item["key"] == key:
                return dict(item)
    raise KeyError(key)


class TestAdmin:
    async def test_list_is_grouped_with_schema_and_defaults(
        self, client: AsyncClient, admin: dict[str, str]
    ) -> None:
        resp = await client.get(URL, headers=admin)
        assert resp.status_code == 200
        groups = resp.json()
        names = [g["group"] for g in groups]
        assert names == sorted(names) and {"shop", "support", "texts"} <= set(names)
        tz = find(groups, "shop.timezone")
        assert tz["value"] == tz["default"] == "Europe/Moscow"
        assert tz["is_default"] is True and tz["public"] is True and tz["json_schema"]["type"] == "string"
        limit = find(groups, "support.max_open_tickets")
        assert limit["public"] is False and limit["json_schema"]["maximum"] == 50

    async def test_change_reset_and_audit(
        self, client: AsyncClient, admin: dict[str, str], session: AsyncSession
    ) -> None:
        resp = await client.put(f"{URL}/support.contact", json={"value": "@vpn_help"}, headers=admin)
        assert resp.status_code == 200, resp.text
        item = resp.json()
        assert item["value"] == "@vpn_help" and item["is_default"] is False and item["updated_by_id"]
        again = await client.put(
            f"{URL}/support.contact", json={"value": "https://t.me/vpn_help"}, headers=admin
        )
        assert again.json()["value"] == "https://t.me/vpn_help"
        assert (await client.get(f"{URL}/support.contact", headers=admin)).json()[
            "value"
        ] == "https://t.me/vpn_help"

        welcome = {"ru": "Привет, <b>друг</b>!", "en": "Hi!"}
        assert (await client.put(f"{URL}/texts.welcome", json={"value": welcome}, headers=admin)).json()[
            "value"
        ] == welcome

        reset = await client.delete(f"{URL}/support.contact", headers=admin)
        assert reset.json()["value"] is None and reset.json()["is_default"] is True
        assert await session.scalar(select(Setting).where(Setting.key == "support.contact")) is None

        audit = (
            await session.execute(
                select(AuditLog.action, AuditLog.before, AuditLog.after)
                .where(AuditLog.entity_id == "support.contact")
                .order_by(AuditLog.created_at)
            )
        ).all()
        assert [a[0] for a in audit] == ["setting.update", "setting.update", "setting.reset"]
        assert audit[1][1] == {"value": "@vpn_help", "is_default": False}
        assert audit[1][2] == {"value": "https://t.me/vpn_help"}

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("shop.timezone", "Mars/Olympus"),
            ("shop.timezone", 3),
            ("support.contact", "call me"),
            ("support.contact", "@ab"),
            ("support.max_open_tickets", 0),
            ("support.max_open_tickets", "many"),
            ("texts.welcome", {"de": "Hallo"}),
            ("texts.welcome", {"ru": "<div>x</div>"}),
            ("texts.rules", "not a dict"),
        ],
    )
    async def test_bad_values_are_422(
        self, client: AsyncClient, admin: dict[str, str], key: str, value: Any
    ) -> None:
        resp = await client.put(f"{URL}/{key}", json={"value": value}, headers=admin)
        assert resp.status_code == 422, resp.text
        assert resp.json()["detail"][0]["loc"][:2] == ["body", "value"]

    async def test_unknown_key_and_missing_body(self, client: AsyncClient, admin: dict[str, str]) -> None:
        resp = await client.put(f"{URL}/no.such.key", json={"value": 1}, headers=admin)
        assert resp.status_code == 404 and resp.json()["error"] == "SettingNotFound"
        assert (await client.put(f"{URL}/shop.timezone", json={}, headers=admin)).status_code == 422

    async def test_a_stored_value_that_no_longer_validates_is_reported(
        self, client: AsyncClient, admin: dict[str, str], session: AsyncSession
    ) -> None:
        session.add(Setting(key="support.max_open_tickets", value="lots"))
        await session.flush()
        item = (await client.get(f"{URL}/support.max_open_tickets", headers=admin)).json()
        assert item["stored_value_invalid"] is True and item["value"] == 3

    async def test_support_cannot_read_or_change(self, client: AsyncClient, session: AsyncSession) -> None:
        support = await admin_headers(client, session, AdminRole.support)
        assert (await client.get(URL, headers=support)).status_code == 403
        resp = await client.put(f"{URL}/shop.timezone", json={"value": "UTC"}, headers=support)
        assert resp.status_code == 403


class TestShopInfo:
    async def test_public_settings_only(self, client: AsyncClient, admin: dict[str, str]) -> None:
        await client.put(f"{URL}/support.contact", json={"value": "@vpn_help"}, headers=admin)
        await client.put(f"{URL}/support.max_open_tickets", json={"value": 5}, headers=admin)
        resp = await client.get("/api/v1/shop-info")
        assert resp.status_code == 200
        info = resp.json()
        assert info["shop_name"] == "VPN Shop"
        assert info["settings"]["support.contact"] == "@vpn_help"
        assert info["settings"]["shop.timezone"] == "Europe/Moscow"
        assert info["settings"]["texts.welcome"] == {}
        assert "support.max_open_tickets" not in info["settings"]

    async def test_shop_name_setting_overrides_the_environment(
        self, client: AsyncClient, admin: dict[str, str]
    ) -> None:
        await client.put(f"{URL}/shop.name", json={"value": "Быстрый VPN"}, headers=admin)
        assert (await client.get("/api/v1/shop-info")).json()["shop_name"] == "Быстрый VPN"
