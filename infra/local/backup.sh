#!/usr/bin/env bash
# PostgreSQL backups in pg_dump's custom format, and restores of them.
#   backup.sh backup            -> dump DATABASE_URL into $BACKUP_DIR/<db>-<UTC time>.dump
#   backup.sh restore [FILE]    -> restore FILE (default: the newest dump) into DATABASE_URL;
#                                  asks to confirm unless FORCE=1; takes a safety dump first
#   backup.sh schedule          -> the backup service of docker-compose.yml: a dump every day at
#                                  BACKUP_TIME (UTC, HH:MM), one at start when none is a day old,
#                                  keeping the newest BACKUP_KEEP dumps
#   backup.sh check             -> fails when the newest dump is older than BACKUP_MAX_AGE_HOURS (26)
# DATABASE_URL comes from the environment, else the repository's .env, else the cluster of `make dev`.
# The script needs only bash and the PostgreSQL client tools (pg_dump, pg_restore, psql), so the
# same file runs on a workstation and inside the postgres image of the backup service.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
BACKUP_DIR="${BACKUP_DIR:-$ROOT/backups}"
BACKUP_KEEP="${BACKUP_KEEP:-0}"
BACKUP_TIME="${BACKUP_TIME:-03:30}"
BACKUP_MAX_AGE_HOURS="${BACKUP_MAX_AGE_HOURS:-26}"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Value of KEY in the repository's .env (the last assignment wins, quotes removed), or empty.
dotenv_value() {
  local key="$1" file="$ROOT/.env" line k v value=""
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* || "$line" != *=* ]] && continue
    k="${line%%=*}"
    k="${k#export }"
    k="${k//[[:space:]]/}"
    [ "$k" = "$key" ] || continue
    v="${line#*=}"
    v="${v%"${v##*[![:space:]]}"}"
    if [ ${#v} -ge 2 ] && { [[ "$v" == \"*\" ]] || [[ "$v" == \'*\' ]]; }; then v="${v:1:${#v}-2}"; fi
    value="$v"
  done <"$file"
  printf '%s' "$value"
}

STARTED_DEV_CLUSTER=0
RESTORE_SQL=""
cleanup() {
  [ -z "$RESTORE_SQL" ] || rm -f "$RESTORE_SQL"
  if [ "$STARTED_DEV_CLUSTER" = 1 ]; then
    bash "$ROOT/infra/local/services.sh" stop dev >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# Sets DATABASE_URL (a global, so a started dev cluster is remembered and stopped on exit).
resolve_database_url() {
  local url="${DATABASE_URL:-}"
  [ -n "$url" ] || url="$(dotenv_value DATABASE_URL)"
  if [ -z "$url" ] && [ -f "$ROOT/infra/local/services.sh" ]; then
    # The cluster of `make dev`: start it for the duration of the command when it is not running.
    if [ ! -f "$ROOT/.data/dev/pg/postmaster.pid" ]; then
      [ -f "$ROOT/.data/dev/pg/PG_VERSION" ] || die "DATABASE_URL is not set and make dev has no database yet"
      bash "$ROOT/infra/local/services.sh" start dev >/dev/null
      STARTED_DEV_CLUSTER=1
    fi
    url="$(sed -n 's/^LOCAL_DATABASE_URL=//p' "$ROOT/.data/dev/services.env" 2>/dev/null | head -1)"
  fi
  [ -n "$url" ] || die "DATABASE_URL is not set (environment or .env)"
  DATABASE_URL="$url"
}

urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }

# Turns postgresql[+asyncpg]://user:pass@host:port/db?ssl=... into PG* variables, so no password ever
# appears on a command line (where `ps` would show it).
export_pg_env() {
  local url="$1" rest auth hostport query param
  [[ "$url" =~ ^postgres(ql)?(\+[a-z0-9]+)?:// ]] || die "DATABASE_URL must be a postgresql:// URL"
  rest="${url#*://}"
  query=""
  if [[ "$rest" == *\?* ]]; then query="${rest#*\?}"; rest="${rest%%\?*}"; fi
  if [[ "$rest" == *@* ]]; then
    auth="${rest%@*}"
    rest="${rest##*@}"
    export PGUSER; PGUSER="$(urldecode "${auth%%:*}")"
    if [[ "$auth" == *:* ]]; then export PGPASSWORD; PGPASSWORD="$(urldecode "${auth#*:}")"; fi
  fi
  hostport="${rest%%/*}"
  export PGDATABASE; PGDATABASE="$(urldecode "${rest#*/}")"
  if [ "$hostport" = "$rest" ] || [ -z "$PGDATABASE" ]; then die "DATABASE_URL names no database"; fi
  if [[ "$hostport" =~ ^(.*):([0-9]+)$ ]]; then
    export PGPORT="${BASH_REMATCH[2]}"
    hostport="${BASH_REMATCH[1]}"
  fi
  hostport="${hostport#[}"
  hostport="${hostport%]}"
  [ -z "$hostport" ] || export PGHOST="$hostport"
  local IFS='&'
  for param in $query; do
    case "$param" in
      ssl=*|sslmode=*) export PGSSLMODE="${param#*=}" ;;
    esac
  done
}

target_name() { printf '%s@%s:%s' "$PGDATABASE" "${PGHOST:-localhost}" "${PGPORT:-5432}"; }

# Writes a dump of the current database to $1 atomically: a cut-off dump never looks like a backup.
dump_to() {
  local file="$1" tmp
  mkdir -p "$(dirname "$file")"
  tmp="$file.partial"
  (umask 077 && pg_dump --format=custom --compress=6 --no-password --file="$tmp")
  mv "$tmp" "$file"
}

prune() {
  [ "$BACKUP_KEEP" -gt 0 ] 2>/dev/null || return 0
  local old
  while IFS= read -r old; do
    [ -n "$old" ] || continue
    rm -f -- "$old"
    log "pruned ${old##*/}"
  done < <(dumps_newest_first | grep -F "/$PGDATABASE-" | tail -n "+$((BACKUP_KEEP + 1))")
}

do_backup() {
  local file
  file="$BACKUP_DIR/$PGDATABASE-$(date -u +%Y%m%dT%H%M%SZ).dump"
  # Two backups in the same second keep both.
  [ ! -e "$file" ] || file="${file%.dump}-$$.dump"
  dump_to "$file"
  log "backup of $(target_name) written to $file ($(du -h "$file" | cut -f1))"
  prune
  printf '%s\n' "$file"
}

# Our dumps, newest first (file names are ours: no spaces). ls, not find -printf: busybox has no -printf.
dumps_newest_first() {
  # shellcheck disable=SC2010
  ls -1t "$BACKUP_DIR"/*.dump 2>/dev/null | grep -v '/pre-restore-' || true
}

do_restore() {
  local file="${1:-}" answer safety
  [ -n "$file" ] || file="$(dumps_newest_first | head -1)"
  [ -n "$file" ] || die "no backup found in $BACKUP_DIR (give FILE=...)"
  [ -f "$file" ] || die "no such file: $file"
  pg_restore --list "$file" >/dev/null || die "$file is not a pg_dump custom-format archive"
  if [ "${FORCE:-0}" != 1 ]; then
    [ -t 0 ] || die "restoring replaces every table of $(target_name); run with FORCE=1 to confirm"
    printf 'Restore %s into %s?\nThis replaces ALL data there. Type the database name (%s) to go on: ' \
      "$file" "$(target_name)" "$PGDATABASE" >&2
    read -r answer
    [ "$answer" = "$PGDATABASE" ] || die "not confirmed; nothing changed"
  fi
  # A safety dump of what is about to be replaced: an unlucky restore can be undone.
  safety="$BACKUP_DIR/pre-restore-$PGDATABASE-$(date -u +%Y%m%dT%H%M%SZ)-$$.dump"
  dump_to "$safety"
  log "current data saved to $safety"
  # The whole script is written first (a half-read archive must not reach psql), then applied in one
  # transaction: the schema is emptied and refilled, or on any error left exactly as it was.
  RESTORE_SQL="$(mktemp "$BACKUP_DIR/.restore-XXXXXX")"
  {
    printf 'SET client_min_messages = warning;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n'
    pg_restore --no-owner --no-acl --file=- "$file"
  } >"$RESTORE_SQL" || die "cannot read $file; nothing changed"
  psql --no-password --quiet --no-psqlrc --set ON_ERROR_STOP=1 --single-transaction \
    --output=/dev/null --file="$RESTORE_SQL" || die "restore failed; the database was left unchanged"
  log "restored $file into $(target_name)"
}

# Age in seconds of the newest dump of this database, or empty when there is none.
newest_age() {
  local newest
  newest="$(dumps_newest_first | grep -F "/$PGDATABASE-" | head -1 || true)"
  [ -z "$newest" ] || echo $(($(date +%s) - $(stat -c %Y "$newest")))
}

do_check() {
  local age
  age="$(newest_age)"
  [ -n "$age" ] || die "no backup of $PGDATABASE in $BACKUP_DIR"
  [ "$age" -le $((BACKUP_MAX_AGE_HOURS * 3600)) ] \
    || die "the newest backup of $PGDATABASE is $((age / 3600)) hours old"
  log "newest backup of $PGDATABASE is $((age / 60)) minutes old"
}

do_schedule() {
  [[ "$BACKUP_TIME" =~ ^[0-2][0-9]:[0-5][0-9]$ ]] || die "BACKUP_TIME must be HH:MM (UTC)"
  log "backups of $(target_name) daily at $BACKUP_TIME UTC into $BACKUP_DIR, keeping $BACKUP_KEEP"
  local last_day="" age
  mkdir -p "$BACKUP_DIR"
  age="$(newest_age)"
  if [ -z "$age" ] || [ "$age" -gt 86400 ]; then
    do_backup >/dev/null || log "backup failed; retrying at the next scheduled time"
  fi
  while true; do
    if [ "$(date -u +%H:%M)" = "$BACKUP_TIME" ] && [ "$(date -u +%Y%m%d)" != "$last_day" ]; then
      last_day="$(date -u +%Y%m%d)"
      do_backup >/dev/null || log "backup failed; retrying at the next scheduled time"
    fi
    sleep 20 &
    wait $!
  done
}

action="${1:-}"
case "$action" in
  backup | restore | schedule | check) ;;
  *) die "usage: backup.sh backup | restore [FILE] | schedule | check" ;;
esac
for tool in pg_dump pg_restore psql; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (apt-get install postgresql-client)"
done
resolve_database_url
export_pg_env "$DATABASE_URL"
case "$action" in
  backup) do_backup ;;
  restore) do_restore "${2:-}" ;;
  check) do_check ;;
  schedule)
    trap 'log "stopping"; exit 0' TERM INT
    do_schedule
    ;;
esac
