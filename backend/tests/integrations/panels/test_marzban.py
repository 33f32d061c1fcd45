"""The Marzban adapter against the strict fake."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from app.integrations.panels import marzban as marzban_module
from app.integrations.panels.base import (
    ClientAlreadyExists,
    ClientNotFound,
    PanelAuthError,
    PanelBadInput,
    PanelTechnicalError,
    PanelTransientError,
)
from app.integrations.panels.marzban import normalise_base
from fakes.marzban import MarzbanFake
from tests.panel_fakes import adapter, marzban_config, serving
from tests.panel_fakes import client_spec as spec

GB = 1024**3


class TestMarzban:
    def test_dashboard_url_is_reduced_to_the_api_root(self) -> None:
        assert normalise_base("https://m.example.com:8000/dashboard/") == "https://m.example.com:8000"
        assert normalise_base("https://m.example.com/panel/dashboard") == "https://m.example.com/panel"
        assert normalise_base("https://m.example.com/") == "https://m.example.com"

    async def test_check_reports_version(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            info = await panel.check()
            assert (info.version, info.api_generation) == ("0.8.4", "v0.8")
            assert panel.version == "0.8.4" and panel.api_generation == "v0.8"
            inbounds = await panel.list_inbounds()
            assert {i.ref for i in inbounds} >= {"VLESS TCP REALITY", "VLESS GRPC", "Trojan TCP"}

    async def test_client_lifecycle(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            state = await panel.create_client(spec())
            user = fake.user("u42_abcdef0123")
            assert user is not None
            # Unix seconds and bytes; both protocols with every inbound ([] = all).
            assert user["expire"] == 1925035200 and user["data_limit"] == 50 * GB
            assert (
                set(user["proxies"]) == {"vless", "trojan"}
                and user["proxies"]["vless"]["flow"] == "xtls-rprx-vision"
            )
            assert state.expires_at == datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
            assert state.credential == user["proxies"]["vless"]["id"]
            assert len(state.links) == 3 and state.links[0].startswith(f"vless://{state.credential}@")
            assert state.config_url is not None and state.config_url.startswith(f"{url}/sub/")
            assert state.device_limit is None  # Marzban 0.8 has no device limit

            with pytest.raises(ClientAlreadyExists):
                await panel.create_client(spec("U42_ABCDEF0123"))  # usernames are case-insensitive

            off = await panel.update_client(spec(enabled=False, traffic_limit_bytes=None, expires_at=None))
            assert off.enabled is False and off.traffic_limit_bytes is None and off.expires_at is None
            assert off.credential == state.credential  # proxies were not sent: credentials kept
            on = await panel.update_client(spec())
            assert on.enabled is True and fake.user("u42_abcdef0123")["status"] == "active"  # type: ignore[index]

            fake.add_traffic("u42_abcdef0123", 5000)
            assert (await panel.get_client("U42_abcdef0123")).used_bytes == 5000
            await panel.reset_traffic("u42_abcdef0123")
            assert (await panel.get_client("u42_abcdef0123")).used_bytes == 0
            assert await panel.share_links("u42_abcdef0123") == state.links

            await panel.delete_client("u42_abcdef0123")
            assert fake.user("u42_abcdef0123") is None
            with pytest.raises(ClientNotFound):
                await panel.get_client("u42_abcdef0123")
            with pytest.raises(ClientNotFound):
                await panel.delete_client("u42_abcdef0123")

    async def test_disabled_on_create(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            state = await panel.create_client(spec(enabled=False))
            assert state.enabled is False and fake.user("u42_abcdef0123")["status"] == "disabled"  # type: ignore[index]

    async def test_delete_answering_500_is_confirmed_by_get(self) -> None:
        fake = MarzbanFake(env_sudo_admin=True)
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            await panel.create_client(spec())
            await panel.delete_client("u42_abcdef0123")
            assert fake.user("u42_abcdef0123") is None
            assert fake.calls.count("DELETE /api/user/u42_abcdef0123") == 1  # never retried blindly

    async def test_failed_delete_of_a_remaining_user_is_reported(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            await panel.create_client(spec())
            fake.faults.fail_next = 1
            with pytest.raises(PanelTransientError):
                await panel.delete_client("u42_abcdef0123")
            assert fake.user("u42_abcdef0123") is not None

    async def test_expired_token_is_renewed_once(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            await panel.check()
            fake.expire_tokens()
            await panel.create_client(spec())
            assert fake.token_requests == 2

    async def test_wrong_credentials_and_url(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url:
            async with adapter(marzban_config(url, fake, password="nope")) as panel:
                with pytest.raises(PanelAuthError, match="wrong admin"):
                    await panel.check()
            async with adapter(marzban_config(url, fake, url=url + "/nothing/here")) as panel:
                with pytest.raises(PanelAuthError, match="URL"):
                    await panel.check()

    async def test_422_and_400_are_bad_input_with_the_field(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url:
            settings = {"proxies": {"vless": {}}, "inbounds": {"vless": ["NO SUCH TAG"]}}
            async with adapter(marzban_config(url, fake, settings=settings)) as panel:
                with pytest.raises(PanelBadInput, match="inbounds: Value error, Inbound NO SUCH TAG"):
                    await panel.create_client(spec())
            fake.inbounds["shadowsocks"] = []
            settings = {"proxies": {"shadowsocks": {}}, "inbounds": {"shadowsocks": []}}
            async with adapter(marzban_config(url, fake, settings=settings)) as panel:
                with pytest.raises(PanelBadInput, match="disabled on your server"):
                    await panel.create_client(spec())
            async with adapter(marzban_config(url, fake)) as panel:
                with pytest.raises(PanelBadInput, match="username"):
                    await panel.create_client(spec("ab"))

    async def test_paged_listing_and_onlines(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(marzban_module, "PAGE", 2)
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            for n in range(5):
                await panel.create_client(spec(f"u1_{n:010d}"))
            assert [c.identity for c in await panel.list_clients()] == [f"u1_{n:010d}" for n in range(5)]
            fake.set_online("u1_0000000003")
            assert await panel.online_clients() == ["u1_0000000003"]

    async def test_garbage_and_server_errors_are_technical(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            await panel.check()
            fake.faults.garbage = True
            with pytest.raises(PanelTransientError, match="JSON"):
                await panel.check()
            fake.faults.heal()
            fake.faults.fail_all = True
            with pytest.raises(PanelTechnicalError):
                await panel.list_clients()


class TestFakeIsStrict:
    async def test_token_endpoint_takes_only_forms(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, httpx.AsyncClient(base_url=url) as http:
            resp = await http.post(
                "/api/admin/token", json={"username": "admin", "password": "admin-password"}
            )
            assert resp.status_code == 422
            assert resp.json() == {"detail": {"username": "Field required", "password": "Field required"}}
            assert (await http.get("/api/system")).json() == {"detail": "Not authenticated"}
            bad = await http.get("/api/system", headers={"Authorization": "Bearer nope"})
            assert bad.status_code == 401 and bad.json() == {"detail": "Could not validate credentials"}

    async def test_leaving_inbounds_out_gives_no_links(self) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url, httpx.AsyncClient(base_url=url) as http:
            token = (
                await http.post("/api/admin/token", data={"username": "admin", "password": "admin-password"})
            ).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            resp = await http.post(
                "/api/user", json={"username": "trap_user", "proxies": {"vless": {}}}, headers=headers
            )
            assert resp.status_code == 200 and resp.json()["links"] == []
            resp = await http.post("/api/user", json={"username": "no_proxies"}, headers=headers)
            assert resp.status_code == 500 and fake.user("no_proxies") is not None
            resp = await http.put("/api/user/trap_user", json={"status": "expired"}, headers=headers)
            assert resp.json() == {"detail": {"status": "Input should be 'active', 'disabled' or 'on_hold'"}}
