#!/usr/bin/env bash
# `make dev`: installs what is missing, starts PostgreSQL and Redis under .data/dev, migrates, seeds the
# demo catalog, bootstraps the admin, then runs API + worker (+ bot with a token, + the admin SPA) until
# Ctrl-C. Variables set in the environment win over .env; .env wins over the generated development secrets.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

API_PORT="${API_PORT:-8000}"
WEB_PORT="${WEB_PORT:-5173}"
DEV_DIR="$DATA_ROOT/dev"
LOG_DIR="$DEV_DIR/logs"
mkdir -p "$LOG_DIR"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$API_PORT" "$WEB_PORT"; do
  port_busy "$p" && die "port $p is in use (another make dev still running?); stop it or set API_PORT/WEB_PORT"
done

bash "$ROOT/infra/local/setup.sh" python web

load_dev_secrets

# PostgreSQL and Redis: local processes unless DATABASE_URL / REDIS_URL point elsewhere.
if [ -z "$(env_or_dotenv DATABASE_URL)" ] || [ -z "$(env_or_dotenv REDIS_URL)" ]; then
  bash "$ROOT/infra/local/services.sh" start dev
  # shellcheck disable=SC1091
  source "$DEV_DIR/services.env"
  [ -n "$(env_or_dotenv DATABASE_URL)" ] || export DATABASE_URL="$LOCAL_DATABASE_URL"
  [ -n "$(env_or_dotenv REDIS_URL)" ] || export REDIS_URL="$LOCAL_REDIS_URL"
  STARTED_SERVICES=1
fi
[ -n "$(env_or_dotenv PUBLIC_BASE_URL)" ] || export PUBLIC_BASE_URL="http://127.0.0.1:$API_PORT"
[ -n "$(env_or_dotenv API_BASE_URL)" ] || export API_BASE_URL="http://127.0.0.1:$API_PORT"
[ -n "$(env_or_dotenv CORS_ORIGINS)" ] || export CORS_ORIGINS="http://127.0.0.1:$WEB_PORT,http://localhost:$WEB_PORT"
export LOG_JSON="${LOG_JSON:-false}"

PIDS=()
cleanup() {
  trap - INT TERM EXIT
  log "stopping..."
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "${STARTED_SERVICES:-0}" = 1 ] && bash "$ROOT/infra/local/services.sh" stop dev
  log "stopped"
}
trap cleanup INT TERM EXIT

cd "$ROOT/backend" || exit 1
.venv/bin/python -m app.cli check-config
log "migrating"
.venv/bin/alembic upgrade head >"$LOG_DIR/migrate.log" 2>&1 || { cat "$LOG_DIR/migrate.log"; die "migration failed"; }
.venv/bin/python -m app.cli seed-demo
.venv/bin/python -m app.cli bootstrap-admin

if [ -f "$ROOT/infra/local/sandbox.sh" ]; then
  # shellcheck disable=SC1091
  source "$ROOT/infra/local/sandbox.sh"
fi

start() {
  local name="$1"; shift
  "$@" > >(tee -a "$LOG_DIR/$name.log" | sed -u "s/^/[$name] /") 2>&1 &
  PIDS+=($!)
}

start api .venv/bin/uvicorn app.main:create_app --factory --host 127.0.0.1 --port "$API_PORT" --no-access-log
start worker .venv/bin/arq app.worker.settings.WorkerSettings

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$API_PORT/readyz" >/dev/null || die "the API did not become ready (see .data/dev/logs/api.log)"

if [ -n "$(env_or_dotenv TELEGRAM_BOT_TOKEN)" ]; then
  cd "$ROOT/bot" || exit 1
  start bot .venv/bin/python -m bot
  cd "$ROOT" || exit 1
  BOT_STATE="running (long polling)"
else
  BOT_STATE="not started: set TELEGRAM_BOT_TOKEN in .env (or try \`make chat\`)"
fi

if [ -f "$ROOT/admin-web/package.json" ]; then
  (cd "$ROOT/admin-web" && VITE_API_BASE_URL="" npm run --silent build >"$LOG_DIR/web-build.log" 2>&1) \
    || { tail -20 "$LOG_DIR/web-build.log"; die "admin-web build failed"; }
  cd "$ROOT/admin-web" || exit 1
  VITE_PROXY_TARGET="http://127.0.0.1:$API_PORT" start web ./node_modules/.bin/vite preview --host 127.0.0.1 \
    --port "$WEB_PORT" --strictPort
  cd "$ROOT" || exit 1
  WEB_STATE="http://127.0.0.1:$WEB_PORT"
else
  WEB_STATE="(admin-web not built yet)"
fi

ADMIN_USER="$(env_or_dotenv ADMIN_USERNAME)"
ADMIN_PASS="$(env_or_dotenv ADMIN_PASSWORD)"
cat <<EOF

  VPN shop is running (Ctrl-C stops everything)
  ─────────────────────────────────────────────
  Admin panel   $WEB_STATE
  API           http://127.0.0.1:$API_PORT   (docs: http://127.0.0.1:$API_PORT/docs)
  Readiness     http://127.0.0.1:$API_PORT/readyz
  Admin login   $ADMIN_USER / $ADMIN_PASS
                (created on the first start only; later changes of ADMIN_PASSWORD are ignored)
  Bot           $BOT_STATE
  Logs          .data/dev/logs/

EOF
wait -n "${PIDS[@]}" || true
log "a process exited; see .data/dev/logs"
