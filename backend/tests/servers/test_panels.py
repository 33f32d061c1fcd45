"""Servers and their panels: connection tests, load, health transitions, capacity under concurrency."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import AuditLog, Server
from app.models.enums import AdminRole, ServerHealth, SubscriptionStatus
from app.servers import tasks as server_tasks
from app.servers.capacity import LocationFull, pick_server, server_loads
from app.servers.online import store_online
from app.subscriptions.service import create_pending_subscription
from fakes.marzban import MarzbanFake
from fakes.xui import XuiFake
from tests.conftest import run_worker_burst
from tests.factories import admin_headers, create_location, create_server, create_subscription, create_user
from tests.panel_fakes import marzban_server, serving, worker_settings, xui_server

Sessions = async_sessionmaker[AsyncSession]


class TestConnectionTest:
    async def test_unsaved_credentials(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        fake = XuiFake(mode="v3.0", base_path="/p4th/", api_token="token-1234567890")
        async with serving(fake) as url:
            body: dict[str, Any] = {
                "panel_type": "3x-ui",
                "panel_url": url + "/p4th",
                "api_token": "token-1234567890",
                "settings": {"inbound_ids": [1, 9]},
            }
            resp = await client.post("/api/v1/admin/servers/test", json=body, headers=headers)
            result = resp.json()
            assert resp.status_code == 200 and result["ok"] is True, resp.text
            assert (result["api_generation"], result["panel_version"], result["core_version"]) == (
                "v3.0",
                "3.0.x",
                "25.10.15",
            )
            assert [i["ref"] for i in result["inbounds"]] == ["1", "2", "3", "4"]
            assert result["warnings"] == [
                "inbound 9 does not exist on the panel",
                "no sub_url: customers get the shop's link only, not the panel's own",
            ]
            wrong = await client.post(
                "/api/v1/admin/servers/test",
                json={**body, "api_token": None, "username": "admin", "password": "nope"},
                headers=headers,
            )
            assert wrong.json()["ok"] is False and wrong.json()["error_kind"] == "auth"
        gone = await client.post(
            "/api/v1/admin/servers/test", json={**body, "panel_url": "http://127.0.0.1:9/x"}, headers=headers
        )
        assert gone.json()["ok"] is False and gone.json()["error_kind"] == "unreachable"
        invalid = await client.post(
            "/api/v1/admin/servers/test", json={**body, "settings": {"inbound_ids": []}}, headers=headers
        )
        assert invalid.status_code == 422

    async def test_saved_marzban_server(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        fake = MarzbanFake()
        async with serving(fake) as url:
            location = await create_location(session)
            settings = {
                "proxies": {"vless": {}, "trojan": {}},
                "inbounds": {"vless": ["VLESS TCP REALITY", "NOPE"], "trojan": []},
            }
            server = await marzban_server(session, location, fake, url, settings=settings)
            resp = await client.post(f"/api/v1/admin/servers/{server.id}/test", headers=headers)
        result = resp.json()
        assert (
            result["ok"] is True and result["panel_version"] == "0.8.4" and result["api_generation"] == "v0.8"
        )
        assert result["warnings"] == ["inbound tag 'NOPE' does not exist on the panel"]
        row = await session.get(Server, server.id, populate_existing=True)
        assert row is not None and row.panel_version == "0.8.4" and row.api_generation == "v0.8"
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "server.test"))
        assert audit is not None and audit.after == {"api_generation": "v0.8", "panel_version": "0.8.4"}

    async def test_support_cannot_trigger_tests(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        server = await create_server(session)
        assert (
            await client.post(f"/api/v1/admin/servers/{server.id}/test", headers=headers)
        ).status_code == 403


class TestLoad:
    async def test_load_counts_and_online(
        self, client: AsyncClient, session: AsyncSession, redis: ArqRedis
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        location = await create_location(session)
        server = await create_server(session, location, max_users=4)
        user = await create_user(session)
        await create_subscription(session, user, location, server, traffic_used_bytes=1000)
        await create_subscription(session, user, location, server, status=SubscriptionStatus.pending)
        await create_subscription(
            session, user, location, server, status=SubscriptionStatus.expired, traffic_used_bytes=5
        )
        resp = await client.get(f"/api/v1/admin/servers/{server.id}/load", headers=headers)
        load = resp.json()
        assert (load["live"], load["free"], load["utilisation_percent"]) == (2, 2, 50)
        assert load["by_status"] == {"active": 1, "pending": 1, "expired": 1}
        assert load["traffic_used_bytes"] == 1000 and load["online"] is None
        await store_online(redis, server.id, 7, 9, utcnow())
        load = (await client.get(f"/api/v1/admin/servers/{server.id}/load", headers=headers)).json()
        assert load["online"] == 7 and load["online_checked_at"] is not None
        listed = (await client.get("/api/v1/admin/servers", headers=headers)).json()["items"]
        assert [s["active_users"] for s in listed if s["id"] == str(server.id)] == [2]


class TestCapacity:
    async def test_pick_server_prefers_free_places_and_skips_unusable(self, session: AsyncSession) -> None:
        location = await create_location(session)
        busy = await create_server(session, location, name="a-busy", max_users=10)
        roomy = await create_server(session, location, name="b-roomy", max_users=10)
        await create_server(session, location, name="c-down", max_users=100, health=ServerHealth.down)
        await create_server(session, location, name="d-off", max_users=100, is_active=False)
        user = await create_user(session)
        for _ in range(3):
            await create_subscription(session, user, location, busy)
        assert [x.server.name for x in await server_loads(session, location.id)] == ["b-roomy", "a-busy"]
        assert (await pick_server(session, location.id)) == roomy
        assert (await pick_server(session, location.id, exclude=[roomy.id])) == busy
        assert await pick_server(session, location.id, exclude=[roomy.id, busy.id]) is None

    async def test_last_place_is_sold_once(self, committed_sessionmaker: Sessions) -> None:
        async with unit_of_work(committed_sessionmaker) as s:
            location = await create_location(s)
            await create_server(s, location, max_users=1)
            users = [await create_user(s) for _ in range(6)]

        async def buy(user_id: uuid.UUID) -> str:
            try:
                async with unit_of_work(committed_sessionmaker) as s:
                    from app.models import Location, User

                    user, loc = await s.get(User, user_id), await s.get(Location, location.id)
                    await create_pending_subscription(s, user, None, loc, duration_days=30)  # type: ignore[arg-type]
            except LocationFull:
                return "full"
            return "sold"

        outcomes = await asyncio.gather(*(buy(u.id) for u in users))
        assert sorted(outcomes) == ["full"] * 5 + ["sold"]


def gauge(name: str, server: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"server": server})


class TestHealth:
    async def test_down_after_repeated_failures_and_up_on_recovery(
        self, committed_sessionmaker: Sessions, redis: ArqRedis
    ) -> None:
        healthy, sick = XuiFake(mode="v3.1"), MarzbanFake()
        settings = worker_settings(panel_down_after_failures=2)
        ctx: dict[str, Any] = {"settings": settings, "sessionmaker": committed_sessionmaker, "redis": redis}
        async with serving(healthy) as ok_url, serving(sick) as sick_url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s)
                good = await xui_server(s, location, healthy, ok_url, name="hc-good")
                bad = await marzban_server(s, location, sick, sick_url, name="hc-bad")
            sick.faults.fail_all = True
            try:
                assert await server_tasks.health_check(ctx) == {"hc-good": "ok", "hc-bad": "unknown"}
                assert await server_tasks.health_check(ctx) == {"hc-good": "ok", "hc-bad": "down"}
                assert await server_tasks.health_check(ctx) == {"hc-good": "ok", "hc-bad": "down"}
                assert gauge("vpnshop_panel_up", "hc-bad") == 0 and gauge("vpnshop_panel_up", "hc-good") == 1
                alerts = [
                    j.args[0] for j in await redis.queued_jobs() if j.function == "notifications.alert_admins"
                ]
                assert alerts == ["alert_server_down"]
                sick.faults.heal()
                assert await server_tasks.health_check(ctx) == {"hc-good": "ok", "hc-bad": "ok"}
                alerts = [
                    j.args[0] for j in await redis.queued_jobs() if j.function == "notifications.alert_admins"
                ]
                assert sorted(alerts) == ["alert_server_down", "alert_server_up"]
            finally:
                await ctx["panels"].aclose()
        async with committed_sessionmaker() as s:
            good_row, bad_row = await s.get(Server, good.id), await s.get(Server, bad.id)
            assert good_row is not None and bad_row is not None
            assert good_row.api_generation == "v3.1" and good_row.panel_version == "3.1+"
            assert good_row.last_latency_ms is not None and good_row.last_error is None
            assert bad_row.health is ServerHealth.ok and bad_row.consecutive_failures == 0
            assert bad_row.panel_version == "0.8.4"

    async def test_health_job_runs_in_the_worker(
        self, committed_sessionmaker: Sessions, redis: ArqRedis
    ) -> None:
        fake = XuiFake(mode="legacy")
        async with serving(fake) as url:
            async with unit_of_work(committed_sessionmaker) as s:
                server = await xui_server(s, await create_location(s), fake, url)
            await redis.enqueue_job("servers.health_check", _job_id="hc-once")
            worker = await run_worker_burst(worker_settings())
        assert worker.jobs_complete >= 1 and worker.jobs_failed == 0
        async with committed_sessionmaker() as s:
            row = await s.get(Server, server.id)
            assert row is not None and row.health is ServerHealth.ok and row.api_generation == "legacy"


@pytest.mark.parametrize("health", [ServerHealth.unknown, ServerHealth.ok])
async def test_new_and_healthy_servers_take_customers(session: AsyncSession, health: ServerHealth) -> None:
    location = await create_location(session)
    server = await create_server(session, location, health=health)
    assert await pick_server(session, location.id) == server


class TestBootstrap:
    async def test_servers_from_environment_are_created_once(self, session: AsyncSession) -> None:
        import json

        from app.servers.bootstrap import bootstrap_servers
        from tests.conftest import make_settings

        xui = [
            {
                "name": "nl-boot",
                "location": "Netherlands",
                "country_code": "nl",
                "url": "https://nl.example.com:2053/abc/",
                "username": "admin",
                "password": "secret-pass",
                "inbound_ids": [1, 2],
                "sub_url": "https://nl.example.com:2096/sub/",
            }
        ]
        marzban = [
            {
                "name": "de-boot",
                "location": "Germany",
                "url": "https://de.example.com/dashboard/",
                "username": "a",
                "password": "b",
                "proxies": {"vless": {}},
            }
        ]
        settings = make_settings(three_xui_panels=json.dumps(xui), marzban_panels=json.dumps(marzban))
        assert await bootstrap_servers(session, settings) == 2
        assert await bootstrap_servers(session, settings) == 0
        nl = await session.scalar(select(Server).where(Server.name == "nl-boot"))
        de = await session.scalar(select(Server).where(Server.name == "de-boot"))
        assert nl is not None and nl.settings["inbound_ids"] == [1, 2] and nl.password == "secret-pass"
        assert de is not None and de.settings["inbounds"] == {"vless": []}
        with pytest.raises(SystemExit, match="THREE_XUI_PANELS"):
            await bootstrap_servers(session, make_settings(three_xui_panels="{not json"))
        bad = [{**xui[0], "name": "other", "inbound_ids": []}]
        with pytest.raises(SystemExit, match="invalid settings"):
            await bootstrap_servers(session, make_settings(three_xui_panels=json.dumps(bad)))
