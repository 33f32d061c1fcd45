"""The 3x-ui adapter against the strict fake, in each API generation, base-path form and auth scheme."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.integrations.panels.base import (
    ClientAlreadyExists,
    ClientNotFound,
    PanelAuthError,
    PanelBadInput,
    PanelTechnicalError,
    PanelTransientError,
)
from app.integrations.panels.factory import PanelTuning
from app.integrations.panels.xui import base_identity, map_failure, normalise_base
from fakes.xui import XuiFake
from tests.panel_fakes import FAST, adapter, serving, xui_config
from tests.panel_fakes import client_spec as spec

MODES = ["legacy", "v3.0", "v3.1"]
GB = 1024**3


class TestBasePath:
    @pytest.mark.parametrize(
        ("url", "base"),
        [
            ("https://h:2053", "https://h:2053/"),
            ("https://h:2053/", "https://h:2053/"),
            ("https://h:2053/Ab3dE", "https://h:2053/Ab3dE/"),
            ("https://h:2053/Ab3dE/", "https://h:2053/Ab3dE/"),
            ("https://h:2053//Ab3dE//?x=1", "https://h:2053/Ab3dE/"),
        ],
    )
    def test_normalised_like_the_panel(self, url: str, base: str) -> None:
        assert normalise_base(url) == base

    def test_error_mapping_ignores_the_localized_prefix(self) -> None:
        assert isinstance(map_failure("Что-то пошло не так (Duplicate email: a\n)"), ClientAlreadyExists)
        assert isinstance(
            map_failure("Something went wrong (email already in use: a\n)"), ClientAlreadyExists
        )
        assert isinstance(map_failure("Obtain (record not found)"), ClientNotFound)
        assert isinstance(map_failure("x (client with email a not found\n)"), ClientNotFound)
        assert isinstance(map_failure("Something went wrong (empty client ID\n)"), ClientNotFound)
        err = map_failure("Something went wrong (at least one inbound is required\n)")
        assert isinstance(err, PanelBadInput) and str(err) == "at least one inbound is required"
        assert base_identity("u1_ab-in3") == "u1_ab" and base_identity("alice-2") == "alice-2"


@pytest.mark.parametrize("mode", MODES)
class TestEachGeneration:
    async def test_detects_generation_with_any_base_path_form(self, mode: str) -> None:
        fake = XuiFake(mode=mode, base_path="/Ab3dE9xYz/")  # type: ignore[arg-type]
        async with serving(fake) as url:
            for written in ("Ab3dE9xYz", "/Ab3dE9xYz", "Ab3dE9xYz/"):
                async with adapter(xui_config(url, fake, url=f"{url}/{written.strip('/')}")) as panel:
                    info = await panel.check()
                    assert info.api_generation == mode.replace("legacy", "legacy")
                    assert info.version == {"legacy": "2.x", "v3.0": "3.0.x", "v3.1": "3.1+"}[mode]
                    assert info.core_version == "25.10.15"
                    assert panel.api_generation == mode

    async def test_client_lifecycle(self, mode: str) -> None:
        fake = XuiFake(mode=mode, seed_foreign_client=True)  # type: ignore[arg-type]
        async with serving(fake) as url, adapter(xui_config(url, fake)) as panel:
            state = await panel.create_client(spec())
            assert state.identity == "u42_abcdef0123"
            assert state.expires_at == datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
            assert state.traffic_limit_bytes == 50 * GB and state.device_limit == 2 and state.enabled
            assert state.credential and state.sub_id
            assert state.config_url == f"https://vpn.example.com:2096/sub/{state.sub_id}"
            [(inbound_id, stored)] = fake.find("U42_ABCDEF0123")
            # The panel's units: bytes, milliseconds, an integer Telegram id.
            assert inbound_id == 1 and stored["totalGB"] == 50 * GB
            assert stored["expiryTime"] == 1925035200000 and stored["limitIp"] == 2 and stored["tgId"] == 42
            assert stored["id"] == state.credential

            with pytest.raises(ClientAlreadyExists):
                await panel.create_client(spec())

            later = datetime(2032, 6, 1, tzinfo=UTC)
            updated = await panel.update_client(
                spec(expires_at=later, traffic_limit_bytes=None, device_limit=None, enabled=False)
            )
            assert updated.expires_at == later and updated.traffic_limit_bytes is None
            assert updated.enabled is False and updated.credential == state.credential
            assert updated.sub_id == state.sub_id
            stored = fake.find("u42_abcdef0123")[0][1]
            assert stored["enable"] is False and stored["totalGB"] == 0 and stored["id"] == state.credential

            fake.add_traffic("u42_abcdef0123", up=1000, down=4000)
            assert (await panel.get_client("u42_abcdef0123")).used_bytes == 5000
            await panel.reset_traffic("u42_abcdef0123")
            assert (await panel.get_client("u42_abcdef0123")).used_bytes == 0

            assert sorted(c.identity for c in await panel.list_clients()) == ["owner-phone", "u42_abcdef0123"]
            await panel.delete_client("u42_abcdef0123")
            assert fake.find("u42_abcdef0123") == []
            with pytest.raises(ClientNotFound):
                await panel.get_client("u42_abcdef0123")
            with pytest.raises(ClientNotFound):
                await panel.delete_client("u42_abcdef0123")
            with pytest.raises(ClientNotFound):
                await panel.update_client(spec())

    async def test_onlines_null_and_list(self, mode: str) -> None:
        fake = XuiFake(mode=mode)  # type: ignore[arg-type]
        async with (
            serving(fake) as url,
            adapter(xui_config(url, fake, settings={"inbound_ids": [1, 3]})) as panel,
        ):
            assert await panel.online_clients() == []  # the panel answers `obj: null`
            await panel.create_client(spec())
            fake.online.update(
                {"u42_abcdef0123", "u42_abcdef0123-in3"} if mode != "v3.1" else {"u42_abcdef0123"}
            )
            assert await panel.online_clients() == ["u42_abcdef0123"]

    @pytest.mark.parametrize("style", ["redirect", "hidden", "xhr401"])
    async def test_expired_session_logs_in_again(self, mode: str, style: str) -> None:
        fake = XuiFake(mode=mode, unauth_style=style)  # type: ignore[arg-type]
        async with serving(fake) as url, adapter(xui_config(url, fake)) as panel:
            await panel.create_client(spec())
            assert fake.logins == 1
            fake.expire_sessions()
            await panel.update_client(
                spec(enabled=False)
            )  # a POST: needs the session and on v3 the CSRF token
            assert fake.logins == 2
            assert fake.find("u42_abcdef0123")[0][1]["enable"] is False

    async def test_wrong_password_is_an_auth_error_without_retries(self, mode: str) -> None:
        fake = XuiFake(mode=mode)  # type: ignore[arg-type]
        async with serving(fake) as url, adapter(xui_config(url, fake, password="wrong")) as panel:
            with pytest.raises(PanelAuthError, match="wrong username or password"):
                await panel.check()
            assert fake.failed_logins == 1  # 3x-ui blocks an IP after repeated failures

    async def test_wrong_base_path_says_so(self, mode: str) -> None:
        fake = XuiFake(mode=mode, base_path="/secret/")  # type: ignore[arg-type]
        async with serving(fake) as url, adapter(xui_config(url, fake, url=url + "/other/")) as panel:
            with pytest.raises(PanelAuthError, match="base path"):
                await panel.check()

    async def test_inbounds_and_unknown_inbound(self, mode: str) -> None:
        fake = XuiFake(mode=mode)  # type: ignore[arg-type]
        async with serving(fake) as url:
            async with adapter(xui_config(url, fake)) as panel:
                inbounds = await panel.list_inbounds()
                assert [(i.ref, i.protocol, i.port) for i in inbounds] == [
                    ("1", "vless", 443),
                    ("2", "vmess", 8443),
                    ("3", "trojan", 2083),
                    ("4", "shadowsocks", 1080),
                ]
            async with adapter(xui_config(url, fake, settings={"inbound_ids": [99]})) as panel:
                with pytest.raises(PanelBadInput, match="99"):
                    await panel.create_client(spec())


class TestLegacyQuirks:
    @pytest.mark.parametrize("mode", ["legacy", "v3.0"])
    async def test_one_email_per_inbound_with_protocol_credentials(self, mode: str) -> None:
        fake = XuiFake(mode=mode)  # type: ignore[arg-type]
        async with serving(fake) as url:
            config = xui_config(url, fake, settings={"inbound_ids": [1, 2, 3, 4], "flow": "xtls-rprx-vision"})
            async with adapter(config) as panel:
                state = await panel.create_client(spec())
                found = dict(fake.clients())
                assert sorted(c["email"] for c in found.values()) == [
                    "u42_abcdef0123",
                    "u42_abcdef0123-in2",
                    "u42_abcdef0123-in3",
                    "u42_abcdef0123-in4",
                ]
                assert found[1]["id"] == found[2]["id"] == state.credential  # vless and vmess: the UUID
                assert found[1]["flow"] == "xtls-rprx-vision" and "flow" not in found[2]
                assert len(found[3]["password"]) == 32  # trojan: a password
                assert len(base64.b64decode(found[4]["password"])) == 32  # shadowsocks 2022: a 32-byte key
                assert len({c["subId"] for c in found.values()}) == 1  # one subscription for all
                assert state.inbounds == ["1", "2", "3", "4"]
                assert len(state.links) == 4

                # Update and delete are keyed by each protocol's credential (trojan: password, ss: email).
                await panel.update_client(spec(enabled=False))
                assert all(c["enable"] is False for _, c in fake.clients())
                fake.add_traffic("u42_abcdef0123-in3", 10, 20)
                assert (await panel.get_client("u42_abcdef0123")).used_bytes == 30
                # Inbound 1 has another client, so ours is deleted there; on the others it is the last
                # client, which legacy panels refuse to delete: it stays, switched off.
                fake._attach(
                    1, {"id": "5b0c6f2e-0000-4000-8000-000000000001", "email": "owner", "enable": True}
                )
                await panel.delete_client("u42_abcdef0123")
                left = {c["email"]: c["enable"] for _, c in fake.clients()}
                assert left == {
                    "owner": True,
                    "u42_abcdef0123-in2": False,
                    "u42_abcdef0123-in3": False,
                    "u42_abcdef0123-in4": False,
                }

    async def test_partial_creation_is_completed_not_duplicated(self) -> None:
        fake = XuiFake(mode="legacy")
        async with serving(fake) as url:
            async with adapter(xui_config(url, fake, settings={"inbound_ids": [1]})) as panel:
                first = await panel.create_client(spec())
            # The job crashed after the first inbound; the retry runs with both inbounds configured.
            async with adapter(xui_config(url, fake, settings={"inbound_ids": [1, 3]})) as panel:
                state = await panel.create_client(spec())
                assert sorted(c["email"] for _, c in fake.clients()) == [
                    "u42_abcdef0123",
                    "u42_abcdef0123-in3",
                ]
                assert state.sub_id == first.sub_id
                with pytest.raises(ClientAlreadyExists):
                    await panel.create_client(spec())

    async def test_last_client_of_an_inbound_is_switched_off(self) -> None:
        fake = XuiFake(mode="legacy")
        async with serving(fake) as url, adapter(xui_config(url, fake)) as panel:
            await panel.create_client(spec())
            await panel.delete_client("u42_abcdef0123")  # "no client remained in Inbound"
            [(_, client)] = fake.clients()
            assert client["enable"] is False

    async def test_legacy_links_are_built_from_the_inbound(self) -> None:
        fake = XuiFake(mode="legacy")
        async with serving(fake) as url:
            settings = {
                "inbound_ids": [1, 2, 3, 4],
                "flow": "xtls-rprx-vision",
                "sub_url": "https://vpn.example.com:2096/sub/",
            }
            async with adapter(xui_config(url, fake, settings=settings)) as panel:
                state = await panel.create_client(spec())
                links = await panel.share_links("u42_abcdef0123")
        assert links == state.links
        vless, vmess, trojan, ss = links
        parts = urlsplit(vless)
        assert parts.scheme == "vless" and parts.username == state.credential
        assert parts.hostname == "vpn.example.com" and parts.port == 443
        query = parse_qs(parts.query)
        assert list(parse_qs(parts.query, keep_blank_values=True)) == sorted(query)  # Go sorts the keys
        assert query["security"] == ["reality"] and query["pbk"] == ["Zk9PbGlrZXlFeGFtcGxlS2V5"]
        assert query["sni"] == ["www.example.com"] and query["sid"] == ["6ba85179"]
        assert query["flow"] == ["xtls-rprx-vision"] and query["encryption"] == ["none"]
        assert parts.fragment == "NL-vless-u42_abcdef0123"
        body = json.loads(base64.b64decode(vmess.removeprefix("vmess://")))
        assert body["id"] == state.credential and body["net"] == "ws" and body["tls"] == "tls"
        assert body["path"] == "/ws" and body["host"] == "cdn.example.com" and body["port"] == 8443
        assert trojan.startswith("trojan://") and "serviceName=tr" in trojan and "type=grpc" in trojan
        userinfo = base64.b64decode(urlsplit(ss).username or "").decode()
        method, server_key, client_key = userinfo.split(":")
        assert method == "2022-blake3-aes-256-gcm" and server_key == base64.b64encode(b"s" * 32).decode()
        assert len(base64.b64decode(client_key)) == 32

    async def test_fake_refuses_settings_as_object_on_legacy(self) -> None:
        fake = XuiFake(mode="legacy")
        async with serving(fake) as url, httpx.AsyncClient(base_url=url) as http:
            await http.post("/login", data={"username": fake.username, "password": fake.password})
            resp = await http.post(
                "/panel/api/inbounds/addClient",
                json={"id": 1, "settings": {"clients": [{"id": "x", "email": "a"}]}},
            )
            assert resp.status_code == 200 and resp.json()["success"] is False
            resp = await http.post(
                "/panel/api/clients/add", json={"client": {"email": "a"}, "inboundIds": [1]}
            )
            assert resp.status_code == 404  # the v3.1 API does not exist on a legacy panel


class TestV3:
    async def test_bearer_token_alone_is_enough(self) -> None:
        fake = XuiFake(mode="v3.1", api_token="tok-1234567890")
        async with serving(fake) as url:
            config = xui_config(url, fake, username=None, password=None, api_token="tok-1234567890")
            async with adapter(config) as panel:
                await panel.create_client(spec())
                assert fake.logins == 0
            bad = xui_config(url, fake, username=None, password=None, api_token="wrong-token-value")
            async with adapter(bad) as panel:
                with pytest.raises(PanelAuthError, match="API token"):
                    await panel.check()

    async def test_token_on_a_legacy_panel_falls_back_or_explains(self) -> None:
        fake = XuiFake(mode="legacy")
        async with serving(fake) as url:
            async with adapter(xui_config(url, fake, api_token="tok-1234567890")) as panel:
                await panel.check()
                assert fake.logins == 1
            only_token = xui_config(url, fake, username=None, password=None, api_token="tok-1234567890")
            async with adapter(only_token) as panel:
                with pytest.raises(PanelAuthError, match=r"3\.0 or newer"):
                    await panel.check()

    async def test_csrf_is_required_for_cookie_sessions(self) -> None:
        fake = XuiFake(mode="v3.0")
        async with serving(fake) as url, httpx.AsyncClient(base_url=url) as http:
            resp = await http.post("/login", data={"username": fake.username, "password": fake.password})
            assert resp.status_code == 403 and resp.content == b""
            token = (await http.get("/csrf-token")).json()["obj"]
            resp = await http.post(
                "/login",
                data={"username": fake.username, "password": fake.password},
                headers={"X-CSRF-Token": token},
            )
            assert resp.json()["success"] is True
            assert (await http.post("/panel/api/inbounds/onlines")).status_code == 403
            ok = await http.post("/panel/api/inbounds/onlines", headers={"X-CSRF-Token": token})
            assert ok.json() == {"success": True, "msg": "", "obj": None}

    async def test_update_keeps_what_the_replacement_would_drop(self) -> None:
        fake = XuiFake(mode="v3.1")
        async with (
            serving(fake) as url,
            adapter(
                xui_config(url, fake, settings={"inbound_ids": [1, 3], "flow": "xtls-rprx-vision"})
            ) as panel,
        ):
            created = await panel.create_client(spec())
            [(_, vless), (_, trojan)] = fake.find("u42_abcdef0123")
            assert vless["flow"] == "xtls-rprx-vision" and "flow" not in trojan
            await panel.update_client(spec(device_limit=5))
            [(_, vless), (_, trojan)] = fake.find("u42_abcdef0123")
            assert vless["enable"] is True and vless["limitIp"] == 5 and vless["totalGB"] == 50 * GB
            assert vless["subId"] == created.sub_id and vless["id"] == created.credential
            assert vless["flow"] == "xtls-rprx-vision" and vless["tgId"] == 42
            links = await panel.share_links("u42_abcdef0123")
            assert links[0].startswith(f"vless://{created.credential}@") and links[1].startswith("trojan://")

    async def test_disabled_on_create_is_applied_after_the_forced_enable(self) -> None:
        fake = XuiFake(mode="v3.1")
        async with serving(fake) as url, adapter(xui_config(url, fake)) as panel:
            state = await panel.create_client(spec(enabled=False))
            assert state.enabled is False and fake.find("u42_abcdef0123")[0][1]["enable"] is False

    async def test_panel_upgraded_after_detection(self) -> None:
        fake = XuiFake(mode="v3.1")
        async with serving(fake) as url, adapter(xui_config(url, fake, api_generation="v3.0")) as panel:
            # The server row still says v3.0; the legacy routes are gone, so the adapter probes again.
            await panel.create_client(spec())
            assert panel.api_generation == "v3.1" and len(fake.find("u42_abcdef0123")) == 1


class TestFaults:
    async def test_transient_500_is_retried(self) -> None:
        fake = XuiFake(mode="v3.1")
        async with serving(fake) as url, adapter(xui_config(url, fake)) as panel:
            await panel.check()
            fake.faults.fail_next = 2
            assert await panel.list_inbounds()

    async def test_persistent_failures_are_technical(self) -> None:
        fake = XuiFake(mode="legacy")
        async with serving(fake) as url, adapter(xui_config(url, fake)) as panel:
            fake.faults.fail_all = True
            with pytest.raises(PanelTransientError, match="HTTP 500"):
                await panel.check()
            fake.faults.heal()
            fake.faults.garbage = True
            with pytest.raises(PanelTransientError, match="JSON"):
                await panel.check()

    async def test_hang_beyond_timeout(self) -> None:
        fake = XuiFake(mode="v3.1")
        tuning = PanelTuning(
            timeout=0.3, connect_timeout=0.3, max_parallel=4, retry_attempts=2, retry_backoff=0
        )
        async with serving(fake) as url, adapter(xui_config(url, fake), tuning) as panel:
            fake.faults.hang = True
            with pytest.raises(PanelTransientError, match="timed out"):
                await panel.check()

    async def test_parallelism_is_bounded_per_server(self) -> None:
        import asyncio

        fake = XuiFake(mode="v3.1")
        fake.faults.max_parallel = 2  # the panel answers 503 beyond two requests at once
        tuning = PanelTuning(timeout=5, connect_timeout=1, max_parallel=2, retry_attempts=1, retry_backoff=0)
        async with serving(fake) as url, adapter(xui_config(url, fake), tuning) as panel:
            await panel.check()
            fake.faults.latency = 0.05
            await asyncio.gather(*(panel.create_client(spec(f"u1_{n:010d}")) for n in range(8)))
            assert fake.faults.peak_parallel <= 2
            assert len(fake.clients()) == 8

    async def test_overload_503_is_retried(self) -> None:
        import asyncio

        fake = XuiFake(mode="v3.1")
        fake.faults.max_parallel = 1
        tuning = PanelTuning(
            timeout=5, connect_timeout=1, max_parallel=4, retry_attempts=6, retry_backoff=0.01
        )
        async with serving(fake) as url, adapter(xui_config(url, fake), tuning) as panel:
            await panel.check()
            fake.faults.latency = 0.02
            results = await asyncio.gather(*(panel.list_inbounds() for _ in range(4)))
            assert all(len(r) == 4 for r in results)

    async def test_unreachable_panel(self) -> None:
        fake = XuiFake()
        async with adapter(xui_config("http://127.0.0.1:9", fake), FAST) as panel:
            with pytest.raises(PanelTechnicalError):
                await panel.check()
