"""The yardsticks measured in the same run as the API: a bare FastAPI endpoint and a one-query one.

`/bare` returns a constant; `/one-query` runs one primary-key SELECT on the users table through an
asyncpg pool. Served by the same uvicorn settings as the API (see common.uvicorn_cmd).
"""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

DSN = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")


def create_app() -> FastAPI:
    """The baseline app."""
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(DSN, min_size=5, max_size=10)
        state["pool"] = pool
        state["ids"] = [r["id"] for r in await pool.fetch("SELECT id FROM users LIMIT 5000")]
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/bare")
    async def bare() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/one-query")
    async def one_query() -> dict[str, Any]:
        row = await state["pool"].fetchrow(
            "SELECT id, telegram_id, username, balance FROM users WHERE id = $1", random.choice(state["ids"])
        )
        return {"id": str(row["id"]), "telegram_id": row["telegram_id"], "username": row["username"],
                "balance": str(row["balance"])}

    return app
