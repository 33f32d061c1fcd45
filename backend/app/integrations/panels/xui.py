"""3x-ui adapter: both client APIs (legacy v2.x-v3.0 and the v3.1+ `/panel/api/clients/*`), any base path.

Authentication is a cookie session (`3x-ui` cookie; from v3.0 a CSRF token on every unsafe request)
or, from v3.0, a Bearer API token. The API generation is probed once and remembered by the caller
(`servers.api_generation`); a panel upgraded later is noticed when its old routes disappear.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import string
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
import structlog

from app.integrations.panels.base import (
    ClientAlreadyExists,
    ClientNotFound,
    ClientSpec,
    ClientState,
    PanelAuthError,
    PanelBadInput,
    PanelConfig,
    PanelInbound,
    PanelInfo,
    PanelLogicalError,
    PanelTechnicalError,
    PanelTransientError,
)
from app.integrations.panels.http import PanelHttp
from app.integrations.panels.xui_links import build_links, parse_json_field
from app.models.enums import PanelType

log = structlog.get_logger(__name__)

T = TypeVar("T")

GEN_LEGACY = "legacy"  # v2.x: cookie session, per-inbound client API
GEN_V30 = "v3.0"  # same client API; CSRF on cookie sessions, or a Bearer API token
GEN_V31 = "v3.1"  # client-centric /panel/api/clients/* (legacy client routes removed)
GENERATIONS = (GEN_LEGACY, GEN_V30, GEN_V31)
VERSION_LABELS = {GEN_LEGACY: "2.x", GEN_V30: "3.0.x", GEN_V31: "3.1+"}

# On a legacy panel an email is unique across all inbounds, so the same customer on a second inbound
# gets `<identity>-in<inbound id>`; all of them share the credential and subId.
_EXTRA_EMAIL = re.compile(r"^(?P<base>.+)-in\d+$")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_SUB_ID_ALPHABET = string.ascii_lowercase + string.digits


class _RouteMissing(Exception):
    """A route answered 404 even on a fresh session: the panel runs another API generation."""


def normalise_base(url: str) -> str:
    """`https://h:2053/secret` -> `https://h:2053/secret/`: the base path always starts and ends with `/`."""
    parsed = httpx.URL(url.strip())
    path = parsed.path.strip("/")
    base_path = f"/{path}/" if path else "/"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{base_path}"


def base_identity(email: str) -> str:
    """The identity a panel email belongs to (`u1_ab-in3` -> `u1_ab`)."""
    match = _EXTRA_EMAIL.match(email)
    return match.group("base") if match else email


def ms_to_datetime(value: Any) -> datetime | None:
    """3x-ui expiry (ms; 0 = never, negative = counted from first use) to a datetime."""
    try:
        ms = int(value or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(ms / 1000, UTC) if ms > 0 else None


def datetime_to_ms(value: datetime | None) -> int:
    """A datetime to 3x-ui's milliseconds (0 = never)."""
    return int(value.timestamp() * 1000) if value is not None else 0


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _error_text(msg: str) -> str:
    # "<localized prefix> (<error>\n)" -> "<error>"; the prefix depends on the panel's language.
    match = re.search(r"\((.*)\)\s*$", msg, re.S)
    return (match.group(1) if match else msg).strip()


def map_failure(msg: str) -> PanelLogicalError:
    """An HTTP 200 `success:false` answer as one of our logical errors (never by the localized prefix)."""
    text = _error_text(msg)
    low = text.lower()
    if "duplicate email" in low or "already in use" in low or "duplicate subid" in low:
        return ClientAlreadyExists(text)
    if "not found" in low or "empty client id" in low:
        return ClientNotFound(text)
    return PanelBadInput(text or "the panel refused the request")


@dataclass
class _Entry:
    """One client of one inbound (legacy panels keep a client per inbound)."""

    inbound: dict[str, Any]
    client: dict[str, Any]
    stats: dict[str, Any]


