"""The list of routers under /api/v1, grouped by who calls them (and so how they are limited)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.admin_auth.deps import get_principal
from app.admin_auth.endpoints import accounts_router as admin_accounts_router
from app.admin_auth.endpoints import router as admin_auth_router
from app.api_keys.endpoints import router as api_keys_router
from app.audit.endpoints import router as audit_router
from app.billing.endpoints import admin_router as billing_admin_router
from app.billing.endpoints import customer_router as billing_customer_router
from app.broadcasts.endpoints import router as broadcasts_router
from app.catalog.endpoints import admin_router as catalog_admin_router
from app.catalog.endpoints import public_router as catalog_public_router
from app.dashboard.endpoints import router as dashboard_router
from app.payments.endpoints import admin_router as payments_admin_router
from app.payments.endpoints import bot_router as payments_bot_router
from app.payments.endpoints import customer_router as payments_customer_router
from app.payments.endpoints import public_router as payments_public_router
from app.payments.endpoints import webhook_router as payments_webhook_router
from app.promo.endpoints import admin_router as promo_admin_router
from app.promo.endpoints import customer_router as promo_customer_router
from app.purchases.endpoints import router as purchases_router
from app.ratelimit.deps import limit_public, limit_webhooks
from app.referrals.endpoints import router as referrals_router
from app.servers.endpoints import router as servers_router
from app.shop_settings.endpoints import public_router as shop_info_router
from app.shop_settings.endpoints import router as settings_router
from app.subscriptions.endpoints import admin_router as subscriptions_admin_router
from app.subscriptions.endpoints import customer_router as subscriptions_customer_router
from app.support.endpoints import admin_router as support_admin_router
from app.support.endpoints import customer_router as support_customer_router
from app.users.admin_endpoints import router as users_admin_router
from app.users.endpoints import auth_router as users_auth_router
from app.users.endpoints import router as users_router

api_router = APIRouter(prefix="/api/v1")

# Logins, customers (limited per customer by CurrentUser) and the bot's own routes (X-Bot-Token).
for r in (
    admin_auth_router,
    users_auth_router,
    users_router,
    support_customer_router,
    subscriptions_customer_router,
    payments_customer_router,
    billing_customer_router,
    purchases_router,
    promo_customer_router,
    referrals_router,
    payments_bot_router,
):
    api_router.include_router(r)

# Public reads, limited per address.
for r in (catalog_public_router, shop_info_router, payments_public_router):
    api_router.include_router(r, dependencies=[Depends(limit_public)])

api_router.include_router(payments_webhook_router, dependencies=[Depends(limit_webhooks)])

# Admin routers: authentication runs before anything else of the route (a 401 never turns into a 404),
# and each route adds its role guard (RequireRole) in `dependencies=`.
for r in (
    catalog_admin_router,
    servers_router,
    admin_accounts_router,
    audit_router,
    subscriptions_admin_router,
    users_admin_router,
    support_admin_router,
    broadcasts_router,
    settings_router,
    api_keys_router,
    dashboard_router,
    payments_admin_router,
    billing_admin_router,
    promo_admin_router,
):
    api_router.include_router(r, dependencies=[Depends(get_principal)])
