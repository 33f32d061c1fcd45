#!/usr/bin/env bash
# `make chat`: talk to the real bot in this terminal. Runs a local Telegram Bot API emulator, the API and
# the worker (notifications go to the emulator), and the bot polling the emulator, on the PostgreSQL and
# Redis of `make dev` (started when not running; migrated and seeded). Type text to send it, a number to
# press that button; /quit or Ctrl-D stops everything this script started.
#   CHAT_USER_ID, CHAT_NAME, CHAT_LANGUAGE   who you are in the chat (default 100001, Demo, ru)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CHAT_DIR="$DATA_ROOT/chat"
LOG_DIR="$CHAT_DIR/logs"
mkdir -p "$LOG_DIR"
EMULATOR_TOKEN="100000:chat-emulator-token"

[ -z "$(env_or_dotenv TELEGRAM_WEBHOOK_URL)" ] \
  || die "TELEGRAM_WEBHOOK_URL is set (env or .env): make chat runs the bot with long polling; unset it first"

bash "$ROOT/infra/local/setup.sh" python
load_dev_secrets

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
STARTED_SERVICES=0
if [ -z "$(env_or_dotenv DATABASE_URL)" ] || [ -z "$(env_or_dotenv REDIS_URL)" ]; then
  port_busy "${LOCAL_PG_PORT:-54329}" || STARTED_SERVICES=1
  bash "$ROOT/infra/local/services.sh" start dev
  # shellcheck disable=SC1091
  source "$DATA_ROOT/dev/services.env"
  [ -n "$(env_or_dotenv DATABASE_URL)" ] || export DATABASE_URL="$LOCAL_DATABASE_URL"
  # A Redis database of its own: the queue of this worker must not be shared with a running make dev.
  [ -n "$(env_or_dotenv REDIS_URL)" ] || export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/5"
fi

EMULATOR_PORT="$(free_port)"
API_PORT="$(free_port)"
export TELEGRAM_BOT_TOKEN="$EMULATOR_TOKEN"
export TELEGRAM_API_URL="http://127.0.0.1:$EMULATOR_PORT"
export API_BASE_URL="http://127.0.0.1:$API_PORT"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$API_PORT}"
export LOG_JSON=false

PIDS=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$STARTED_SERVICES" = 1 ] && bash "$ROOT/infra/local/services.sh" stop dev
  log "chat stopped (logs in .data/chat/logs/)"
}
trap cleanup INT TERM EXIT

wait_url() {
  local url="$1" name="$2"
  for _ in $(seq 1 150); do
    curl -fsS "$url" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "$name did not start (see .data/chat/logs/$name.log)"
}

cd "$ROOT/backend"
.venv/bin/alembic upgrade head >"$LOG_DIR/migrate.log" 2>&1 || { cat "$LOG_DIR/migrate.log"; die "migration failed"; }
.venv/bin/python -m app.cli seed-demo >>"$LOG_DIR/migrate.log" 2>&1

.venv/bin/python -m fakes.telegram serve --port "$EMULATOR_PORT" --token "$EMULATOR_TOKEN" \
  --username vpnshop_local_bot >"$LOG_DIR/emulator.log" 2>&1 &
PIDS+=($!)
.venv/bin/uvicorn app.main:create_app --factory --host 127.0.0.1 --port "$API_PORT" --no-access-log \
  >"$LOG_DIR/api.log" 2>&1 &
PIDS+=($!)
.venv/bin/arq app.worker.settings.WorkerSettings >"$LOG_DIR/worker.log" 2>&1 &
PIDS+=($!)
wait_url "$TELEGRAM_API_URL/_emulator/state" emulator
wait_url "$API_BASE_URL/readyz" api

(cd "$ROOT/bot" && exec .venv/bin/python -m bot) >"$LOG_DIR/bot.log" 2>&1 &
PIDS+=($!)

log "emulator $TELEGRAM_API_URL · API $API_BASE_URL · logs .data/chat/logs/"
.venv/bin/python -m fakes.telegram chat --url "$TELEGRAM_API_URL" --user-id "${CHAT_USER_ID:-100001}" \
  --first-name "${CHAT_NAME:-Demo}" --language "${CHAT_LANGUAGE:-ru}"
