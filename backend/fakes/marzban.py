"""A stateful Marzban 0.8.4 panel, as strict as the real one.

It enforces the form-only token endpoint, Bearer auth with Marzban's 401 bodies, the custom 422 shape
`{"detail": {field: message}}`, case-insensitive usernames (409), the username rule, the proxies and
inbounds rules (leaving `inbounds` out gives the user no inbounds; leaving `proxies` out is a 500 that
still creates the user), unix-second expiry, byte quotas, generated credentials, a relative
`subscription_url` with a fresh token on every read, and (switch) the env-admin DELETE that answers
500 yet deletes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from fakes.faults import FaultInjector, Faults

USERNAME_RE = re.compile(r"^(?=\w{3,32}\b)[a-zA-Z0-9-_@.]+(?:_[a-zA-Z0-9-_@.]+)*$")
PROTOCOLS = ("vmess", "vless", "trojan", "shadowsocks")
SORT_KEYS = {"username", "used_traffic", "data_limit", "expire", "created_at"}
PROTOCOL_NAMES = {"vmess": "VMess", "vless": "VLESS", "trojan": "Trojan", "shadowsocks": "Shadowsocks"}


def default_inbounds() -> dict[str, list[dict[str, Any]]]:
    """Inbounds of a small Xray config: one per protocol, plus a second vless one."""
    return {
        "vless": [
            {
                "tag": "VLESS TCP REALITY",
                "protocol": "vless",
                "network": "tcp",
                "tls": "reality",
                "port": 8443,
            },
            {"tag": "VLESS GRPC", "protocol": "vless", "network": "grpc", "tls": "tls", "port": 2053},
        ],
        "vmess": [{"tag": "VMess WS", "protocol": "vmess", "network": "ws", "tls": "tls", "port": 8080}],
        "trojan": [{"tag": "Trojan TCP", "protocol": "trojan", "network": "tcp", "tls": "tls", "port": 2083}],
        "shadowsocks": [
            {
                "tag": "Shadowsocks TCP",
                "protocol": "shadowsocks",
                "network": "tcp",
                "tls": "none",
                "port": 1080,
            }
        ],
    }


def _err(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _unauthorized(detail: str) -> JSONResponse:
    return _err(401, detail, {"WWW-Authenticate": "Bearer"})


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat()


@dataclass
class MarzbanFake:
    """The fake panel; `app` is the ASGI app (wrapped by the fault injector)."""

    username: str = "admin"
    password: str = "admin-password"
    version: str = "0.8.4"
    server_ip: str = "203.0.113.10"
    subscription_prefix: str = ""
    env_sudo_admin: bool = False
    inbounds: dict[str, list[dict[str, Any]]] = field(default_factory=default_inbounds)
    faults: Faults = field(default_factory=Faults)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._secret = secrets.token_hex(16)
        routes = [
            Route("/api/admin/token", self._token, methods=["POST"]),
            Route("/api/admin", self._admin, methods=["GET"]),
            Route("/api/system", self._system, methods=["GET"]),
            Route("/api/inbounds", self._inbounds, methods=["GET"]),
            Route("/api/user", self._create, methods=["POST"]),
            Route("/api/user/{username}", self._user, methods=["GET", "PUT", "DELETE"]),
            Route("/api/user/{username}/reset", self._reset, methods=["POST"]),
            Route("/api/user/{username}/usage", self._usage, methods=["GET"]),
            Route("/api/users", self._list, methods=["GET"]),
        ]
        starlette = Starlette(routes=routes)
        starlette.add_exception_handler(404, self._not_found)
        starlette.add_exception_handler(405, self._not_allowed)
        self.app = FaultInjector(starlette, self.faults)

    # --- test helpers ----------------------------------------------------------------------------

    def user(self, username: str) -> dict[str, Any] | None:
        """The stored user (case-insensitive)."""
        return self.users.get(username.lower())

    def add_traffic(self, username: str, used: int) -> None:
        """Count traffic; a user over its limit becomes `limited` (as the review job does)."""
        user = self.users[username.lower()]
        user["used_traffic"] += used
        user["lifetime_used_traffic"] += used
        if user["data_limit"] and user["used_traffic"] >= user["data_limit"] and user["status"] == "active":
            user["status"] = "limited"

    def set_online(self, username: str) -> None:
        """Mark a user as seen online now."""
        self.users[username.lower()]["online_at"] = time.time()

    def expire_tokens(self) -> None:
        """Invalidate every issued admin token (as after JWT expiry)."""
        self.tokens.clear()

    # --- plumbing --------------------------------------------------------------------------------

    async def _not_found(self, request: Request, exc: Exception) -> Response:
        return _err(404, "Not Found")

    async def _not_allowed(self, request: Request, exc: Exception) -> Response:
        return _err(405, "Method Not Allowed")

    def _auth(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return _unauthorized("Not authenticated")
        if header.removeprefix("Bearer ") not in self.tokens:
            return _unauthorized("Could not validate credentials")
        self.calls.append(f"{request.method} {request.url.path}")
        return None

    async def _json(self, request: Request) -> dict[str, Any] | Response:
        try:
            body = await request.json()
        except ValueError:
            return _err(422, {"body": "JSON decode error"})
        if not isinstance(body, dict):
            return _err(422, {"body": "Input should be a valid dictionary"})
        return body

    def _sub_token(self, username: str) -> str:
        data = base64.urlsafe_b64encode(f"{username},{int(time.time())}".encode()).decode().rstrip("=")
        sig = base64.urlsafe_b64encode(hashlib.sha256((data + self._secret).encode()).digest()).decode()
        return data + sig[:10]

    def _links(self, user: dict[str, Any]) -> list[str]:
        links = []
        for proto in PROTOCOLS:
            if proto not in user["proxies"]:
                continue
            settings = user["proxies"][proto]
            for inbound in self.inbounds.get(proto, []):
                if inbound["tag"] in user["excluded_inbounds"].get(proto, []):
                    continue
                remark = quote(
                    f"🚀 Marz ({user['username']}) [{PROTOCOL_NAMES[proto]} - {inbound['network']}]"
                )
                target = f"{self.server_ip}:{inbound['port']}"
                params = urlencode({"security": inbound["tls"], "type": inbound["network"], "headerType": ""})
                if proto == "vless":
                    links.append(f"vless://{settings['id']}@{target}?{params}#{remark}")
                elif proto == "trojan":
                    links.append(
                        f"trojan://{quote(settings['password'], safe=':')}@{target}?{params}#{remark}"
                    )
                elif proto == "vmess":
                    body = {
                        "add": self.server_ip,
                        "aid": "0",
                        "id": settings["id"],
                        "net": inbound["network"],
                        "port": inbound["port"],
                        "ps": remark,
                        "scy": "auto",
                        "tls": inbound["tls"],
                        "v": "2",
                    }
                    links.append(
                        "vmess://" + base64.b64encode(json.dumps(body, sort_keys=True).encode()).decode()
                    )
                else:
                    user_info = base64.b64encode(
                        f"{settings['method']}:{settings['password']}".encode()
                    ).decode()
                    links.append(f"ss://{user_info}@{target}#{remark}")
        return links

    def _response(self, user: dict[str, Any]) -> dict[str, Any]:
        tags = {p: [i["tag"] for i in self.inbounds.get(p, [])] for p in user["proxies"]}
        inbounds = {
            p: [t for t in ts if t not in user["excluded_inbounds"].get(p, [])] for p, ts in tags.items()
        }
        prefix = self.subscription_prefix.rstrip("/")
        return {
            "proxies": user["proxies"],
            "expire": user["expire"],
            "data_limit": user["data_limit"],
            "data_limit_reset_strategy": user["data_limit_reset_strategy"],
            "inbounds": inbounds,
            "note": user["note"],
            "sub_updated_at": None,
            "sub_last_user_agent": None,
            "online_at": _iso(user["online_at"]),
            "on_hold_expire_duration": None,
            "on_hold_timeout": None,
            "auto_delete_in_days": None,
            "next_plan": None,
            "username": user["username"],
            "status": user["status"],
            "used_traffic": user["used_traffic"],
            "lifetime_used_traffic": user["lifetime_used_traffic"],
            "created_at": _iso(user["created_at"]),
            "links": self._links(user),
            "subscription_url": f"{prefix}/sub/{self._sub_token(user['username'])}",
            "excluded_inbounds": user["excluded_inbounds"],
            "admin": None
            if self.env_sudo_admin
            else {
                "username": self.username,
                "is_sudo": True,
                "telegram_id": None,
                "discord_webhook": None,
                "users_usage": 0,
            },
        }

    @staticmethod
    def _reevaluate(user: dict[str, Any]) -> None:
        now = time.time()
        if user["status"] in ("disabled", "on_hold"):
            return
        if user["expire"] is not None and user["expire"] <= now:
            user["status"] = "expired"
        elif user["data_limit"] is not None and user["used_traffic"] >= user["data_limit"]:
            user["status"] = "limited"
        else:
            user["status"] = "active"

    # --- routes ----------------------------------------------------------------------------------

    async def _token(self, request: Request) -> Response:
        if "application/x-www-form-urlencoded" not in request.headers.get(
            "content-type", ""
        ) and "multipart/form-data" not in request.headers.get("content-type", ""):
            return _err(422, {"username": "Field required", "password": "Field required"})
        form = await request.form()
        missing = {k: "Field required" for k in ("username", "password") if not form.get(k)}
        if missing:
            return _err(422, missing)
        if form.get("grant_type") not in (None, "password"):
            return _err(422, {"grant_type": "String should match pattern '^password$'"})
        self.token_requests += 1
        if form.get("username") != self.username or form.get("password") != self.password:
            return _unauthorized("Incorrect username or password")
        token = secrets.token_urlsafe(32)
        self.tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "bearer"})

    async def _admin(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        return JSONResponse(
            {
                "username": self.username,
                "is_sudo": True,
                "telegram_id": None,
                "discord_webhook": None,
                "users_usage": 0,
            }
        )

    async def _system(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        statuses = [u["status"] for u in self.users.values()]
        day_ago = time.time() - 86400
        return JSONResponse(
            {
                "version": self.version,
                "mem_total": 16777216000,
                "mem_used": 2147483648,
                "cpu_cores": 4,
                "cpu_usage": 3.5,
                "total_user": len(self.users),
                "online_users": sum(1 for u in self.users.values() if (u["online_at"] or 0) >= day_ago),
                "users_active": statuses.count("active"),
                "users_on_hold": statuses.count("on_hold"),
                "users_disabled": statuses.count("disabled"),
                "users_expired": statuses.count("expired"),
                "users_limited": statuses.count("limited"),
                "incoming_bandwidth": 0,
                "outgoing_bandwidth": 0,
                "incoming_bandwidth_speed": 0,
                "outgoing_bandwidth_speed": 0,
            }
        )

    async def _inbounds(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        return JSONResponse({p: items for p, items in self.inbounds.items() if items})

    def _validate_limits(self, body: dict[str, Any], errors: dict[str, str]) -> None:
        for key in ("expire", "data_limit"):
            value = body.get(key)
            if isinstance(value, str):
                errors[key] = f"Value error, {key} must be an integer or a float, not a string"
            elif value is not None and not isinstance(value, int | float):
                errors[key] = "Input should be a valid integer"
        if isinstance(body.get("data_limit"), int | float) and body["data_limit"] < 0:
            errors["data_limit"] = "Input should be greater than or equal to 0"
        if len(str(body.get("note") or "")) > 500:
            errors["note"] = "String should have at most 500 characters"

    def _proxies(self, proxies: dict[str, Any], errors: dict[str, str]) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for proto, given in proxies.items():
            if proto not in PROTOCOLS:
                errors["proxies"] = "Input should be 'vmess', 'vless', 'trojan' or 'shadowsocks'"
                continue
            conf = dict(given or {})
            if proto in ("vless", "vmess"):
                try:
                    conf["id"] = str(uuid.UUID(str(conf["id"]))) if conf.get("id") else str(uuid.uuid4())
                except ValueError:
                    errors["id"] = "Input should be a valid UUID, invalid character"
                if proto == "vless":
                    conf["flow"] = conf.get("flow") or ""
                    if conf["flow"] not in ("", "xtls-rprx-vision"):
                        errors["flow"] = "Input should be '' or 'xtls-rprx-vision'"
            elif proto == "trojan":
                conf["password"] = conf.get("password") or secrets.token_urlsafe(16)[:22]
                conf["flow"] = conf.get("flow") or ""
            else:
                conf["password"] = conf.get("password") or secrets.token_urlsafe(16)[:22]
                conf["method"] = conf.get("method") or "chacha20-ietf-poly1305"
            result[proto] = conf
        return result

    def _excluded(
        self, proxies: dict[str, Any], inbounds: dict[str, Any], errors: dict[str, str]
    ) -> dict[str, list[str]]:
        excluded: dict[str, list[str]] = {}
        for proto in proxies:
            tags = [i["tag"] for i in self.inbounds.get(proto, [])]
            wanted = inbounds.get(proto)
            for tag in wanted or []:
                if tag not in tags:
                    errors["inbounds"] = f"Value error, Inbound {tag} doesn't exist"
            if wanted is None:
                # Pydantic does not validate the default: a protocol missing from `inbounds` gets none.
                excluded[proto] = tags
            elif not wanted:
                excluded[proto] = []
            else:
                excluded[proto] = [t for t in tags if t not in wanted]
        return excluded

    async def _create(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        errors: dict[str, str] = {}
        username = str(body.get("username") or "")
        if not USERNAME_RE.match(username):
            errors["username"] = (
                "Value error, Username only can be 3 to 32 characters and contain a-z, 0-9, and underscores in between."
            )
        status = body.get("status") or "active"
        if status not in ("active", "on_hold"):
            errors["status"] = "Input should be 'active' or 'on_hold'"
        self._validate_limits(body, errors)
        has_proxies = "proxies" in body
        proxies = body.get("proxies") or {}
        if has_proxies and not proxies:
            errors["proxies"] = "Value error, Each user needs at least one proxy"
        generated = self._proxies(proxies, errors)
        excluded = self._excluded(generated, body.get("inbounds") or {}, errors)
        if errors:
            return _err(422, errors)
        for proto in generated:
            if not self.inbounds.get(proto):
                return _err(400, f"Protocol {proto} is disabled on your server")
        if username.lower() in self.users:
            return _err(409, "User already exists")
        user = {
            "username": username,
            "proxies": generated,
            "excluded_inbounds": excluded,
            "expire": int(body["expire"]) if body.get("expire") else None,
            "data_limit": int(body["data_limit"]) if body.get("data_limit") else None,
            "data_limit_reset_strategy": body.get("data_limit_reset_strategy") or "no_reset",
            "status": status,
            "note": body.get("note"),
            "used_traffic": 0,
            "lifetime_used_traffic": 0,
            "created_at": time.time(),
            "online_at": None,
        }
        self.users[username.lower()] = user
        if not has_proxies:
            # 0.8.4 commits the row, then the response model fails on the missing proxies.
            return PlainTextResponse("Internal Server Error", status_code=500)
        return JSONResponse(self._response(user))

    async def _user(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        key = request.path_params["username"].lower()
        user = self.users.get(key)
        if user is None:
            return _err(404, "User not found")
        if request.method == "GET":
            return JSONResponse(self._response(user))
        if request.method == "DELETE":
            del self.users[key]
            if self.env_sudo_admin:
                return PlainTextResponse("Internal Server Error", status_code=500)
            return JSONResponse({"detail": "User successfully deleted"})
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        errors: dict[str, str] = {}
        self._validate_limits(body, errors)
        if body.get("status") is not None and body["status"] not in ("active", "disabled", "on_hold"):
            errors["status"] = "Input should be 'active', 'disabled' or 'on_hold'"
        proxies = self._proxies(body.get("proxies") or {}, errors) if body.get("proxies") else None
        if errors:
            return _err(422, errors)
        if proxies:
            user["proxies"] = proxies
        if "expire" in body and body["expire"] is not None:
            user["expire"] = int(body["expire"]) or None
        if "data_limit" in body and body["data_limit"] is not None:
            user["data_limit"] = int(body["data_limit"]) or None
        if body.get("note") is not None:
            user["note"] = body["note"]
        if body.get("status") is not None:
            user["status"] = body["status"]
        self._reevaluate(user)
        return JSONResponse(self._response(user))

    async def _reset(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        user = self.users.get(request.path_params["username"].lower())
        if user is None:
            return _err(404, "User not found")
        user["used_traffic"] = 0
        if user["status"] != "expired":
            user["status"] = "active"  # 0.8.4 re-activates disabled, limited and on_hold users
        return JSONResponse(self._response(user))

    async def _usage(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        user = self.users.get(request.path_params["username"].lower())
        if user is None:
            return _err(404, "User not found")
        return JSONResponse(
            {
                "username": user["username"],
                "usages": [{"node_id": None, "node_name": "Master", "used_traffic": user["used_traffic"]}],
            }
        )

    async def _list(self, request: Request) -> Response:
        if (denied := self._auth(request)) is not None:
            return denied
        users = sorted(self.users.values(), key=lambda u: u["created_at"])
        sort = request.query_params.get("sort")
        for key in (sort or "").split(","):
            if key and key.lstrip("-") not in SORT_KEYS:
                return _err(400, f'"{key}" is not a valid sort option')
        if status := request.query_params.get("status"):
            users = [u for u in users if u["status"] == status]
        if search := request.query_params.get("search"):
            users = [
                u
                for u in users
                if search.lower() in u["username"].lower() or search.lower() in (u["note"] or "").lower()
            ]
        offset = int(request.query_params.get("offset") or 0)
        limit = request.query_params.get("limit")
        page = users[offset : offset + int(limit)] if limit else users[offset:]
        return JSONResponse({"users": [self._response(u) for u in page], "total": len(users)})