def _client_key(protocol: str, client: dict[str, Any]) -> str:
    """The `:clientId` of legacy update/delete: the protocol's primary credential."""
    if protocol == "trojan":
        return str(client.get("password") or "")
    if protocol == "shadowsocks":
        return str(client.get("email") or "")
    if protocol == "hysteria":
        return str(client.get("auth") or "")
    return str(client.get("id") or "")


def _credential(client: dict[str, Any]) -> str | None:
    value = client.get("id") or client.get("uuid") or client.get("password") or client.get("auth")
    return str(value) if value else None


class XuiPanel:
    """A 3x-ui panel."""

    def __init__(self, config: PanelConfig, http: PanelHttp) -> None:
        self.config = config
        self._http = http
        self._base = normalise_base(config.url)
        self._gen: str | None = config.api_generation if config.api_generation in GENERATIONS else None
        self._auth: Literal["bearer", "cookie"] | None = None
        self._v3_family: bool | None = None
        self._csrf: str | None = None
        self._epoch = 0
        self._lock = asyncio.Lock()
        inbound_ids = config.settings.get("inbound_ids") or []
        self._inbound_ids = [int(i) for i in inbound_ids]
        self._sub_url = str(config.settings.get("sub_url") or "")
        self._flow = str(config.settings.get("flow") or "")

    # --- what the caller remembers ---------------------------------------------------------------

    @property
    def api_generation(self) -> str | None:
        """legacy, v3.0 or v3.1 once known."""
        return self._gen

    @property
    def version(self) -> str | None:
        """The version range the generation implies (3x-ui's API does not report its version)."""
        return VERSION_LABELS.get(self._gen) if self._gen else None

    # --- transport ---------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self._base + path

    def _headers(self, method: str) -> dict[str, str]:
        # The XHR header makes v3.0.2+ answer 401 instead of a bare 404 to an expired session.
        headers = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
        if self._auth == "bearer" and self.config.api_token:
            headers["Authorization"] = f"Bearer {self.config.api_token}"
        elif self._csrf and method not in _SAFE_METHODS:
            headers["X-CSRF-Token"] = self._csrf
        return headers

    @staticmethod
    def _envelope(resp: httpx.Response) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            raise PanelTransientError(f"HTTP {resp.status_code}: not a JSON answer") from None
        if not isinstance(body, dict) or "success" not in body:
            raise PanelTransientError(f"HTTP {resp.status_code}: not a 3x-ui answer")
        return body

    async def _probe_family(self) -> None:
        """`GET {base}csrf-token` exists from v3.0 on; it also starts the cookie session."""
        resp = await self._http.send("GET", self._url("csrf-token"), headers={"Accept": "application/json"})
        if resp.status_code == 404:
            self._v3_family, self._csrf = False, None
            return
        if resp.status_code != 200:
            raise PanelTransientError(f"csrf-token: HTTP {resp.status_code}")
        body = self._envelope(resp)
        if not body.get("success") or not isinstance(body.get("obj"), str):
            raise PanelTransientError("csrf-token: unexpected answer")
        self._v3_family, self._csrf = True, body["obj"]

    async def _bearer_works(self) -> bool:
        self._auth = "bearer"
        resp = await self._http.send(
            "GET", self._url("panel/api/server/status"), headers=self._headers("GET")
        )
        if resp.status_code == 200:
            return bool(self._envelope(resp).get("success"))
        return False

    async def _cookie_login(self) -> None:
        if not (self.config.username and self.config.password):
            raise PanelAuthError("the panel rejected the API token and no username/password is set")
        self._auth = "cookie"
        headers = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}
        if self._csrf:
            headers["X-CSRF-Token"] = self._csrf
        resp = await self._http.send(
            "POST",
            self._url("login"),
            data={"username": self.config.username, "password": self.config.password},
            headers=headers,
            retry=False,
        )
        if resp.status_code == 404:
            raise PanelAuthError("login page not found: check the panel URL and its secret base path")
        if resp.status_code == 403:
            raise PanelAuthError("login refused (CSRF): the panel is 3.0+ and the token was not accepted")
        if resp.status_code != 200:
            raise PanelTransientError(f"login: HTTP {resp.status_code}")
        if not self._envelope(resp).get("success"):
            raise PanelAuthError("wrong username or password (or too many failed logins)")

    async def _login(self) -> None:
        """Start a fresh session: bearer token on v3.0+, otherwise cookie login (with CSRF on v3.0+)."""
        self._http.client.cookies.clear()
        self._auth, self._csrf = None, None
        await self._probe_family()
        if self.config.api_token and self._v3_family and await self._bearer_works():
            pass
        elif self.config.api_token and not self._v3_family and not self.config.username:
            raise PanelAuthError("API tokens need 3x-ui v3.0 or newer; give username and password")
        else:
            await self._cookie_login()
        self._epoch += 1
        log.info("panel_login", server=self.config.name, auth=self._auth)

    async def _detect(self) -> None:
        """Log in and find the client API generation by probing routes."""
        await self._login()
        if not self._v3_family:
            self._gen = GEN_LEGACY
            return
        resp = await self._http.send("GET", self._url("panel/api/clients/list"), headers=self._headers("GET"))
        if resp.status_code == 200 and self._envelope(resp).get("success"):
            self._gen = GEN_V31
        elif resp.status_code in (200, 404):
            self._gen = GEN_V30
        else:
            raise PanelTransientError(f"clients/list probe: HTTP {resp.status_code}")
        log.info("panel_generation_detected", server=self.config.name, generation=self._gen)

    async def _ensure_session(self) -> None:
        if self._auth is not None and self._gen is not None:
            return
        async with self._lock:
            if self._gen is None:
                await self._detect()
            elif self._auth is None:
                await self._login()

    async def _relogin(self, seen_epoch: int) -> None:
        async with self._lock:
            if self._epoch == seen_epoch:  # nobody else logged in again meanwhile
                await self._login()

    async def _api(
        self, method: str, path: str, *, json_body: Any = None, form: dict[str, Any] | None = None
    ) -> Any:
        """Call `{base}panel/api/<path>` and unwrap `{success, msg, obj}`; re-login once on a lost session."""
        await self._ensure_session()
        for attempt in (1, 2):
            epoch = self._epoch
            resp = await self._http.send(
                method, self._url(path), json=json_body, data=form, headers=self._headers(method)
            )
            if resp.status_code == 200:
                body = self._envelope(resp)
                if body.get("success"):
                    return body.get("obj")
                raise map_failure(str(body.get("msg") or ""))
            # An expired session shows as 401, a redirect to the login page, or (panels that hide the
            # API) a bare 404; a lost CSRF token as 403. One fresh login tells them from a real 404.
            if attempt == 1 and resp.status_code in (401, 302, 303, 307, 403, 404):
                await self._relogin(epoch)
                continue
            if resp.status_code == 404:
                raise _RouteMissing(path)
            if resp.status_code in (401, 403):
                raise PanelAuthError(f"{method} {path}: refused with HTTP {resp.status_code}")
            raise PanelTransientError(f"{method}: unexpected HTTP {resp.status_code}")
        raise AssertionError("unreachable")  # pragma: no cover

    async def _run(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run an operation; if its routes vanished (panel upgraded), detect the generation again once."""
        await self._ensure_session()
        try:
            return await operation()
        except _RouteMissing:
            before = self._gen
            async with self._lock:
                await self._detect()
            if self._gen == before:
                raise PanelTechnicalError("the panel does not answer its API routes") from None
            log.warning("panel_generation_changed", server=self.config.name, before=before, after=self._gen)
            try:
                return await operation()
            except _RouteMissing:
                raise PanelTechnicalError("the panel does not answer its API routes") from None

    # --- reads shared by both generations -----------------------------------------------------------

    async def _raw_inbounds(self) -> list[dict[str, Any]]:
        obj = await self._api("GET", "panel/api/inbounds/list")
        return [i for i in (obj or []) if isinstance(i, dict)]

    def _entries(self, inbounds: list[dict[str, Any]]) -> dict[str, list[_Entry]]:
        """Every client of every inbound, grouped by (lower-case) identity."""
        grouped: dict[str, list[_Entry]] = {}
        for inbound in inbounds:
            stats = {
                str(s.get("email") or "").lower(): s
                for s in inbound.get("clientStats") or []
                if isinstance(s, dict)
            }
            for client in parse_json_field(inbound.get("settings")).get("clients") or []:
                if not isinstance(client, dict) or not client.get("email"):
                    continue
                email = str(client["email"])
                entry = _Entry(inbound, client, stats.get(email.lower(), {}))
                grouped.setdefault(base_identity(email).lower(), []).append(entry)
        return grouped

    def _host(self) -> str:
        source = self._sub_url or self.config.url
        return httpx.URL(source).host

    def subscription_url(self, sub_id: str | None) -> str | None:
        """The panel's own subscription link of a client: the server's `sub_url` + subId."""
        if not sub_id or not self._sub_url:
            return None
        return self._sub_url if self._sub_url.endswith(sub_id) else self._sub_url.rstrip("/") + "/" + sub_id

    def _state(self, identity: str, entries: list[_Entry]) -> ClientState:
        first = entries[0].client
        used = sum(_int(e.stats.get("up")) + _int(e.stats.get("down")) for e in entries)
        sub_id = str(first.get("subId") or "") or None
        links: list[str] = []
        for e in entries:
            links.extend(build_links(e.inbound, e.client, self._host()))
        return ClientState(
            identity=identity,
            credential=_credential(first),
            sub_id=sub_id,
            expires_at=ms_to_datetime(first.get("expiryTime")),
            traffic_limit_bytes=_int(first.get("totalGB")) or None,
            device_limit=_int(first.get("limitIp")) or None,
            enabled=bool(first.get("enable", True)),
            used_bytes=used,
            inbounds=[str(e.inbound.get("id")) for e in entries],
            links=links,
            config_url=self.subscription_url(sub_id),
        )

    # --- the Protocol ---------------------------------------------------------------------------

    async def check(self) -> PanelInfo:
        """Log in (if needed) and read the server status; returns the generation and Xray version."""
        await self._ensure_session()
        core: str | None = None
        try:
            status = await self._api("GET", "panel/api/server/status")
            xray = status.get("xray") if isinstance(status, dict) else None
            core = str(xray.get("version")) if isinstance(xray, dict) and xray.get("version") else None
        except _RouteMissing:
            await self._run(self._raw_inbounds)  # panels before v2.7 have no server API
        assert self._gen is not None
        return PanelInfo(PanelType.xui, self.version, self._gen, core)

    async def list_inbounds(self) -> list[PanelInbound]:
        """The panel's inbounds with their client counts."""
        raw = await self._run(self._raw_inbounds)
        return [
            PanelInbound(
                ref=str(i.get("id")),
                protocol=str(i.get("protocol") or ""),
                port=i.get("port"),
                remark=str(i.get("remark") or ""),
                enabled=bool(i.get("enable", True)),
                clients=len(parse_json_field(i.get("settings")).get("clients") or []),
            )
            for i in raw
        ]

    async def list_clients(self) -> list[ClientState]:
        """Every client of every inbound, one state per identity."""
        grouped = self._entries(await self._run(self._raw_inbounds))
        return [self._state(base_identity(str(e[0].client["email"])), e) for e in grouped.values()]

    async def get_client(self, identity: str) -> ClientState:
        """One client by identity."""

        async def op() -> ClientState:
            if self._gen == GEN_V31:
                return await self._v31_get(identity)
            entries = self._entries(await self._raw_inbounds()).get(identity.lower())
            if not entries:
                raise ClientNotFound(identity)
            return self._state(identity, entries)

        return await self._run(op)

    async def create_client(self, spec: ClientSpec) -> ClientState:
        """Create the client on every configured inbound."""

        async def op() -> ClientState:
            if self._gen == GEN_V31:
                return await self._v31_create(spec)
            return await self._legacy_create(spec)

        state = await self._run(op)
        log.info("vpn_client_created", server=self.config.name, identity=spec.identity, panel="3x-ui")
        return state

    async def update_client(self, spec: ClientSpec) -> ClientState:
        """Set expiry, quota, device limit and enabled; credentials and subId stay."""

        async def op() -> ClientState:
            if self._gen == GEN_V31:
                return await self._v31_update(spec)
            return await self._legacy_update(spec)

        return await self._run(op)

    async def delete_client(self, identity: str) -> None:
        """Remove the client from every inbound."""

        async def op() -> None:
            if self._gen == GEN_V31:
                await self._api("POST", f"panel/api/clients/del/{quote(identity, safe='')}")
            else:
                await self._legacy_delete(identity)

        await self._run(op)
        log.info("vpn_client_deleted", server=self.config.name, identity=identity, panel="3x-ui")

    async def reset_traffic(self, identity: str) -> None:
        """Zero the client's traffic counters."""

        async def op() -> None:
            if self._gen == GEN_V31:
                await self._api("POST", f"panel/api/clients/resetTraffic/{quote(identity, safe='')}")
                return
            entries = self._entries(await self._raw_inbounds()).get(identity.lower())
            if not entries:
                raise ClientNotFound(identity)
            for e in entries:
                email = quote(str(e.client["email"]), safe="")
                await self._api("POST", f"panel/api/inbounds/{e.inbound['id']}/resetClientTraffic/{email}")

        await self._run(op)

    async def online_clients(self) -> list[str]:
        """Identities online now (`onlines` answers null when nobody is)."""

        async def op() -> list[str]:
            path = "panel/api/clients/onlines" if self._gen == GEN_V31 else "panel/api/inbounds/onlines"
            emails = await self._api("POST", path)
            return sorted({base_identity(str(e)) for e in emails or []})

        return await self._run(op)

    async def share_links(self, identity: str) -> list[str]:
        """The client's share links: from the panel on v3.1+, built from the inbounds before."""

        async def op() -> list[str]:
            if self._gen == GEN_V31:
                links = await self._api("GET", f"panel/api/clients/links/{quote(identity, safe='')}")
                return [str(link) for link in links or [] if link]
            entries = self._entries(await self._raw_inbounds()).get(identity.lower())
            if not entries:
                raise ClientNotFound(identity)
            return self._state(identity, entries).links

        return await self._run(op)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    # --- legacy client API (v2.x - v3.0.x) ---------------------------------------------------------

    def _legacy_client(
        self, inbound: dict[str, Any], email: str, spec: ClientSpec, cred: str, password: str, sub_id: str
    ) -> dict[str, Any]:
        protocol = str(inbound.get("protocol") or "")
        stream = parse_json_field(inbound.get("streamSettings"))
        client: dict[str, Any] = {"email": email}
        if protocol == "trojan":
            client["password"] = password
        elif protocol == "shadowsocks":
            method = str(parse_json_field(inbound.get("settings")).get("method") or "")
            client["password"] = _shadowsocks_key(method, password)
            client["method"] = "" if method.startswith("2022") else method
        elif protocol == "hysteria":
            client["auth"] = password
        else:
            client["id"] = cred
        flow_capable = stream.get("network", "tcp") == "tcp" and stream.get("security") in ("tls", "reality")
        if protocol == "vless" and self._flow and flow_capable:
            client["flow"] = self._flow
        client.update(self._limits(spec))
        client.update({"tgId": spec.telegram_id or 0, "subId": sub_id, "comment": spec.note, "reset": 0})
        return client

    @staticmethod
    def _limits(spec: ClientSpec) -> dict[str, Any]:
        return {
            "limitIp": spec.device_limit or 0,
            "totalGB": spec.traffic_limit_bytes or 0,
            "expiryTime": datetime_to_ms(spec.expires_at),
            "enable": spec.enabled,
        }

    async def _legacy_create(self, spec: ClientSpec) -> ClientState:
        inbounds = {int(i.get("id") or 0): i for i in await self._raw_inbounds()}
        missing = [i for i in self._inbound_ids if i not in inbounds]
        if missing:
            raise PanelBadInput(f"inbound {missing[0]} does not exist on the panel")
        existing = self._entries(list(inbounds.values())).get(spec.identity.lower(), [])
        first = existing[0].client if existing else {}
        cred = str(first.get("id") or uuid.uuid4())
        password = str(first.get("password") or secrets.token_hex(16))
        sub_id = str(first.get("subId") or "".join(secrets.choice(_SUB_ID_ALPHABET) for _ in range(16)))
        have = {(int(e.inbound.get("id") or 0), str(e.client["email"]).lower()) for e in existing}
        created = False
        for n, inbound_id in enumerate(self._inbound_ids):
            email = spec.identity if n == 0 else f"{spec.identity}-in{inbound_id}"
            if (inbound_id, email.lower()) in have:
                continue
            client = self._legacy_client(inbounds[inbound_id], email, spec, cred, password, sub_id)
            body = {"id": inbound_id, "settings": json.dumps({"clients": [client]})}
            try:
                await self._api("POST", "panel/api/inbounds/addClient", json_body=body)
            except ClientNotFound as exc:  # "record not found": the inbound vanished meanwhile
                raise PanelBadInput(f"inbound {inbound_id}: {exc}") from exc
            created = True
        if not created:
            raise ClientAlreadyExists(spec.identity)
        entries = self._entries(await self._raw_inbounds()).get(spec.identity.lower())
        if not entries:
            raise PanelTransientError("the created client is not listed by the panel")
        return self._state(spec.identity, entries)

    async def _legacy_update(self, spec: ClientSpec) -> ClientState:
        entries = self._entries(await self._raw_inbounds()).get(spec.identity.lower())
        if not entries:
            raise ClientNotFound(spec.identity)
        for e in entries:
            client = {**e.client, **self._limits(spec)}
            if isinstance(client.get("tgId"), str):  # old UIs stored "" here; the panel wants an int
                client["tgId"] = _int(client["tgId"])
            key = quote(_client_key(str(e.inbound.get("protocol") or ""), e.client), safe="")
            body = {"id": e.inbound["id"], "settings": json.dumps({"clients": [client]})}
            await self._api("POST", f"panel/api/inbounds/updateClient/{key}", json_body=body)
        return await self._legacy_get(spec.identity)

    async def _legacy_get(self, identity: str) -> ClientState:
        entries = self._entries(await self._raw_inbounds()).get(identity.lower())
        if not entries:
            raise ClientNotFound(identity)
        return self._state(identity, entries)

    async def _legacy_delete(self, identity: str) -> None:
        entries = self._entries(await self._raw_inbounds()).get(identity.lower())
        if not entries:
            raise ClientNotFound(identity)
        for e in entries:
            key = quote(_client_key(str(e.inbound.get("protocol") or ""), e.client), safe="")
            try:
                await self._api("POST", f"panel/api/inbounds/{e.inbound['id']}/delClient/{key}")
            except PanelBadInput as exc:
                if "no client remained" not in str(exc).lower():
                    raise
                # Before v3.1 the last client of an inbound cannot be deleted: switch it off instead.
                client = {**e.client, "enable": False}
                body = {"id": e.inbound["id"], "settings": json.dumps({"clients": [client]})}
                await self._api("POST", f"panel/api/inbounds/updateClient/{key}", json_body=body)
                log.warning("panel_last_client_disabled", server=self.config.name, identity=identity)

    # --- v3.1+ client API -------------------------------------------------------------------------

    async def _v31_get(self, identity: str) -> ClientState:
        obj = await self._api("GET", f"panel/api/clients/get/{quote(identity, safe='')}")
        if not isinstance(obj, dict) or not isinstance(obj.get("client"), dict):
            raise ClientNotFound(identity)
        record: dict[str, Any] = obj["client"]
        used = obj.get("usedTraffic")
        if used is None:
            traffic = await self._api("GET", f"panel/api/clients/traffic/{quote(identity, safe='')}")
            used = _int(traffic.get("up")) + _int(traffic.get("down")) if isinstance(traffic, dict) else 0
        sub_id = str(record.get("subId") or "") or None
        return ClientState(
            identity=str(record.get("email") or identity),
            credential=str(record.get("uuid") or record.get("password") or record.get("auth") or "") or None,
            sub_id=sub_id,
            expires_at=ms_to_datetime(record.get("expiryTime")),
            traffic_limit_bytes=_int(record.get("totalGB")) or None,
            device_limit=_int(record.get("limitIp")) or None,
            enabled=bool(record.get("enable", True)),
            used_bytes=_int(used),
            inbounds=[str(i) for i in obj.get("inboundIds") or []],
            config_url=self.subscription_url(sub_id),
        )

    async def _v31_create(self, spec: ClientSpec) -> ClientState:
        client: dict[str, Any] = {
            "email": spec.identity,
            "tgId": spec.telegram_id or 0,
            "subId": "".join(secrets.choice(_SUB_ID_ALPHABET) for _ in range(16)),
            "comment": spec.note,
            "reset": 0,
            "limitHwid": 0,
            **self._limits(spec),
        }
        if self._flow:
            client["flow"] = self._flow  # the panel writes it only on inbounds that support it
        body = {"client": client, "inboundIds": self._inbound_ids}
        try:
            await self._api("POST", "panel/api/clients/add", json_body=body)
        except ClientNotFound as exc:  # "record not found": a configured inbound does not exist
            raise PanelBadInput(f"inbounds {self._inbound_ids}: {exc}") from exc
        state = await self._v31_get(spec.identity)
        if not spec.enabled:  # the panel forces enable=true on create
            state = await self._v31_update(spec)
        return state

    async def _v31_update(self, spec: ClientSpec) -> ClientState:
        obj = await self._api("GET", f"panel/api/clients/get/{quote(spec.identity, safe='')}")
        if not isinstance(obj, dict) or not isinstance(obj.get("client"), dict):
            raise ClientNotFound(spec.identity)
        record: dict[str, Any] = obj["client"]
        # The update replaces the whole client, and GET names the UUID `uuid` (its `id` is the row id),
        # while update wants it as `id`; allowedIPs comes back as a string but must go in as a list,
        # so only the fields we mean to keep are sent.
        body: dict[str, Any] = {
            "email": record.get("email") or spec.identity,
            "id": record.get("uuid") or "",
            "password": record.get("password") or "",
            "auth": record.get("auth") or "",
            "flow": record.get("flow") or "",
            "security": record.get("security") or "",
            "subId": record.get("subId") or "",
            "tgId": _int(record.get("tgId")),
            "comment": record.get("comment") or "",
            "reset": _int(record.get("reset")),
            "limitHwid": _int(record.get("limitHwid")),
            **self._limits(spec),
        }
        await self._api("POST", f"panel/api/clients/update/{quote(spec.identity, safe='')}", json_body=body)
        return await self._v31_get(spec.identity)


def _shadowsocks_key(method: str, password: str) -> str:
    """A client key valid for the inbound's cipher (2022 ciphers need base64 of 16 or 32 random bytes)."""
    if method.startswith("2022-blake3-aes-128"):
        return base64.b64encode(secrets.token_bytes(16)).decode()
    if method.startswith("2022-blake3"):
        return base64.b64encode(secrets.token_bytes(32)).decode()
    return password
