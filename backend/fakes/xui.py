"""A stateful 3x-ui panel: legacy (v2.x), v3.0 and v3.1+ behaviour, as strict as the real one.

What it enforces (see the panel spec): routes only under the base path; the `3x-ui` session cookie;
on v3 a CSRF token for login and every unsafe API call (403 with an empty body otherwise), or a
Bearer API token; HTTP 200 `{success, msg, obj}` for every business result, with the
"<prefix> (<error>\\n)" message shape; emails unique across all inbounds (case-insensitive);
legacy `settings` as a JSON string in both directions, objects from v3.1; credentials the caller
must supply on legacy panels and that the panel generates on v3.1; `onlines` answering null;
the legacy rule that the last client of an inbound cannot be deleted; v3.1 update as a replacement.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from fakes.faults import FaultInjector, Faults

Mode = Literal["legacy", "v3.0", "v3.1"]
UnauthStyle = Literal["redirect", "hidden", "xhr401"]
COOKIE = "3x-ui"
NOT_FOUND_EMAIL_V31 = 'client "{email}" not found in any inbound or client record'


def default_inbounds() -> list[dict[str, Any]]:
    """Four inbounds like a typical install: vless reality, vmess ws+tls, trojan grpc+tls, shadowsocks 2022."""
    return [
        {
            "id": 1,
            "remark": "NL-vless",
            "protocol": "vless",
            "port": 443,
            "listen": "",
            "settings": {"clients": [], "decryption": "none", "encryption": "none", "fallbacks": []},
            "streamSettings": {
                "network": "tcp",
                "security": "reality",
                "realitySettings": {
                    "serverNames": ["www.example.com"],
                    "shortIds": ["6ba85179"],
                    "settings": {
                        "publicKey": "Zk9PbGlrZXlFeGFtcGxlS2V5",
                        "fingerprint": "chrome",
                        "spiderX": "/",
                    },
                },
            },
        },
        {
            "id": 2,
            "remark": "NL-vmess",
            "protocol": "vmess",
            "port": 8443,
            "listen": "",
            "settings": {"clients": []},
            "streamSettings": {
                "network": "ws",
                "security": "tls",
                "wsSettings": {"path": "/ws", "host": "cdn.example.com"},
                "tlsSettings": {
                    "serverName": "cdn.example.com",
                    "alpn": ["h2", "http/1.1"],
                    "settings": {"fingerprint": "chrome"},
                },
            },
        },
        {
            "id": 3,
            "remark": "NL-trojan",
            "protocol": "trojan",
            "port": 2083,
            "listen": "",
            "settings": {"clients": [], "fallbacks": []},
            "streamSettings": {
                "network": "grpc",
                "security": "tls",
                "grpcSettings": {"serviceName": "tr"},
                "tlsSettings": {"serverName": "vpn.example.com"},
            },
        },
        {
            "id": 4,
            "remark": "NL-ss",
            "protocol": "shadowsocks",
            "port": 1080,
            "listen": "",
            "settings": {
                "method": "2022-blake3-aes-256-gcm",
                "password": base64.b64encode(b"s" * 32).decode(),
                "network": "tcp,udp",
                "clients": [],
            },
            "streamSettings": {"network": "tcp", "security": "none"},
        },
    ]


@dataclass
class _Session:
    csrf: str
    logged_in: bool = False


@dataclass
class _Stats:
    email: str
    inbound_id: int
    up: int = 0
    down: int = 0
    enable: bool = True
    expiry: int = 0
    total: int = 0
    row_id: int = 0


@dataclass
class XuiFake:
    """The fake panel; `app` is the ASGI app (wrapped by the fault injector)."""

    mode: Mode = "v3.1"
    base_path: str = "/"
    username: str = "admin"
    password: str = "admin-password"
    api_token: str | None = None
    unauth_style: UnauthStyle | None = None
    xray_version: str = "25.10.15"
    sub_host: str = "vpn.example.com"
    seed_foreign_client: bool = False
    inbounds: list[dict[str, Any]] = field(default_factory=default_inbounds)
    faults: Faults = field(default_factory=Faults)
    online: set[str] = field(default_factory=set)
    logins: int = 0
    failed_logins: int = 0
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        path = self.base_path.strip("/")
        self.base = f"/{path}/" if path else "/"
        if self.unauth_style is None:
            defaults: dict[str, UnauthStyle] = {"legacy": "redirect", "v3.0": "hidden", "v3.1": "xhr401"}
            self.unauth_style = defaults[self.mode]
        self.sessions: dict[str, _Session] = {}
        self.stats: dict[str, _Stats] = {}
        self._row = 0
        if self.seed_foreign_client:
            self._attach(
                1, {"id": str(uuid.uuid4()), "email": "owner-phone", "enable": True, "subId": "ownersub"}
            )
        self.app = FaultInjector(
            Starlette(
                routes=[Route("/{path:path}", self._dispatch, methods=["GET", "POST", "PUT", "DELETE"])]
            ),
            self.faults,
        )

    # --- state helpers used by tests -------------------------------------------------------------

    @property
    def v3(self) -> bool:
        """v3.0 and later (CSRF, API tokens)."""
        return self.mode in ("v3.0", "v3.1")

    def clients(self) -> list[tuple[int, dict[str, Any]]]:
        """Every (inbound id, client) pair."""
        return [(ib["id"], c) for ib in self.inbounds for c in ib["settings"]["clients"]]

    def find(self, email: str) -> list[tuple[int, dict[str, Any]]]:
        """The (inbound id, client) pairs with this email (case-insensitive)."""
        return [(i, c) for i, c in self.clients() if c["email"].lower() == email.lower()]

    def add_traffic(self, email: str, up: int, down: int) -> None:
        """Count traffic for a client, as Xray would."""
        stats = self.stats[email.lower()]
        stats.up += up
        stats.down += down

    def expire_sessions(self) -> None:
        """Forget every session (panel restart or sessionMaxAge passed)."""
        self.sessions.clear()

    def _inbound(self, inbound_id: int) -> dict[str, Any] | None:
        return next((ib for ib in self.inbounds if ib["id"] == inbound_id), None)

    def _attach(self, inbound_id: int, client: dict[str, Any]) -> None:
        inbound = self._inbound(inbound_id)
        assert inbound is not None
        inbound["settings"]["clients"].append(client)
        key = client["email"].lower()
        if key not in self.stats:
            self._row += 1
            self.stats[key] = _Stats(client["email"], inbound_id, row_id=self._row)
        self._sync_stats(client)

    def _sync_stats(self, client: dict[str, Any]) -> None:
        stats = self.stats[client["email"].lower()]
        stats.enable = bool(client.get("enable", True))
        stats.expiry = int(client.get("expiryTime") or 0)
        stats.total = int(client.get("totalGB") or 0)

    # --- envelope --------------------------------------------------------------------------------

    @staticmethod
    def _ok(obj: Any = None, msg: str = "") -> JSONResponse:
        return JSONResponse({"success": True, "msg": msg, "obj": obj})

    @staticmethod
    def _fail(err: str, prefix: str = "Something went wrong", newline: bool = True) -> JSONResponse:
        return JSONResponse(
            {"success": False, "msg": f"{prefix} ({err}{chr(10) if newline else ''})", "obj": None}
        )

    # --- dispatch and auth -----------------------------------------------------------------------

    async def _dispatch(self, request: Request) -> Response:
        path = request.url.path
        if not path.startswith(self.base):
            return Response(status_code=404)
        route = path[len(self.base) :]
        method = request.method
        session = self.sessions.get(request.cookies.get(COOKIE, ""))
        if route == "csrf-token" and method == "GET" and self.v3:
            return self._csrf_token(session)
        if route == "login" and method == "POST":
            return await self._login(request, session)
        if route == "logout" and method == "POST":
            return self._ok()
        if not route.startswith("panel/api/"):
            return Response(status_code=404)
        denied = self._check_api_auth(request, session)
        if denied is not None:
            return denied
        self.calls.append(f"{method} {route}")
        return await self._api(request, route[len("panel/api/") :])

    def _csrf_token(self, session: _Session | None) -> Response:
        sid = None
        if session is None:
            sid = secrets.token_urlsafe(24)
            session = self.sessions[sid] = _Session(csrf=secrets.token_urlsafe(32))
        resp = JSONResponse({"success": True, "msg": "", "obj": session.csrf})
        if sid is not None:
            resp.set_cookie(COOKIE, sid, path=self.base, httponly=True, samesite="lax")
        return resp

    async def _form_or_json(self, request: Request) -> dict[str, Any]:
        if "application/json" in request.headers.get("content-type", ""):
            try:
                body = await request.json()
            except ValueError:
                return {}
            return body if isinstance(body, dict) else {}
        return dict(await request.form())

    async def _login(self, request: Request, session: _Session | None) -> Response:
        body = await self._form_or_json(request)
        if self.v3:
            token = request.headers.get("x-csrf-token") or body.get("_csrf")
            if session is None or token != session.csrf:
                return Response(status_code=403)
        if body.get("username") != self.username or body.get("password") != self.password:
            self.failed_logins += 1
            return JSONResponse({"success": False, "msg": "Wrong username or password", "obj": None})
        self.logins += 1
        resp = JSONResponse(
            {"success": True, "msg": " Login successful" if not self.v3 else "Login successful", "obj": None}
        )
        if session is None:
            sid = secrets.token_urlsafe(24)
            session = self.sessions[sid] = _Session(csrf=secrets.token_urlsafe(32))
            resp.set_cookie(COOKIE, sid, path=self.base, httponly=True, samesite="lax")
        session.logged_in = True
        return resp

    def _unauthenticated(self, request: Request) -> Response:
        xhr = request.headers.get("x-requested-with") == "XMLHttpRequest"
        if self.unauth_style == "hidden":
            return Response(status_code=404)
        if self.unauth_style == "xhr401":
            return Response(status_code=401) if xhr else Response(status_code=404)
        if xhr:
            return JSONResponse(
                {"success": False, "msg": "Your session has expired", "obj": None}, status_code=401
            )
        return RedirectResponse(self.base, status_code=307)

    def _check_api_auth(self, request: Request, session: _Session | None) -> Response | None:
        auth = request.headers.get("authorization", "")
        if self.v3 and self.api_token and auth == f"Bearer {self.api_token}":
            return None
        if session is None or not session.logged_in:
            return self._unauthenticated(request)
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if self.v3 and unsafe and request.headers.get("x-csrf-token") != session.csrf:
            return Response(status_code=403)
        return None

    # --- API -------------------------------------------------------------------------------------

    async def _api(self, request: Request, route: str) -> Response:
        method = request.method
        if route == "server/status" and method == "GET":
            return self._ok(
                {"xray": {"state": "running", "version": self.xray_version}, "cpu": 3.5, "uptime": 1000}
            )
        if route == "inbounds/list" and method == "GET":
            return self._ok([self._render_inbound(ib) for ib in self.inbounds])
        if (m := re.fullmatch(r"inbounds/get/(\d+)", route)) and method == "GET":
            inbound = self._inbound(int(m.group(1)))
            if inbound is None:
                return self._fail("record not found", prefix="Obtain", newline=False)
            return self._ok(self._render_inbound(inbound))
        if self.mode == "v3.1":
            return await self._api_v31(request, route)
        return await self._api_legacy(request, route)

    def _render_inbound(self, ib: dict[str, Any]) -> dict[str, Any]:
        clients = ib["settings"]["clients"]
        stats = []
        for c in clients:
            s = self.stats[c["email"].lower()]
            row = {
                "id": s.row_id,
                "inboundId": ib["id"],
                "enable": s.enable,
                "email": c["email"],
                "uuid": c.get("id", ""),
                "subId": c.get("subId", ""),
                "up": s.up,
                "down": s.down,
                "expiryTime": s.expiry,
                "total": s.total,
                "reset": 0,
                "lastOnline": 0,
            }
            if self.mode != "v3.1":
                row["allTime"] = s.up + s.down
            stats.append(row)
        out = {
            "id": ib["id"],
            "up": 0,
            "down": 0,
            "total": 0,
            "remark": ib["remark"],
            "enable": True,
            "expiryTime": 0,
            "clientStats": stats,
            "listen": ib["listen"],
            "port": ib["port"],
            "protocol": ib["protocol"],
            "tag": f"inbound-{ib['port']}",
        }
        for key in ("settings", "streamSettings"):
            out[key] = copy.deepcopy(ib[key]) if self.mode == "v3.1" else json.dumps(ib[key], indent=2)
        out["sniffing"] = (
            {"enabled": False} if self.mode == "v3.1" else json.dumps({"enabled": False}, indent=2)
        )
        if self.mode != "v3.1":
            out["allTime"] = 0
        else:
            out["subSortIndex"] = 1
        return out

    # --- legacy client API (v2.x and v3.0) --------------------------------------------------------

    @staticmethod
    def _key_of(protocol: str, client: dict[str, Any]) -> str:
        if protocol == "trojan":
            return str(client.get("password") or "")
        if protocol == "shadowsocks":
            return str(client.get("email") or "")
        return str(client.get("id") or "")

    def _email_taken(self, email: str, ignore: dict[str, Any] | None = None) -> bool:
        return any(c is not ignore and c["email"].lower() == email.lower() for _, c in self.clients())

    async def _legacy_body(self, request: Request) -> tuple[int, list[dict[str, Any]]] | Response:
        body = await self._form_or_json(request)
        settings = body.get("settings")
        if not isinstance(settings, str):
            # gin binds `settings` into a string field: an object is a decoding error.
            return self._fail(
                "json: cannot unmarshal object into Go struct field Inbound.settings of type string",
                prefix="Inbound has been successfully updated.",
                newline=False,
            )
        try:
            inbound_id = int(body.get("id") or 0)
            clients = json.loads(settings).get("clients") or []
        except (ValueError, AttributeError):
            return self._fail("invalid settings", newline=False)
        return inbound_id, [c for c in clients if isinstance(c, dict)]

    async def _api_legacy(self, request: Request, route: str) -> Response:
        method = request.method
        if route == "inbounds/addClient" and method == "POST":
            parsed = await self._legacy_body(request)
            if isinstance(parsed, Response):
                return parsed
            inbound_id, clients = parsed
            inbound = self._inbound(inbound_id)
            if inbound is None:
                return self._fail("record not found", newline=False)
            seen: set[str] = set()
            for c in clients:
                if not self._key_of(inbound["protocol"], c) and inbound["protocol"] != "shadowsocks":
                    return self._fail("empty client ID")
                if not c.get("email") or self._email_taken(c["email"]) or c["email"].lower() in seen:
                    return self._fail(f"Duplicate email: {c.get('email', '')}")
                seen.add(c["email"].lower())
            for c in clients:
                c.setdefault("enable", True)
                self._attach(inbound_id, dict(c))
            return self._ok(msg="Inbound client(s) have been added.")
        if (m := re.fullmatch(r"inbounds/updateClient/(.+)", route)) and method == "POST":
            parsed = await self._legacy_body(request)
            if isinstance(parsed, Response):
                return parsed
            inbound_id, clients = parsed
            inbound = self._inbound(inbound_id)
            key = unquote(m.group(1))
            if inbound is None:
                return self._fail("record not found", newline=False)
            old = next(
                (c for c in inbound["settings"]["clients"] if self._key_of(inbound["protocol"], c) == key),
                None,
            )
            if old is None or not clients:
                return self._fail("empty client ID")
            new = dict(clients[0])
            if new["email"].lower() != old["email"].lower() and self._email_taken(new["email"], ignore=old):
                return self._fail(f"Duplicate email: {new['email']}")
            stats = self.stats.pop(old["email"].lower())
            stats.email = new["email"]
            self.stats[new["email"].lower()] = stats
            inbound["settings"]["clients"][inbound["settings"]["clients"].index(old)] = new
            self._sync_stats(new)
            return self._ok(msg="Inbound client has been updated.")
        if (m := re.fullmatch(r"inbounds/(\d+)/delClient/(.+)", route)) and method == "POST":
            inbound = self._inbound(int(m.group(1)))
            key = unquote(m.group(2))
            if inbound is None:
                return self._fail("record not found", newline=False)
            found = next(
                (c for c in inbound["settings"]["clients"] if self._key_of(inbound["protocol"], c) == key),
                None,
            )
            if found is None:
                return self._fail(f"Client Not Found In Inbound For ID: {key}")
            if len(inbound["settings"]["clients"]) == 1:
                return self._fail("no client remained in Inbound")
            inbound["settings"]["clients"].remove(found)
            self.stats.pop(found["email"].lower(), None)
            return self._ok(msg="Inbound client has been deleted.")
        if (m := re.fullmatch(r"inbounds/getClientTraffics/(.+)", route)) and method == "GET":
            found_stats = self.stats.get(unquote(m.group(1)).lower())
            if found_stats is None:
                if self.mode == "legacy":
                    return self._ok(None)
                return self._fail(
                    f"Inbound Not Found For Email: {unquote(m.group(1))}", prefix="Error getting traffics."
                )
            return self._ok(self._traffic(found_stats))
        if (m := re.fullmatch(r"inbounds/(\d+)/resetClientTraffic/(.+)", route)) and method == "POST":
            reset_stats = self.stats.get(unquote(m.group(2)).lower())
            if reset_stats is not None:
                reset_stats.up = reset_stats.down = 0
            return self._ok(msg="Traffic has been reset.")
        if route == "inbounds/onlines" and method == "POST":
            return self._ok(sorted(self.online) or None)
        return Response(status_code=404)

    @staticmethod
    def _traffic(stats: _Stats) -> dict[str, Any]:
        return {
            "id": stats.row_id,
            "inboundId": stats.inbound_id,
            "enable": stats.enable,
            "email": stats.email,
            "up": stats.up,
            "down": stats.down,
            "expiryTime": stats.expiry,
            "total": stats.total,
            "reset": 0,
        }

    # --- v3.1+ client API ------------------------------------------------------------------------

    def _record(self, email: str) -> tuple[dict[str, Any], list[int]] | None:
        found = self.find(email)
        if not found:
            return None
        client = found[0][1]
        stats = self.stats[client["email"].lower()]
        record = {
            "id": stats.row_id,
            "email": client["email"],
            "subId": client.get("subId", ""),
            "uuid": client.get("id", ""),
            "password": client.get("password", ""),
            "auth": client.get("auth", ""),
            "flow": client.get("flow", ""),
            "security": client.get("security", ""),
            "reverse": None,
            "allowedIPs": "",
            "limitIp": client.get("limitIp", 0),
            "limitHwid": client.get("limitHwid", 0),
            "totalGB": client.get("totalGB", 0),
            "expiryTime": client.get("expiryTime", 0),
            "enable": client.get("enable", True),
            "tgId": client.get("tgId", 0),
            "comment": client.get("comment", ""),
            "reset": client.get("reset", 0),
            "createdAt": 1766000000000,
            "updatedAt": 1766000000000,
        }
        return record, [i for i, _ in found]

    def _links(self, email: str) -> list[str]:
        links = []
        for inbound_id, c in self.find(email):
            ib = self._inbound(inbound_id)
            assert ib is not None
            remark = quote(f"{ib['remark']}-{c['email']}", safe="")
            target = f"{self.sub_host}:{ib['port']}"
            if ib["protocol"] == "vless":
                links.append(f"vless://{c['id']}@{target}?security=reality&type=tcp#{remark}")
            elif ib["protocol"] == "trojan":
                links.append(
                    f"trojan://{quote(c['password'], safe='')}@{target}?security=tls&type=grpc#{remark}"
                )
            elif ib["protocol"] == "vmess":
                body = json.dumps(
                    {
                        "add": self.sub_host,
                        "id": c["id"],
                        "port": ib["port"],
                        "ps": f"{ib['remark']}-{c['email']}",
                        "v": "2",
                    }
                )
                links.append("vmess://" + base64.b64encode(body.encode()).decode())
            elif ib["protocol"] == "shadowsocks":
                user = base64.b64encode(f"{ib['settings']['method']}:{c['password']}".encode()).decode()
                links.append(f"ss://{user}@{target}#{remark}")
        return links

    @staticmethod
    def _generated_credentials(protocol: str, client: dict[str, Any]) -> None:
        if protocol in ("vless", "vmess") and not client.get("id"):
            client["id"] = str(uuid.uuid4())
        if protocol == "trojan" and not client.get("password"):
            client["password"] = secrets.token_hex(16)
        if protocol == "shadowsocks" and not client.get("password"):
            client["password"] = base64.b64encode(secrets.token_bytes(32)).decode()

    async def _api_v31(self, request: Request, route: str) -> Response:
        method = request.method
        if route == "clients/add" and method == "POST":
            return await self._v31_add(request)
        if route == "clients/list" and method == "GET":
            out = []
            for email in dict.fromkeys(c["email"] for _, c in self.clients()):
                record = self._record(email)
                assert record is not None
                out.append({**record[0], "inboundIds": record[1]})
            return self._ok(out)
        if (m := re.fullmatch(r"clients/get/(.+)", route)) and method == "GET":
            record = self._record(unquote(m.group(1)))
            if record is None:
                return self._fail("record not found", newline=False)
            stats = self.stats[record[0]["email"].lower()]
            return self._ok(
                {
                    "client": record[0],
                    "inboundIds": record[1],
                    "externalLinks": [],
                    "usedTraffic": stats.up + stats.down,
                }
            )
        if (m := re.fullmatch(r"clients/update/(.+)", route)) and method == "POST":
            return await self._v31_update(request, unquote(m.group(1)))
        if (m := re.fullmatch(r"clients/del/(.+)", route)) and method == "POST":
            email = unquote(m.group(1))
            found = self.find(email)
            if not found:
                return self._fail(NOT_FOUND_EMAIL_V31.format(email=email))
            for inbound_id, c in found:
                ib = self._inbound(inbound_id)
                assert ib is not None
                ib["settings"]["clients"].remove(c)
            self.stats.pop(email.lower(), None)
            return self._ok(msg="Inbound client has been deleted.")
        if (m := re.fullmatch(r"clients/traffic/(.+)", route)) and method == "GET":
            traffic = self.stats.get(unquote(m.group(1)).lower())
            return self._ok(self._traffic(traffic) if traffic else None)
        if (m := re.fullmatch(r"clients/resetTraffic/(.+)", route)) and method == "POST":
            email = unquote(m.group(1))
            counters = self.stats.get(email.lower())
            if counters is None:
                return self._fail("record not found", newline=False)
            counters.up = counters.down = 0
            for _, c in self.find(email):
                c["enable"] = True
                self._sync_stats(c)
            return self._ok(msg="Traffic has been reset.")
        if route == "clients/onlines" and method == "POST":
            return self._ok(sorted(self.online) or None)
        if (m := re.fullmatch(r"clients/links/(.+)", route)) and method == "GET":
            return self._ok(self._links(unquote(m.group(1))))
        return Response(status_code=404)

    async def _v31_add(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return self._fail("invalid JSON body")
        client = dict(body.get("client") or {})
        inbound_ids = body.get("inboundIds") or []
        email = str(client.get("email") or "")
        if not email:
            return self._fail("client email is required")
        if re.search(r"[/\\\s]", email):
            return self._fail(f"client email contains an invalid character: {email}")
        if not inbound_ids:
            return self._fail("at least one inbound is required")
        if any(self._inbound(int(i)) is None for i in inbound_ids):
            return self._fail("record not found", newline=False)
        if self.find(email):
            return self._fail(f"email already in use: {email}")
        client["subId"] = client.get("subId") or str(uuid.uuid4())
        client["enable"] = True
        for inbound_id in inbound_ids:
            ib = self._inbound(int(inbound_id))
            assert ib is not None
            entry = dict(client)
            self._generated_credentials(ib["protocol"], client)  # one credential for every inbound
            entry.update({k: client[k] for k in ("id", "password") if k in client})
            if ib["protocol"] != "vless" or ib["streamSettings"].get("network") != "tcp":
                entry.pop("flow", None)
            self._attach(int(inbound_id), entry)
        return self._ok(msg="Inbound client(s) have been added.")

    async def _v31_update(self, request: Request, email: str) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return self._fail("invalid JSON body")
        if not isinstance(body, dict):
            return self._fail("json: cannot unmarshal into Go value of type model.Client", newline=False)
        if "allowedIPs" in body and not isinstance(body["allowedIPs"], list):
            return self._fail(
                "json: cannot unmarshal string into Go struct field Client.allowedIPs of type []string",
                newline=False,
            )
        if "id" in body and not isinstance(body["id"], str):
            return self._fail(
                "json: cannot unmarshal number into Go struct field Client.id of type string", newline=False
            )
        found = self.find(email)
        if not found:
            return self._fail("record not found", newline=False)
        new_email = str(body.get("email") or email)
        if new_email.lower() != email.lower() and self.find(new_email):
            return self._fail(f"Duplicate email: {new_email}")
        for _, c in found:
            kept = {k: c[k] for k in ("id", "password", "auth", "subId") if c.get(k) and not body.get(k)}
            # A replacement: what is missing gets its zero value (enable=false, unlimited quota).
            replaced = {
                "email": new_email,
                "enable": bool(body.get("enable", False)),
                "totalGB": int(body.get("totalGB") or 0),
                "expiryTime": int(body.get("expiryTime") or 0),
                "limitIp": int(body.get("limitIp") or 0),
                "tgId": int(body.get("tgId") or 0),
                "comment": str(body.get("comment") or ""),
                "reset": int(body.get("reset") or 0),
                **{
                    k: body[k]
                    for k in ("id", "password", "auth", "subId", "flow", "security", "limitHwid")
                    if body.get(k)
                },
                **kept,
            }
            c.clear()
            c.update(replaced)
        stats = self.stats.pop(email.lower())
        stats.email = new_email
        self.stats[new_email.lower()] = stats
        self._sync_stats(found[0][1])
        return self._ok(msg="Inbound client has been updated.")
