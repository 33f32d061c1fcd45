#!/usr/bin/env bash
# Installs what the project needs to run and test, idempotently and quickly on a second run:
#   setup.sh python   -> uv, backend/.venv and bot/.venv from their lock files
#   setup.sh web      -> admin-web/node_modules (npm ci)
#   setup.sh browser  -> Debian's chromium for the end-to-end tests
#   setup.sh tools    -> wrk for the benchmarks
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

ensure_uv() {
  if [ ! -x "$TOOLS/uv/bin/uv" ]; then
    log "installing uv into .tools/"
    python3 -m venv "$TOOLS/uv"
    "$TOOLS/uv/bin/pip" install -q 'uv>=0.5,<1'
  fi
  UV="$TOOLS/uv/bin/uv"
}

python_project() {
  local dir="$ROOT/$1" lock="$ROOT/$1/requirements-dev.lock" sum
  [ -f "$lock" ] || die "$1/requirements-dev.lock is missing (make lock)"
  sum="$(cat "$lock" "$dir/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -x "$dir/.venv/bin/python" ] && stamp_ok "$dir/.venv/.installed" "$sum"; then
    return
  fi
  log "installing $1 dependencies"
  [ -x "$dir/.venv/bin/python" ] || "$UV" venv -q --python python3 "$dir/.venv"
  VIRTUAL_ENV="$dir/.venv" "$UV" pip sync -q "$lock"
  echo "$sum" >"$dir/.venv/.installed"
}

setup_python() {
  command -v python3 >/dev/null || die "python3 is required"
  ensure_uv
  python_project backend
  python_project bot
}

setup_web() {
  [ -f "$ROOT/admin-web/package.json" ] || return 0
  command -v npm >/dev/null || apt_install nodejs npm
  local sum
  sum="$(sha256sum "$ROOT/admin-web/package-lock.json" | cut -d' ' -f1)"
  if [ -d "$ROOT/admin-web/node_modules" ] && stamp_ok "$ROOT/admin-web/node_modules/.installed" "$sum"; then
    return
  fi
  log "installing admin-web npm packages"
  (cd "$ROOT/admin-web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$sum" >"$ROOT/admin-web/node_modules/.installed"
}

setup_browser() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  # Flags and other emoji in the e2e screenshots (the admin's own browser has its emoji font).
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || apt_install fonts-noto-color-emoji
}

setup_tools() {
  command -v wrk >/dev/null 2>&1 || apt_install wrk
}

for part in "${@:-python}"; do
  case "$part" in
    python) setup_python ;;
    web) setup_web ;;
    browser) setup_browser ;;
    tools) setup_tools ;;
    *) die "unknown part $part" ;;
  esac
done
