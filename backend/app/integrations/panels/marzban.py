"""Marzban 0.8.x adapter (PasarGuard keeps the same user API): OAuth2 admin token, users by username."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
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
    PanelTechnicalError,
    PanelTransientError,
)
from app.integrations.panels.http import PanelHttp
from app.models.enums import PanelType

log = structlog.get_logger(__name__)

GENERATION = "v0.8"
PAGE = 500
ONLINE_WINDOW = timedelta(minutes=3)
_CREDENTIAL_KEYS = (("vless", "id"), ("vmess", "id"), ("trojan", "password"), ("shadowsocks", "password"))


def normalise_base(url: str) -> str:
    """The API root: the panel URL without a trailing `/dashboard/` (what owners usually copy)."""
    parsed = httpx.URL(url.strip())
    path = parsed.path.rstrip("/")
    if path.endswith("/dashboard"):
        path = path[: -len("/dashboard")]
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{path}"


def _detail(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:200] or f"HTTP {resp.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, dict):  # Marzban's own 422 shape: {"detail": {"<field>": "<message>"}}
        return "; ".join(f"{k}: {v}" for k, v in detail.items())
    if isinstance(detail, list):  # a stock FastAPI 422, should a fork send one
        return "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    return str(detail)


def _seconds_to_datetime(value: Any) -> datetime | None:
    try:
        seconds = int(value or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


def _naive_utc(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class MarzbanPanel:
    """A Marzban panel."""

    def __init__(self, config: PanelConfig, http: PanelHttp) -> None:
        self.config = config
        self._http = http
        self._base = normalise_base(config.url)
        self._origin = str(httpx.URL(self._base).copy_with(path="/", query=None)).rstrip("/")
        self._token: str | None = None
        self._epoch = 0
        self._lock = asyncio.Lock()
        self._version: str | None = None
        self._proxies: dict[str, Any] = dict(config.settings.get("proxies") or {})
        inbounds = dict(config.settings.get("inbounds") or {})
        # Without an entry per protocol Marzban gives the user no inbounds at all; [] means all of them.
        self._inbounds = {proto: list(inbounds.get(proto) or []) for proto in self._proxies}

    @property
    def api_generation(self) -> str | None:
        """Marzban has one user API; the label records that it was reached."""
        return GENERATION if self._version or self._token else None

    @property
    def version(self) -> str | None:
        """The version reported by /api/system."""
        return self._version

    async def _authenticate(self) -> None:
        if not (self.config.username and self.config.password):
            raise PanelAuthError("Marzban needs the admin username and password")
        resp = await self._http.send(
            "POST",
            f"{self._base}/api/admin/token",
            data={
                "username": self.config.username,
                "password": self.config.password,
                "grant_type": "password",
            },
            retry=False,
        )
        if resp.status_code in (401, 403):
            raise PanelAuthError("wrong admin username or password")
        if resp.status_code == 404:
            raise PanelAuthError("token endpoint not found: check the panel URL")
        if resp.status_code != 200:
            raise PanelAuthError(f"token request refused: HTTP {resp.status_code} {_detail(resp)}")
        try:
            token = resp.json().get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not token:
            raise PanelTransientError("token endpoint answered without a token")
        self._token = str(token)
        self._epoch += 1
        log.info("panel_login", server=self.config.name, auth="oauth2")

    async def _ensure_token(self) -> None:
        if self._token is None:
            async with self._lock:
                if self._token is None:
                    await self._authenticate()

    async def _reauthenticate(self, seen_epoch: int) -> None:
        async with self._lock:
            if self._epoch == seen_epoch:
                await self._authenticate()

    async def _api(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        retry: bool = True,
    ) -> Any:
        """Call `/api/<path>` with the admin token; a 401 fetches a new token and retries once."""
        await self._ensure_token()
        for attempt in (1, 2):
            epoch = self._epoch
            resp = await self._http.send(
                method,
                f"{self._base}/api/{path}",
                json=json_body,
                params=params,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                retry=retry,
            )
            if resp.status_code == 401 and attempt == 1:
                await self._reauthenticate(epoch)
                continue
            return self._result(resp)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _result(resp: httpx.Response) -> Any:
        code = resp.status_code
        if code == 200:
            try:
                return resp.json()
            except ValueError:
                raise PanelTransientError("HTTP 200 without JSON") from None
        detail = _detail(resp)
        if code == 401:
            raise PanelAuthError(f"token refused: {detail}")
        if code == 404 and detail == "Not Found":  # FastAPI's unknown route, not "User not found"
            raise PanelTechnicalError("API route not found: check the panel URL")
        if code == 404:
            raise ClientNotFound(detail)
        if code == 409:
            raise ClientAlreadyExists(detail)
        raise PanelBadInput(f"HTTP {code}: {detail}")

    def _absolute(self, url: str | None) -> str | None:
        if not url:
            return None
        return url if url.startswith(("http://", "https://")) else self._origin + "/" + url.lstrip("/")

    def _state(self, user: dict[str, Any]) -> ClientState:
        proxies = user.get("proxies") or {}
        credential = next(
            (
                str(proxies[p][k])
                for p, k in _CREDENTIAL_KEYS
                if isinstance(proxies.get(p), dict) and proxies[p].get(k)
            ),
            None,
        )
        return ClientState(
            identity=str(user.get("username") or ""),
            credential=credential,
            sub_id=None,
            expires_at=_seconds_to_datetime(user.get("expire")),
            traffic_limit_bytes=int(user.get("data_limit") or 0) or None,
            device_limit=None,
            enabled=user.get("status") != "disabled",
            used_bytes=int(user.get("used_traffic") or 0),
            inbounds=[tag for tags in (user.get("inbounds") or {}).values() for tag in tags],
            links=[str(link) for link in user.get("links") or []],
            config_url=self._absolute(user.get("subscription_url")),
        )

    @staticmethod
    def _limits(spec: ClientSpec) -> dict[str, Any]:
        return {
            "expire": int(spec.expires_at.timestamp()) if spec.expires_at else 0,
            "data_limit": spec.traffic_limit_bytes or 0,
        }

    def _user_path(self, identity: str) -> str:
        return f"user/{quote(identity, safe='')}"

    # --- the Protocol ---------------------------------------------------------------------------

    async def check(self) -> PanelInfo:
        """Get a token (if needed) and read /api/system."""
        system = await self._api("GET", "system")
        self._version = (
            str(system.get("version")) if isinstance(system, dict) and system.get("version") else None
        )
        return PanelInfo(PanelType.marzban, self._version, GENERATION)

    async def list_inbounds(self) -> list[PanelInbound]:
        """Inbound tags per protocol from the Xray config."""
        result = await self._api("GET", "inbounds")
        return [
            PanelInbound(
                ref=str(item.get("tag")),
                protocol=str(item.get("protocol") or proto),
                port=item.get("port"),
                remark=f"{item.get('network', '')}/{item.get('tls', '')}".strip("/"),
            )
            for proto, items in (result or {}).items()
            for item in items or []
            if isinstance(item, dict)
        ]

    async def create_client(self, spec: ClientSpec) -> ClientState:
        """POST /api/user with proxies and inbounds always sent (leaving inbounds out gives no links)."""
        body: dict[str, Any] = {
            "username": spec.identity,
            "proxies": {proto: dict(conf or {}) for proto, conf in self._proxies.items()},
            "inbounds": self._inbounds,
            "data_limit_reset_strategy": "no_reset",
            "status": "active",
            "note": spec.note[:500],
            **self._limits(spec),
        }
        user = await self._api("POST", "user", json_body=body)
        if not spec.enabled:  # create accepts only active/on_hold
            user = await self._api("PUT", self._user_path(spec.identity), json_body={"status": "disabled"})
        log.info("vpn_client_created", server=self.config.name, identity=spec.identity, panel="marzban")
        return self._state(user)

    async def get_client(self, identity: str) -> ClientState:
        """GET /api/user/{username} (usernames are case-insensitive)."""
        return self._state(await self._api("GET", self._user_path(identity)))

    async def update_client(self, spec: ClientSpec) -> ClientState:
        """PUT only expiry, quota and status: a `proxies` entry would regenerate the credentials."""
        body = {**self._limits(spec), "status": "active" if spec.enabled else "disabled"}
        return self._state(await self._api("PUT", self._user_path(spec.identity), json_body=body))

    async def delete_client(self, identity: str) -> None:
        """DELETE /api/user/{username}; a failed answer is confirmed with a GET (0.8.4 answers 500 yet deletes)."""
        try:
            await self._api("DELETE", self._user_path(identity), retry=False)
        except PanelTransientError as exc:
            try:
                await self._api("GET", self._user_path(identity))
            except ClientNotFound:
                log.info("panel_delete_confirmed_by_get", server=self.config.name, identity=identity)
            else:
                raise exc from None
        log.info("vpn_client_deleted", server=self.config.name, identity=identity, panel="marzban")

    async def reset_traffic(self, identity: str) -> None:
        """POST /api/user/{username}/reset (note: it re-activates disabled users; callers re-apply state)."""
        await self._api("POST", f"{self._user_path(identity)}/reset")

    async def _all_users(self) -> list[dict[str, Any]]:
        users: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await self._api(
                "GET", "users", params={"offset": offset, "limit": PAGE, "sort": "created_at"}
            )
            items = [u for u in (page or {}).get("users") or [] if isinstance(u, dict)]
            users.extend(items)
            offset += len(items)
            if not items or offset >= int((page or {}).get("total") or 0):
                return users

    async def list_clients(self) -> list[ClientState]:
        """Every user, page by page."""
        return [self._state(u) for u in await self._all_users()]

    async def online_clients(self) -> list[str]:
        """Users seen online in the last few minutes (Marzban has no live list)."""
        since = datetime.now(UTC) - ONLINE_WINDOW
        return sorted(
            str(u["username"])
            for u in await self._all_users()
            if (seen := _naive_utc(u.get("online_at"))) is not None and seen >= since
        )

    async def share_links(self, identity: str) -> list[str]:
        """The `links` Marzban returns for the user."""
        return (await self.get_client(identity)).links

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
