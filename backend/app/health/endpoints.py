"""`/healthz` (process alive), `/readyz` (database and Redis reachable)."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Liveness answer."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Readiness answer with each dependency's state."""

    status: Literal["ready", "not_ready"]
    database: Literal["ok", "down"]
    redis: Literal["ok", "down"]


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    return Health()


async def _check_db(request: Request) -> bool:
    try:
        async with asyncio.timeout(3), request.app.state.engine.connect() as conn:
            await conn.execute(text("select 1"))
        return True
    except Exception:
        return False


async def _check_redis(request: Request) -> bool:
    try:
        async with asyncio.timeout(3):
            return bool(await request.app.state.redis.ping())
    except Exception:
        return False


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(request: Request) -> JSONResponse:
    """Ready when PostgreSQL and Redis both answer; 503 otherwise."""
    db_ok, redis_ok = await asyncio.gather(_check_db(request), _check_redis(request))
    body = Readiness(
        status="ready" if db_ok and redis_ok else "not_ready",
        database="ok" if db_ok else "down",
        redis="ok" if redis_ok else "down",
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ready" else 503)
