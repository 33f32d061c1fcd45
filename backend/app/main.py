"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from arq.connections import ArqRedis
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.admin_auth.service import bootstrap_owner
from app.api import api_router
from app.config import Settings, load_settings_or_exit
from app.db import create_engine, create_sessionmaker, unit_of_work
from app.errors import install_error_handlers
from app.health.endpoints import router as health_router
from app.kit.crypto import configure_encryption
from app.logging import configure_logging, register_secret
from app.middleware import AccessLogMiddleware
from app.ratelimit.deps import build_limiters
from app.redis import create_redis
from app.servers.bootstrap import bootstrap_servers
from app.subscriptions.sublink import router as subscription_link_router
from app.worker.enqueue import configure_queue

log = structlog.get_logger(__name__)

OPENAPI_TAGS = [
    {"name": "auth", "description": "Staff login (JWT access + refresh) and the bot's customer login."},
    {"name": "customer", "description": "What a customer does, with the customer token the bot obtains."},
    {"name": "catalog", "description": "Public: locations and tariffs on sale."},
    {"name": "admin: catalog", "description": "Locations and tariffs (staff JWT or API key)."},
    {"name": "admin: servers", "description": "VPN panels; credentials are write-only."},
    {
        "name": "admin: subscriptions",
        "description": "Customers' VPN access: list, extend, grant, pause, drift.",
    },
    {"name": "subscription link", "description": "`/sub/{token}`: every active subscription in one link."},
    {"name": "admin: accounts", "description": "Staff accounts and roles (owner only)."},
    {"name": "admin: audit log", "description": "Every admin write: who, what, before/after, from where."},
    {
        "name": "admin: users",
        "description": "Customers: search, the customer page and history, block, message.",
    },
    {"name": "admin: support", "description": "The ticket queue; replies reach customers in Telegram."},
    {
        "name": "admin: broadcasts",
        "description": "Messages to a segment of customers, sent under Telegram's limits, resumable.",
    },
    {
        "name": "admin: settings",
        "description": "Typed shop settings (owner and admin); public ones in /shop-info.",
    },
    {
        "name": "admin: API keys",
        "description": "Keys for third parties (owner only). A key is shown once; send it as a header:\n\n"
        "`curl -H 'X-API-Key: vsk_...' https://shop.example/api/v1/admin/users?q=alice`\n\n"
        "Each admin route names the scope it needs (e.g. `users:read`); a key without it gets 403, "
        "a revoked key 401.",
    },
    {"name": "admin: dashboard", "description": "The shop's numbers: customers, revenue, trials, servers."},
    {"name": "payments", "description": "Public: the payment methods on offer and their limits."},
    {"name": "bot", "description": "Called by the bot with X-Bot-Token: Telegram Stars checkout reports."},
    {
        "name": "webhooks",
        "description": "Payment providers' signed notifications (Crypto Pay, xRocket, Sever Pay).",
    },
    {
        "name": "admin: payments",
        "description": "Payments with totals, CSV export, refunds, the webhook inbox.",
    },
    {"name": "admin: ledger", "description": "Every balance change; manual balance adjustments."},
    {"name": "admin: promo codes", "description": "Balance, discount and free-days codes and their uses."},
    {"name": "health", "description": "Liveness and readiness probes."},
]

DESCRIPTION = """
The HTTP API of the VPN shop. Three kinds of callers:

* **Staff** log in with `POST /api/v1/auth/login` and send `Authorization: Bearer <access_token>`
  (scheme *AdminJWT*). Roles: owner > admin > support.
* **The bot** logs customers in with `POST /api/v1/auth/telegram` and header `X-Bot-Token`, then acts
  for each customer with their token (scheme *UserJWT*).
* **Third parties** send `X-API-Key: vsk_...` (scheme *ApiKey*); a key carries scopes such as
  `catalog:read` or `users:write`, and each admin route names the scope it needs.

Errors are JSON `{"error": "<CodeName>", "detail": "<text>"}`; 422 keeps FastAPI's validation list.
Money is RUB as decimal strings (`"49.00"`). Lists take `?page=&size=` and `?sort=field,-other`.
"""


def attach_resources(app: FastAPI, engine: AsyncEngine, redis: ArqRedis) -> None:
    """Hang the database, Redis and the limiters on the app (lifespan, and tests with their own)."""
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.redis = redis
    app.state.limiters = build_limiters(app.state.settings, redis)
    configure_queue(redis)


async def _bootstrap_owner(app: FastAPI) -> None:
    """Create the first owner and the *_PANELS servers on first start; a database that is down must not stop the API."""
    try:
        async with unit_of_work(app.state.sessionmaker) as session:
            await bootstrap_owner(session, app.state.settings)
            await bootstrap_servers(session, app.state.settings)
    except IntegrityError:
        pass  # another replica created it at the same moment
    except Exception as exc:
        log.warning("admin_bootstrap_skipped", error=str(exc) or type(exc).__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API app; tests pass their own settings."""
    settings = settings or load_settings_or_exit()
    configure_logging(settings.log_level, json_output=settings.log_json)
    configure_encryption(
        settings.secret_key.get_secret_value(),
        settings.secret_key_previous.get_secret_value() if settings.secret_key_previous else None,
    )
    for secret in (
        settings.bot_service_token,
        settings.telegram_bot_token,
        settings.crypto_pay_token,
        settings.xrocket_pay_key,
        settings.sever_pay_api_key,
        settings.jwt_secret_key,
        settings.secret_key,
        settings.admin_password,
    ):
        register_secret(secret.get_secret_value() if secret else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        redis = create_redis(settings)
        attach_resources(app, engine, redis)
        await _bootstrap_owner(app)
        try:
            yield
        finally:
            await app.state.limiters.close()
            http = getattr(app.state, "http", None)
            if http is not None:
                await http.aclose()
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title=f"{settings.shop_name} API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "Content-Disposition"],
        max_age=600,
    )
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    app.include_router(health_router)
    app.include_router(api_router)
    app.include_router(subscription_link_router)
    Instrumentator(excluded_handlers=["/metrics", "/healthz"]).instrument(app).expose(
        app, include_in_schema=False, should_gzip=True
    )
    return app
