"""The shared outgoing HTTP client of the API process."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from app.kit.http import new_http_client


def get_http(request: Request) -> httpx.AsyncClient:
    """One pooled client per app, created on first use and closed at shutdown."""
    http: httpx.AsyncClient | None = getattr(request.app.state, "http", None)
    if http is None:
        http = new_http_client()
        request.app.state.http = http
    return http


HttpDep = Annotated[httpx.AsyncClient, Depends(get_http)]
