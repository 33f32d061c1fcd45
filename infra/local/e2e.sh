#!/usr/bin/env bash
# End-to-end tests of the admin SPA: a real backend (uvicorn on a migrated, seeded database with a
# bootstrapped owner), the built SPA served by `vite preview` (which proxies /api), Playwright with the
# system's Chromium. Screenshots land in admin-web/test-results/screenshots. Everything started here is
# stopped on exit, also on failure.
#   TEST_E2E_DATABASE_URL / TEST_E2E_REDIS_URL come from test.sh; without them the test services start here.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WEB="$ROOT/admin-web"
BACKEND="$ROOT/backend"
RESULTS="$WEB/test-results"
LOGS="$RESULTS/logs"
rm -rf "$RESULTS/screenshots" "$LOGS"
mkdir -p "$LOGS"

PIDS=()
STARTED_SERVICES=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$STARTED_SERVICES" = 1 ] && bash "$ROOT/infra/local/services.sh" stop test >/dev/null 2>&1
  if [ "$status" != 0 ]; then
    log "e2e failed; logs in admin-web/test-results/logs, traces in admin-web/test-results/playwright"
    tail -n 20 "$LOGS/api.log" 2>/dev/null >&2 || true
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

bash "$ROOT/infra/local/setup.sh" python web browser
if [ -z "${TEST_E2E_DATABASE_URL:-}" ] || [ -z "${TEST_E2E_REDIS_URL:-}" ]; then
  bash "$ROOT/infra/local/services.sh" start test
  STARTED_SERVICES=1
  # shellcheck disable=SC1091
  source "$DATA_ROOT/test/services.env"
  TEST_E2E_DATABASE_URL="$PG_BASE_URL/vpnshop_e2e_test"
  TEST_E2E_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/2"
fi

API_PORT="$(free_port)"
WEB_PORT="$(free_port)"
OWNER_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
export DATABASE_URL="$TEST_E2E_DATABASE_URL" REDIS_URL="$TEST_E2E_REDIS_URL"
export ENVIRONMENT=test LOG_JSON=true LOG_LEVEL=WARNING SHOP_NAME="VPN Shop"
JWT_SECRET_KEY="e2e-jwt-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
SECRET_KEY="e2e-key-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
BOT_SERVICE_TOKEN="e2e-bot-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export JWT_SECRET_KEY SECRET_KEY BOT_SERVICE_TOKEN
export ADMIN_USERNAME=owner ADMIN_PASSWORD="$OWNER_PASSWORD"
export PUBLIC_BASE_URL="http://127.0.0.1:$WEB_PORT" CORS_ORIGINS="http://127.0.0.1:$WEB_PORT"

log "e2e: fresh database and Redis"
(cd "$BACKEND" && .venv/bin/python - "$DATABASE_URL" <<'PY'
import asyncio, sys
import asyncpg

async def main(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()

asyncio.run(main(sys.argv[1]))
PY
)
redis-cli -u "$REDIS_URL" flushdb >/dev/null
(cd "$BACKEND" && .venv/bin/alembic upgrade head >"$LOGS/migrate.log" 2>&1) || { cat "$LOGS/migrate.log"; die "migration failed"; }
(cd "$BACKEND" && .venv/bin/python -m app.cli seed-demo && .venv/bin/python -m app.cli bootstrap-admin) >"$LOGS/seed.log" 2>&1 \
  || { cat "$LOGS/seed.log"; die "seeding failed"; }

log "e2e: API on 127.0.0.1:$API_PORT"
(cd "$BACKEND" && exec .venv/bin/uvicorn app.main:create_app --factory --host 127.0.0.1 --port "$API_PORT" --no-access-log) \
  >"$LOGS/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$API_PORT/readyz" >/dev/null || die "the API did not become ready (admin-web/test-results/logs/api.log)"

log "e2e: building the SPA, serving it on 127.0.0.1:$WEB_PORT"
(cd "$WEB" && VITE_API_BASE_URL="" ./node_modules/.bin/vite build --logLevel warn) >"$LOGS/build.log" 2>&1 \
  || { cat "$LOGS/build.log"; die "admin-web build failed"; }
(cd "$WEB" && VITE_PROXY_TARGET="http://127.0.0.1:$API_PORT" exec ./node_modules/.bin/vite preview \
  --host 127.0.0.1 --port "$WEB_PORT" --strictPort) >"$LOGS/web.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$WEB_PORT/api/v1/locations" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$WEB_PORT/api/v1/locations" >/dev/null || die "vite preview did not start (admin-web/test-results/logs/web.log)"

log "e2e: running Playwright"
cd "$WEB"
E2E_BASE_URL="http://127.0.0.1:$WEB_PORT" E2E_OWNER_USERNAME=owner E2E_OWNER_PASSWORD="$OWNER_PASSWORD" \
  ./node_modules/.bin/playwright test "$@"
log "e2e: screenshots in admin-web/test-results/screenshots"
