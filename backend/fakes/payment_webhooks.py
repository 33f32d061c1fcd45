"""What the payment-provider fakes share: webhook delivery with retries and misbehaviour switches.

A provider "pays" an invoice and POSTs a signed notification to the shop's webhook URL; when the
shop does not acknowledge it, the provider tries again later. Tests flip switches to send forged,
unsigned, duplicated or lost notifications.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request


@dataclass
class WebhookSwitches:
    """How the next notifications misbehave (all off = a well-behaved provider)."""

    lost: bool = False  # never sent, as if the network ate it
    forge: bool = False  # signed with the wrong key
    unsigned: bool = False  # signature left out
    copies: int = 1  # the same notification this many times, concurrently
    tamper: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # edit the body AFTER signing


@dataclass
class Delivery:
    """One notification and what happened to each attempt."""

    body: bytes
    headers: dict[str, str]
    statuses: list[int | str] = field(default_factory=list)
    delivered: bool = False


def iso(ts: datetime) -> str:
    """ISO 8601 with milliseconds and Z, as Crypto Pay and xRocket write dates."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def token_hash_sign(token: str, body: bytes) -> str:
    """Crypto Pay's and xRocket's signature: hex HMAC-SHA256 of the body keyed with SHA-256(token)."""
    return hmac.new(hashlib.sha256(token.encode()).digest(), body, hashlib.sha256).hexdigest()


def default_accept(resp: httpx.Response) -> bool:
    """Most providers stop retrying on any 2xx."""
    return resp.is_success


class WebhookSender:
    """Delivers notifications in the background, retrying with a schedule like the provider's."""

    def __init__(
        self,
        url: str | None = None,
        *,
        retry_delays: Sequence[float] = (0.05, 0.2, 0.5),
        accept: Callable[[httpx.Response], bool] = default_accept,
    ) -> None:
        self.url = url
        self.retry_delays = list(retry_delays)
        self.accept = accept
        self.switches = WebhookSwitches()
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def dispatch(self, body: bytes, headers: dict[str, str]) -> list[Delivery]:
        """Queue a notification (the switches decide how many copies and whether it goes at all)."""
        if self.switches.lost or self.url is None:
            return []
        out = []
        for _ in range(max(1, self.switches.copies)):
            delivery = Delivery(body=body, headers={"Content-Type": "application/json", **headers})
            self.deliveries.append(delivery)
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            out.append(delivery)
        return out

    def dispatch_header_signed(self, body: bytes, header: str, token: str) -> list[Delivery]:
        """Sign `body` into `header` like Crypto Pay and xRocket, then apply the switches and send."""
        headers: dict[str, str] = {}
        if not self.switches.unsigned:
            headers[header] = token_hash_sign("forged-" + token if self.switches.forge else token, body)
        if self.switches.tamper is not None:
            body = json.dumps(self.switches.tamper(json.loads(body)), separators=(",", ":")).encode()
        return self.dispatch(body, headers)

    async def _deliver(self, delivery: Delivery) -> None:
        assert self.url is not None
        async with httpx.AsyncClient(timeout=10) as http:
            for delay in [0.0, *self.retry_delays]:
                if delay:
                    await asyncio.sleep(delay)
                try:
                    resp = await http.post(self.url, content=delivery.body, headers=delivery.headers)
                except httpx.HTTPError as exc:
                    delivery.statuses.append(type(exc).__name__)
                    continue
                delivery.statuses.append(resp.status_code)
                if self.accept(resp):
                    delivery.delivered = True
                    return

    async def drain(self) -> None:
        """Wait until every queued notification was delivered or gave up."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def serve_cli(description: str, build: Callable[[argparse.Namespace], Starlette], *extra: str) -> None:
    """`python -m fakes.<provider> --port N --token T --webhook-url URL` for sandboxes and demos."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--webhook-url", default=None)
    for name in extra:
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    uvicorn.run(build(args), host=args.host, port=args.port, log_level="warning")


async def request_params(request: Request) -> dict[str, Any]:
    """Query, JSON, form or multipart parameters, merged (providers accept all of them)."""
    params: dict[str, Any] = dict(request.query_params)
    if request.method in {"POST", "PUT", "PATCH"}:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            try:
                body = await request.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                params.update(body)
        elif ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params
