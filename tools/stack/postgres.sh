#!/usr/bin/env bash
# A PostgreSQL cluster of the project's own: own data folder (.sextant/postgres), own port
# (SEXTANT_PG_PORT, default 55432), started and stopped by the dev script. Never touches a server
# someone else started. Usage: postgres.sh start|stop|kill|status|url
# SEXTANT_PG_HOME: another cluster's folder (e.g. a test's private cluster it restarts).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/env.sh"

PG_PORT="${SEXTANT_PG_PORT:-55432}"
# PostgreSQL refuses to run as root, so as root it runs as the 'postgres' user, which may not be
# able to enter the checkout (a clone under a private temporary folder, say): its files then live
# under /var/tmp, one folder per checkout (unless this checkout already has a cluster of its own).
if [ -n "${SEXTANT_PG_HOME:-}" ]; then
  PG_HOME="$SEXTANT_PG_HOME"
elif [ "$(id -u)" = 0 ] && [ ! -f "$SEXTANT_STATE/postgres/data/PG_VERSION" ]; then
  PG_HOME="/var/tmp/sextant-postgres-$(printf '%s' "$SEXTANT_ROOT" | sha1sum | cut -c1-12)"
else
  PG_HOME="$SEXTANT_STATE/postgres"
fi
PG_DATA="$PG_HOME/data"
PG_LOG="$PG_HOME/postgres.log"
PG_SUPERUSER=sextant_admin
PG_PASSWORD="${SEXTANT_PG_PASSWORD:-sextant-dev-only}"

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

PG_BIN="$(find_bin || true)"
if [ -z "$PG_BIN" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    sextant_log "PostgreSQL binaries missing: installing Debian's postgresql package"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN="$(find_bin)" || sextant_die "PostgreSQL installed but initdb not found"
  else
    sextant_die "PostgreSQL binaries (initdb, pg_ctl) not found: install your distribution's postgresql package, or set DATABASE_ADMIN_URL to a server you run"
  fi
fi

# PostgreSQL refuses to run as root: when we are root, run it as the 'postgres' system user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    chown -R postgres "$PG_HOME"
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

start() {
  mkdir -p "$PG_HOME"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    sextant_log "creating PostgreSQL cluster in $PG_DATA"
    local pwfile="$PG_HOME/pwfile"
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_HOME'
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
CONF
  fi
  if running; then sextant_log "PostgreSQL already running on 127.0.0.1:$PG_PORT"; return 0; fi
  # The port comes from SEXTANT_PG_PORT at every start, not only when the cluster was created.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "-p $PG_PORT" -w -t 60 start >/dev/null \
    || { tail -20 "$PG_LOG" >&2; sextant_die "PostgreSQL did not start (log: $PG_LOG)"; }
  sextant_log "PostgreSQL running on 127.0.0.1:$PG_PORT"
}

stop() {
  if [ -f "$PG_DATA/PG_VERSION" ] && running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    sextant_log "PostgreSQL stopped"
  fi
}

# A crash: every server process ends at once without a checkpoint (the next start recovers).
crash() {
  if [ -f "$PG_DATA/PG_VERSION" ] && running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null
    sextant_log "PostgreSQL stopped (immediate)"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill) crash ;;
  status) running && echo running || echo stopped ;;
  url) echo "postgres://$PG_SUPERUSER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres" ;;
  *) echo "usage: $0 start|stop|kill|status|url" >&2; exit 2 ;;
esac
