#!/usr/bin/env bash
# Starts or stops PostgreSQL and Redis as plain local processes with data under .data/<profile>.
#   services.sh start dev|test|bench -> writes .data/<profile>/services.env (URLs and ports)
#   services.sh stop  dev|test|bench
# dev keeps its data between runs on fixed ports; test and bench start from an empty cluster on free
# ports, so several checkouts can run their suites at the same time.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

action="${1:?usage: services.sh start|stop|status dev|test}"
profile="${2:-dev}"
DIR="$DATA_ROOT/$profile"
ENV_FILE="$DIR/services.env"

ensure_binaries() {
  pg_bindir >/dev/null 2>&1 || apt_install postgresql
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
}

pg_run() {
  # initdb and pg_ctl refuse to run as root: run them as the postgres user from a directory it can enter.
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

start_postgres() {
  local bindir port pgdir
  bindir="$(pg_bindir)"
  pgdir="$DIR/pg"
  if [ "$profile" != dev ]; then
    port="${TEST_PG_PORT:-$(free_port)}"
  else
    port="${LOCAL_PG_PORT:-54329}"
  fi
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$DIR"
    # Every parent must be traversable by the postgres user.
    local p="$DIR"
    while [ "$p" != / ]; do p="$(dirname "$p")"; chmod o+x "$p" 2>/dev/null || true; done
  fi
  if [ "$profile" != dev ] && [ -d "$pgdir" ]; then
    pg_run "$bindir/pg_ctl" -D "$pgdir" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
  if [ ! -f "$pgdir/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in ${pgdir#"$ROOT"/}"
    pg_run "$bindir/initdb" -D "$pgdir" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  if pg_run "$bindir/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
    port="$(sed -n 4p "$pgdir/postmaster.pid")"
    log "PostgreSQL already running on port $port"
  else
    local opts="-c listen_addresses=127.0.0.1 -p $port -k $DIR -c max_connections=300"
    if [ "$profile" = test ]; then
      opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    elif [ "$profile" = bench ]; then
      # Durable like production, sized for a seeded database of a few million rows.
      opts="$opts -c shared_buffers=1GB -c max_wal_size=4GB -c checkpoint_timeout=15min"
    fi
    pg_run "$bindir/pg_ctl" -D "$pgdir" -l "$DIR/postgres.log" -w -t 60 -o "$opts" start >/dev/null \
      || { tail -20 "$DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
    log "PostgreSQL running on 127.0.0.1:$port"
  fi
  PG_PORT="$port"
  local db dbs=(vpnshop)
  # The test cluster holds one database per suite, so the suites can run at the same time.
  [ "$profile" = test ] && dbs=(vpnshop_test vpnshop_bot_test vpnshop_e2e_test)
  [ "$profile" = bench ] && dbs=(vpnshop_bench)
  for db in "${dbs[@]}"; do
    if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
        "select 1 from pg_database where datname='$db'" | grep -q 1; then
      "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "create database $db" >/dev/null
    fi
  done
  DB_NAME="${dbs[0]}"
}

start_redis() {
  local port
  if [ "$profile" != dev ]; then port="${TEST_REDIS_PORT:-$(free_port)}"; else port="${LOCAL_REDIS_PORT:-63799}"; fi
  mkdir -p "$DIR/redis"
  if [ -f "$DIR/redis.pid" ] && kill -0 "$(cat "$DIR/redis.pid")" 2>/dev/null; then
    port="$(sed -n 's/^REDIS_PORT=//p' "$ENV_FILE" 2>/dev/null | head -1)"
    log "Redis already running on port $port"
  else
    local persist=(--save '' --appendonly no)
    [ "$profile" = dev ] && persist=(--save 60 1 --appendonly no)
    redis-server --bind 127.0.0.1 --port "$port" "${persist[@]}" --daemonize yes \
      --pidfile "$DIR/redis.pid" --dir "$DIR/redis" --logfile "$DIR/redis.log"
    for _ in $(seq 1 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null 2>&1 || die "Redis did not start (see ${DIR#"$ROOT"/}/redis.log)"
    log "Redis running on 127.0.0.1:$port"
  fi
  REDIS_PORT="$port"
}

stop_all() {
  local bindir
  bindir="$(pg_bindir 2>/dev/null || true)"
  if [ -n "$bindir" ] && [ -f "$DIR/pg/postmaster.pid" ]; then
    pg_run "$bindir/pg_ctl" -D "$DIR/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  if [ -f "$DIR/redis.pid" ]; then
    local port
    port="$(sed -n 's/^REDIS_PORT=//p' "$ENV_FILE" 2>/dev/null | head -1)"
    if [ -n "$port" ]; then redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; fi
    [ -f "$DIR/redis.pid" ] && kill "$(cat "$DIR/redis.pid")" 2>/dev/null
    rm -f "$DIR/redis.pid"
  fi
}

case "$action" in
  start)
    ensure_binaries
    start_postgres
    start_redis
    cat >"$ENV_FILE" <<EOF
PG_PORT=$PG_PORT
REDIS_PORT=$REDIS_PORT
LOCAL_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/$DB_NAME
PG_BASE_URL=postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT
LOCAL_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
EOF
    ;;
  stop)
    stop_all
    log "stopped local services ($profile)"
    ;;
  status)
    cat "$ENV_FILE" 2>/dev/null || echo "not started"
    ;;
  *) die "unknown action $action" ;;
esac
