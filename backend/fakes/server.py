"""Run an ASGI app on a free loopback port inside the current event loop (for tests and the sandbox)."""

from __future__ import annotations

import asyncio
import socket
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BackgroundServer:
    """`async with BackgroundServer(app) as url:` serves `app` over real HTTP until the block ends."""

    def __init__(self, app: ASGIApp, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> str:
        """Start serving and wait until the port accepts connections."""
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(500):
            if self._server.started:
                return self.url
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        raise RuntimeError("fake server did not start")

    async def stop(self) -> None:
        """Stop serving."""
        self._server.should_exit = True
        if self._task is not None:
            await self._task

    async def __aenter__(self) -> str:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
