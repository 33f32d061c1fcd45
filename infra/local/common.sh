# shellcheck shell=bash
# Shared helpers for the local scripts (sourced, not executed).
# Everything here works on a plain Debian machine without Docker, as root or not.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
# shellcheck disable=SC2034 # used by the scripts that source this file
TOOLS="$ROOT/.tools"
# shellcheck disable=SC2034
DATA_ROOT="$ROOT/.data"
# uv must never try to download a Python: the machine's python3 (3.11) is the one we use.
export UV_PYTHON_DOWNLOADS=never
export UV_NO_PROGRESS=1

log() { printf '\033[1;34m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  # Installs Debian packages that are missing; apt never starts services here.
  if [ "$APT_UPDATED" = 0 ]; then
    as_root apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Value of KEY from the environment, else from the project's .env, else empty.
# The environment always wins, as pydantic-settings does in the processes.
env_or_dotenv() {
  local key="$1"
  if [ -n "${!key:-}" ]; then printf '%s' "${!key}"; return; fi
  [ -f "$ROOT/.env" ] || return 0
  python3 - "$ROOT/.env" "$key" <<'PY'
import sys
path, key = sys.argv[1], sys.argv[2]
value = ""
for line in open(path, encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#") or "=" not in line:
        continue
    k, v = line.split("=", 1)
    if k.strip().removeprefix("export ").strip() == key:
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        value = v
print(value, end="")
PY
}

# Development secrets: generated once, kept under .data/dev, exported only where env and .env say nothing
# (make dev and make chat share them, so both talk to the same database with the same keys).
load_dev_secrets() {
  local secrets_file="$DATA_ROOT/dev/secrets.env" key value
  mkdir -p "$DATA_ROOT/dev"
  if [ ! -f "$secrets_file" ]; then
    python3 - >"$secrets_file" <<'PY'
import secrets
print(f"JWT_SECRET_KEY={secrets.token_urlsafe(48)}")
print(f"SECRET_KEY={secrets.token_urlsafe(48)}")
print(f"BOT_SERVICE_TOKEN={secrets.token_urlsafe(36)}")
print("ADMIN_USERNAME=admin")
print(f"ADMIN_PASSWORD={secrets.token_urlsafe(12)}")
PY
    chmod 600 "$secrets_file"
  fi
  while IFS='=' read -r key value; do
    [ -n "$key" ] || continue
    [ -n "$(env_or_dotenv "$key")" ] || export "$key=$value"
  done <"$secrets_file"
}
