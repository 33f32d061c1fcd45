"""The outgoing HTTP client every integration gets injected."""

from __future__ import annotations

import httpx

# A stuck provider or panel must not hold a request or a job for long.
HTTP_TIMEOUT = httpx.Timeout(15, connect=5)


def new_http_client() -> httpx.AsyncClient:
    """A pooled client with timeouts and our User-Agent."""
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT, headers={"User-Agent": "vpnshop/1.0"})
