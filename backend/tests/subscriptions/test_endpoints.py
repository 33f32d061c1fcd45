"""Customer and staff endpoints of subscriptions, the trial, and the personal `/sub/{token}` link."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.tokens import TokenType, issue_token
from app.config import Settings
from app.kit.time import utcnow
from app.models import AuditLog, Location, Server, Subscription, User
from app.models.enums import AdminRole, ServerHealth, SubscriptionStatus
from app.shop_settings.registry import set_value
from app.subscriptions import reconcile
from app.subscriptions.schemas import DriftItem, DriftReport
from app.subscriptions.settings import TRIAL_DAYS, TRIAL_ENABLED, TRIAL_LOCATION_ID
from tests.factories import (
    admin_headers,
    create_location,
    create_server,
    create_subscription,
    create_tariff,
    create_user,
)

GB = 1024**3


def user_headers(settings: Settings, user: User) -> dict[str, str]:
    token, _ = issue_token(settings, user.id, TokenType.user, 600)
    return {"Authorization": f"Bearer {token}"}


async def setup(session: AsyncSession) -> tuple[Location, Server, User]:
    location = await create_location(session, name="Finland", flag_emoji="🇫🇮", country_code="FI")
    server = await create_server(session, location, name=f"fi-{uuid.uuid4().hex[:6]}")
    return location, server, await create_user(session)


async def queued_functions(redis: ArqRedis) -> list[str]:
    return [j.function for j in await redis.queued_jobs()]


class TestCustomer:
    async def test_list_detail_and_auto_renew(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        location, server, user = await setup(session)
        tariff = await create_tariff(session, name="Month", duration_days=30)
        sub = await create_subscription(
            session,
            user,
            location,
            server,
            tariff_id=tariff.id,
            traffic_used_bytes=3 * GB,
            traffic_limit_bytes=10 * GB,
            device_limit=2,
            config_url="https://fi.example.com:2096/sub/abc",
            share_links="vless://one@fi:443?type=tcp#a\ntrojan://two@fi:2083?type=grpc#b",
            ends_at=utcnow() + timedelta(days=12, hours=1),
        )
        await create_subscription(session, user, location, server, status=SubscriptionStatus.failed)
        headers = user_headers(settings, user)
        resp = await client.get("/api/v1/users/me/subscriptions", headers=headers)
        assert resp.status_code == 200, resp.text
        [item] = resp.json()
        assert item["id"] == str(sub.id) and item["location_name"] == "Finland" and item["flag_emoji"] == "🇫🇮"
        assert item["days_left"] == 13 and item["traffic_used_bytes"] == 3 * GB
        assert item["traffic_limit_bytes"] == 10 * GB and item["device_limit"] == 2
        assert item["config_url"] == "https://fi.example.com:2096/sub/abc" and item["tariff_name"] == "Month"
        assert (
            item["can_auto_renew"] is True
            and item["auto_renew"] is False
            and item["quota_exhausted"] is False
        )

        detail = await client.get(f"/api/v1/users/me/subscriptions/{sub.id}", headers=headers)
        assert detail.json()["links"] == ["vless://one@fi:443?type=tcp#a", "trojan://two@fi:2083?type=grpc#b"]
        patched = await client.patch(
            f"/api/v1/users/me/subscriptions/{sub.id}", json={"auto_renew": True}, headers=headers
        )
        assert patched.status_code == 200 and patched.json()["auto_renew"] is True

        other_headers = user_headers(settings, await create_user(session))
        path = f"/api/v1/users/me/subscriptions/{sub.id}"
        for method in ("get", "patch"):
            resp = await client.request(
                method, path, json={"auto_renew": False} if method == "patch" else None, headers=other_headers
            )
            assert resp.status_code == 404 and resp.json()["error"] == "SubscriptionNotFound"

    async def test_personal_link_when_the_panel_has_none(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        location, server, user = await setup(session)
        trial = await create_subscription(session, user, location, server, is_trial=True)
        [item] = (
            await client.get("/api/v1/users/me/subscriptions", headers=user_headers(settings, user))
        ).json()
        assert (
            item["config_url"] == f"https://shop.test/sub/{user.sub_token}"
            and item["can_auto_renew"] is False
        )
        resp = await client.patch(
            f"/api/v1/users/me/subscriptions/{trial.id}",
            json={"auto_renew": True},
            headers=user_headers(settings, user),
        )
        assert resp.status_code == 400 and resp.json()["error"] == "AutoRenewUnavailable"

    async def test_trial_once_with_clear_errors(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, redis: ArqRedis
    ) -> None:
        _, _, user = await setup(session)
        await set_value(session, TRIAL_DAYS, 5)
        headers = user_headers(settings, user)
        resp = await client.post("/api/v1/users/me/trial", headers=headers)
        assert resp.status_code == 201, resp.text
        assert resp.json()["status"] == "pending" and resp.json()["is_trial"] is True
        sub = await session.get(Subscription, uuid.UUID(resp.json()["id"]))
        assert (
            sub is not None
            and sub.duration_days == 5
            and sub.traffic_limit_bytes == 10 * GB
            and sub.device_limit == 1
        )
        assert "subscriptions.provision" in await queued_functions(redis)
        again = await client.post("/api/v1/users/me/trial", headers=headers)
        assert again.status_code == 409 and again.json()["error"] == "TrialAlreadyUsed"

        await set_value(session, TRIAL_ENABLED, False)
        off = await client.post(
            "/api/v1/users/me/trial", headers=user_headers(settings, await create_user(session))
        )
        assert off.status_code == 400 and off.json()["error"] == "TrialUnavailable"

    async def test_trial_location_full_or_missing(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        empty = await create_location(session)  # no server at all
        empty_id = empty.id
        user = await create_user(session)
        user_id, headers = user.id, user_headers(settings, user)
        resp = await client.post("/api/v1/users/me/trial", headers=headers)
        assert resp.status_code == 400 and "free places" in resp.json()["detail"]
        await set_value(session, TRIAL_LOCATION_ID, str(empty_id))
        resp = await client.post("/api/v1/users/me/trial", headers=headers)
        assert resp.status_code == 409 and resp.json()["error"] == "LocationFull"
        refreshed = await session.get(User, user_id, populate_existing=True)
        assert refreshed is not None and refreshed.trial_used_at is None  # nothing was used up

    async def test_sub_link_and_rotation(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        location, server, user = await setup(session)
        first_end = utcnow() + timedelta(days=3)
        await create_subscription(
            session,
            user,
            location,
            server,
            share_links="vless://a@h:1#x\nvmess://eyJ2IjoiMiJ9",
            traffic_used_bytes=100,
            traffic_limit_bytes=GB,
            ends_at=first_end,
        )
        await create_subscription(
            session,
            user,
            location,
            server,
            share_links="trojan://b@h:2#y",
            traffic_used_bytes=50,
            traffic_limit_bytes=GB,
        )
        await create_subscription(
            session, user, location, server, status=SubscriptionStatus.expired, share_links="ss://z"
        )
        token, headers = user.sub_token, user_headers(settings, user)
        resp = await client.get(f"/sub/{token}")
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
        assert base64.b64decode(resp.text).decode().split("\n") == [
            "vless://a@h:1#x",
            "vmess://eyJ2IjoiMiJ9",
            "trojan://b@h:2#y",
        ]
        assert resp.headers["subscription-userinfo"] == (
            f"upload=0; download=150; total={2 * GB}; expire={int(first_end.timestamp())}"
        )
        assert (
            resp.headers["profile-title"]
            == "base64:" + base64.b64encode(settings.shop_name.encode()).decode()
        )
        assert resp.headers["profile-update-interval"] == "12" and resp.headers["cache-control"] == "no-store"

        rotated = await client.post("/api/v1/users/me/subscription-url/rotate", headers=headers)
        new_url = rotated.json()["subscription_url"]
        assert rotated.status_code == 200 and new_url != f"https://shop.test/sub/{token}"
        assert (await client.get(f"/sub/{token}")).status_code == 404
        assert (await client.get(new_url.removeprefix("https://shop.test"))).status_code == 200
        me = await client.get("/api/v1/users/me", headers=headers)
        assert me.json()["subscription_url"] == new_url

    async def test_sub_link_edge_cases(self, client: AsyncClient, session: AsyncSession) -> None:
        location, server, user = await setup(session)
        token = user.sub_token
        resp = await client.get(f"/sub/{token}")
        assert resp.status_code == 200 and resp.text == ""
        assert resp.headers["subscription-userinfo"] == "upload=0; download=0; total=0; expire=0"
        await create_subscription(session, user, location, server, share_links="vless://a", ends_at=None)
        forever = await client.get(f"/sub/{token}")
        assert forever.headers["subscription-userinfo"] == "upload=0; download=0; total=0; expire=0"
        user.is_blocked = True
        await session.flush()
        assert (await client.get(f"/sub/{token}")).status_code == 404
        unknown = await client.get("/sub/" + "x" * 32)
        assert unknown.status_code == 404 and unknown.json()["error"] == "NotFound"
        assert (await client.get("/sub/short")).status_code == 404


class TestStaff:
    async def test_list_filters_and_views(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        location, server, user = await setup(session)
        soon = await create_subscription(
            session, user, location, server, ends_at=utcnow() + timedelta(days=1)
        )
        later = await create_subscription(
            session, user, location, server, ends_at=utcnow() + timedelta(days=20)
        )
        await create_subscription(
            session, await create_user(session), location, None, status=SubscriptionStatus.pending
        )
        everything = await client.get(
            "/api/v1/admin/subscriptions", params={"location_id": str(location.id)}, headers=headers
        )
        assert everything.json()["total"] == 3
        expiring = await client.get(
            "/api/v1/admin/subscriptions",
            params={
                "expiring_before": (utcnow() + timedelta(days=2)).isoformat(),
                "location_id": str(location.id),
            },
            headers=headers,
        )
        assert [i["id"] for i in expiring.json()["items"]] == [str(soon.id)]
        by_user = await client.get(
            "/api/v1/admin/subscriptions",
            params={"user_id": str(user.id), "sort": "-ends_at", "size": 1},
            headers=headers,
        )
        page = by_user.json()
        assert page["total"] == 2 and page["pages"] == 2 and page["items"][0]["id"] == str(later.id)
        item = page["items"][0]
        assert item["server_name"] == server.name and item["telegram_id"] == user.telegram_id
        assert item["panel_identity"] == later.panel_identity
        pending = await client.get(
            "/api/v1/admin/subscriptions",
            params={"status": "pending", "server_id": str(server.id)},
            headers=headers,
        )
        assert pending.json()["total"] == 0
        found = await client.get(
            "/api/v1/admin/subscriptions", params={"q": soon.panel_identity[-6:]}, headers=headers
        )
        assert [i["id"] for i in found.json()["items"]] == [str(soon.id)]
        soon_id = soon.id
        one = await client.get(f"/api/v1/admin/subscriptions/{soon_id}", headers=headers)
        assert one.status_code == 200 and one.json()["config_url"] is None
        assert (
            await client.get("/api/v1/admin/subscriptions", params={"sort": "secret"}, headers=headers)
        ).status_code == 400
        assert (
            await client.get(f"/api/v1/admin/subscriptions/{uuid.uuid4()}", headers=headers)
        ).status_code == 404
        denied = await client.post(
            f"/api/v1/admin/subscriptions/{soon_id}/extend", json={"days": 1}, headers=headers
        )
        assert denied.status_code == 403

    async def test_extend_pause_resume_are_audited(
        self, client: AsyncClient, session: AsyncSession, redis: ArqRedis
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        location, server, user = await setup(session)
        sub = await create_subscription(session, user, location, server)
        expired = await create_subscription(
            session, user, location, server, status=SubscriptionStatus.expired
        )
        expired_id = expired.id
        end = sub.ends_at
        assert end is not None
        resp = await client.post(
            f"/api/v1/admin/subscriptions/{sub.id}/extend", json={"days": 7}, headers=headers
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["ends_at"].startswith((end + timedelta(days=7)).date().isoformat())
        assert (await client.post(f"/api/v1/admin/subscriptions/{sub.id}/disable", headers=headers)).json()[
            "status"
        ] == "disabled"
        assert (await client.post(f"/api/v1/admin/subscriptions/{sub.id}/enable", headers=headers)).json()[
            "status"
        ] == "active"
        actions = (
            await session.scalars(select(AuditLog.action).where(AuditLog.entity_id == str(sub.id)))
        ).all()
        assert sorted(actions) == ["subscription.disable", "subscription.enable", "subscription.extend"]
        functions = await queued_functions(redis)
        assert (
            functions.count("subscriptions.extend") == 1 and functions.count("subscriptions.sync_client") == 2
        )
        bad = await client.post(
            f"/api/v1/admin/subscriptions/{sub.id}/extend", json={"days": 0}, headers=headers
        )
        assert bad.status_code == 422
        resp = await client.post(f"/api/v1/admin/subscriptions/{expired_id}/enable", headers=headers)
        assert resp.status_code == 409 and resp.json()["error"] == "SubscriptionStateConflict"

    async def test_grant_by_days_or_tariff(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        location, _, user = await setup(session)
        full = await create_location(session)
        other = await create_location(session)
        tariff = await create_tariff(session, duration_days=90, traffic_limit_gb=200, device_limit=3)
        tied = await create_tariff(session, location_id=other.id)
        loc_id, user_id, full_id, tariff_id, tied_id = location.id, user.id, full.id, tariff.id, tied.id
        by_days = await client.post(
            f"/api/v1/admin/users/{user.id}/subscriptions",
            json={"location_id": str(location.id), "days": 14, "traffic_limit_gb": 50},
            headers=headers,
        )
        assert by_days.status_code == 201, by_days.text
        body = by_days.json()
        assert (
            body["status"] == "pending"
            and body["duration_days"] == 14
            and body["traffic_limit_bytes"] == 50 * GB
        )
        by_tariff = await client.post(
            f"/api/v1/admin/users/{user.id}/subscriptions",
            json={"location_id": str(loc_id), "tariff_id": str(tariff_id)},
            headers=headers,
        )
        body = by_tariff.json()
        assert (
            body["duration_days"] == 90
            and body["traffic_limit_bytes"] == 200 * GB
            and body["device_limit"] == 3
        )
        neither = await client.post(
            f"/api/v1/admin/users/{user_id}/subscriptions", json={"location_id": str(loc_id)}, headers=headers
        )
        assert neither.status_code == 422
        unknown = await client.post(
            f"/api/v1/admin/users/{uuid.uuid4()}/subscriptions",
            json={"location_id": str(loc_id), "days": 1},
            headers=headers,
        )
        assert unknown.status_code == 404
        resp = await client.post(
            f"/api/v1/admin/users/{user_id}/subscriptions",
            json={"location_id": str(full_id), "days": 1},
            headers=headers,
        )
        assert resp.status_code == 409 and resp.json()["error"] == "LocationFull"
        resp = await client.post(
            f"/api/v1/admin/users/{user_id}/subscriptions",
            json={"location_id": str(loc_id), "tariff_id": str(tied_id)},
            headers=headers,
        )
        assert resp.status_code == 400 and resp.json()["error"] == "TariffNotForLocation"

    async def test_drift_report_endpoints(
        self, client: AsyncClient, session: AsyncSession, redis: ArqRedis
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        empty = await client.get("/api/v1/admin/reconcile", headers=headers)
        assert empty.json() == {"generated_at": None, "servers": [], "items": []}
        run = await client.post("/api/v1/admin/reconcile/run", headers=headers)
        assert run.status_code == 202 and "subscriptions.reconcile" in await queued_functions(redis)
        server_id = uuid.uuid4()
        items = [
            DriftItem(
                id=f"foreign_client:{server_id}:bob",
                kind="foreign_client",
                server_id=server_id,
                server_name="s",
                identity="bob",
                subscription_id=None,
                detail="x",
                fix=None,
            ),
            DriftItem(
                id=f"orphan_client:{server_id}:u1_0123456789",
                kind="orphan_client",
                server_id=server_id,
                server_name="s",
                identity="u1_0123456789",
                subscription_id=uuid.uuid4(),
                detail="y",
                fix="delete_client",
            ),
        ]
        await reconcile.store_report(redis, DriftReport(generated_at=utcnow(), servers=[], items=items))
        assert len((await client.get("/api/v1/admin/reconcile", headers=headers)).json()["items"]) == 2
        foreign = await client.post(
            "/api/v1/admin/reconcile/fix", json={"item_id": items[0].id}, headers=headers
        )
        assert foreign.status_code == 400 and foreign.json()["error"] == "DriftNotFixable"
        unknown = await client.post("/api/v1/admin/reconcile/fix", json={"item_id": "nope"}, headers=headers)
        assert unknown.status_code == 404
        fix = await client.post("/api/v1/admin/reconcile/fix", json={"item_id": items[1].id}, headers=headers)
        assert fix.status_code == 202 and "subscriptions.reconcile_fix" in await queued_functions(redis)


class TestCatalogAvailability:
    async def test_public_locations_say_when_sold_out(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        roomy = await create_location(session, name="Roomy")
        await create_server(session, roomy, max_users=5)
        full = await create_location(session, name="Full")
        full_server = await create_server(session, full, max_users=1)
        await create_subscription(session, await create_user(session), full, full_server)
        down = await create_location(session, name="Down")
        await create_server(session, down, health=ServerHealth.down)
        waiting = await create_location(session, name="Waiting")  # one place, taken by a pending purchase
        await create_server(session, waiting, max_users=1)
        await create_subscription(
            session, await create_user(session), waiting, None, status=SubscriptionStatus.pending
        )
        await create_location(session, name="Empty")
        resp = await client.get("/api/v1/locations")
        available = {loc["name"]: loc["available"] for loc in resp.json()}
        assert available == {"Roomy": True, "Full": False, "Down": False, "Waiting": False, "Empty": False}

    async def test_balance_cannot_buy_into_a_full_location(self, session: AsyncSession) -> None:
        from app.servers.capacity import LocationFull, location_has_capacity
        from app.subscriptions.service import create_pending_subscription

        location = await create_location(session)
        await create_server(session, location, max_users=1)
        user = await create_user(session, balance=Decimal("0"))
        assert await location_has_capacity(session, location.id)
        await create_pending_subscription(session, user, None, location, duration_days=30)
        assert not await location_has_capacity(session, location.id)
        with pytest.raises(LocationFull):
            await create_pending_subscription(session, user, None, location, duration_days=30)
