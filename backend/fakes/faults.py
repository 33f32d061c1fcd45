"""Fault injection for protocol fakes: latency, 500s, hangs, garbage answers and a parallelism limit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

HANG_LIMIT_SECONDS = 60.0


@dataclass
class Faults:
    """Switches a test flips to make a fake misbehave like a sick server."""

    latency: float = 0.0
    fail_next: int = 0  # answer the next N requests with HTTP 500 and an empty body
    fail_all: bool = False
    hang: bool = False  # keep requests open (until the client times out or the switch is turned off)
    garbage: bool = False  # HTTP 200 with an HTML page instead of JSON
    max_parallel: int | None = None
    overflow: Literal["503", "hang"] = "503"
    requests: int = 0
    in_flight: int = 0
    peak_parallel: int = 0

    def heal(self) -> None:
        """Back to a healthy server (counters are kept)."""
        self.latency = 0.0
        self.fail_next = 0
        self.fail_all = self.hang = self.garbage = False
        self.max_parallel = None


async def _answer(send: Send, status: int, body: bytes = b"", content_type: bytes = b"text/plain") -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _hang(faults: Faults, still: str) -> None:
    waited = 0.0
    while getattr(faults, still) and waited < HANG_LIMIT_SECONDS:
        await asyncio.sleep(0.05)
        waited += 0.05


class FaultInjector:
    """ASGI middleware in front of a fake: applies the current Faults to every HTTP request."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Misbehave as configured, otherwise pass the request to the fake."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        f = self.faults
        f.requests += 1
        f.in_flight += 1
        f.peak_parallel = max(f.peak_parallel, f.in_flight)
        try:
            if f.max_parallel is not None and f.in_flight > f.max_parallel:
                if f.overflow == "hang":
                    await _hang(f, "max_parallel")
                await _answer(send, 503, b"Service Unavailable")
                return
            if f.latency:
                await asyncio.sleep(f.latency)
            if f.hang:
                await _hang(f, "hang")
            if f.fail_next > 0 or f.fail_all:
                f.fail_next = max(0, f.fail_next - 1)
                await _answer(send, 500)
                return
            if f.garbage:
                await _answer(send, 200, b"<html><body>502 Bad Gateway</body></html>", b"text/html")
                return
            await self.app(scope, receive, send)
        finally:
            f.in_flight -= 1
