"""The HTTP layer under every panel adapter: bounded parallelism and retries for transient failures."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from app.integrations.panels.base import PanelTransientError

log = structlog.get_logger(__name__)

USER_AGENT = "vpnshop-panel-client/1.0"


def make_http_client(
    *, timeout: float, connect_timeout: float, max_parallel: int, verify: bool
) -> httpx.AsyncClient:
    """One client per server: its own cookie jar (3x-ui sessions) and connection pool."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        limits=httpx.Limits(max_connections=max_parallel, max_keepalive_connections=max_parallel),
        headers={"User-Agent": USER_AGENT, "Accept-Language": "en-US"},
        follow_redirects=False,
        verify=verify,
    )


class PanelHttp:
    """Sends requests to one panel: at most `max_parallel` at once, transient failures retried with backoff."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        server: str,
        max_parallel: int,
        attempts: int,
        backoff_seconds: float,
    ) -> None:
        self.client = http
        self._server = server
        self._gate = asyncio.Semaphore(max_parallel)
        self._attempts = max(1, attempts)
        self._backoff = backoff_seconds

    async def _send_once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async with self._gate:
            try:
                resp = await self.client.request(method, url, **kwargs)
            except httpx.TimeoutException as exc:
                raise PanelTransientError(f"{method} {_path(url)}: timed out") from exc
            except httpx.HTTPError as exc:
                raise PanelTransientError(f"{method} {_path(url)}: {type(exc).__name__}") from exc
        if resp.status_code >= 500:
            raise PanelTransientError(f"{method} {_path(url)}: HTTP {resp.status_code}")
        return resp

    async def send(self, method: str, url: str, *, retry: bool = True, **kwargs: Any) -> httpx.Response:
        """One exchange; network errors and 5xx raise PanelTransientError after the retries are spent."""
        if not retry:
            return await self._send_once(method, url, **kwargs)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(PanelTransientError),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=max(self._backoff * 8, 0.0)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    log.info(
                        "panel_request_retry",
                        server=self._server,
                        method=method,
                        path=_path(url),
                        attempt=attempt.retry_state.attempt_number,
                    )
                return await self._send_once(method, url, **kwargs)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()


def _path(url: str) -> str:
    # Log the path only: 3x-ui's secret base path is part of it, so keep just the route after it.
    path = httpx.URL(url).path
    for marker in ("/panel/api/", "/api/"):
        if marker in path:
            return marker.rstrip("/") + "/" + path.split(marker, 1)[1]
    return path.rsplit("/", 1)[-1] or "/"
