#!/usr/bin/env bash
# `make test`: set up, start PostgreSQL and Redis for tests, run every suite, stop what was started.
#   test.sh            -> everything
#   test.sh backend    -> one part: lint | backend | bot | web | e2e | infra
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(lint backend bot web e2e infra)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

bash "$ROOT/infra/local/setup.sh" python
if want web || want e2e; then bash "$ROOT/infra/local/setup.sh" web; fi
if want e2e && [ -f "$ROOT/admin-web/package.json" ]; then bash "$ROOT/infra/local/setup.sh" browser; fi

cleanup() { bash "$ROOT/infra/local/services.sh" stop test >/dev/null 2>&1 || true; }
trap cleanup EXIT
bash "$ROOT/infra/local/services.sh" start test
# shellcheck disable=SC1091
source "$DATA_ROOT/test/services.env"
export TEST_DATABASE_URL="$PG_BASE_URL/vpnshop_test" TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export TEST_BOT_DATABASE_URL="$PG_BASE_URL/vpnshop_bot_test" TEST_BOT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/1"
export TEST_E2E_DATABASE_URL="$PG_BASE_URL/vpnshop_e2e_test" TEST_E2E_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/2"

failed=()
run() {
  local name="$1"; shift
  log "── $name"
  if "$@"; then log "✔ $name"; else log "✘ $name"; failed+=("$name"); fi
}

if want lint; then
  run "backend: ruff" bash -c "cd '$ROOT/backend' && .venv/bin/ruff check . && .venv/bin/ruff format --check ."
  run "backend: mypy" bash -c "cd '$ROOT/backend' && .venv/bin/mypy app fakes"
  run "bot: ruff" bash -c "cd '$ROOT/bot' && .venv/bin/ruff check . && .venv/bin/ruff format --check ."
  run "bot: mypy" bash -c "cd '$ROOT/bot' && .venv/bin/mypy bot"
fi
if want backend; then
  run "backend: pytest" bash -c "cd '$ROOT/backend' && .venv/bin/pytest -q -p no:cacheprovider \
    --cov=app --cov-report=term --cov-fail-under=80"
fi
if want bot; then
  run "bot: pytest" bash -c "cd '$ROOT/bot' && .venv/bin/pytest -q -p no:cacheprovider \
    --cov=bot --cov-report=term --cov-fail-under=80"
fi
if want web && [ -f "$ROOT/admin-web/package.json" ]; then
  run "admin-web: unit, types, build" bash -c "cd '$ROOT/admin-web' && npm run --silent check"
fi
if want e2e && [ -f "$ROOT/admin-web/package.json" ]; then
  run "admin-web: e2e" bash "$ROOT/infra/local/e2e.sh"
fi

if want infra; then
  run "infra: compose, Dockerfiles, nginx, Prometheus, CI, scripts" bash "$ROOT/infra/local/check-infra.sh"
fi

if [ ${#failed[@]} -gt 0 ]; then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "all suites passed"
