#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster and Redis server for the tests, on their own loopback ports,
# with every file in one temporary directory. Nothing here touches a system-wide daemon.
#
# Two ways to use it:
#   source scripts/services.sh; services_start; trap services_stop EXIT   # exports DATABASE_URL, REDIS_URL
#   bash scripts/services.sh -- CMD ARGS…                                 # runs CMD with them, stops after
#
# With COMPTOIR_PG_DATA=DIR, PostgreSQL keeps its data directory there across runs (initialised on
# first use, stopped cleanly, never deleted): benchmarks cache their loaded databases this way.
#
# initdb refuses to run as root: as root, the cluster runs as the `postgres` system user (created
# when absent) through runuser, its data directory chowned to it.

SERVICES_DIR=""
SERVICES_PG_BIN=""
SERVICES_PG_PORT=""
SERVICES_REDIS_PORT=""
SERVICES_PG_DATA=""

_services_log() { echo "services: $*" >&2; }

_services_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_services_pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return 0; fi
  return 1
}

# Runs a PostgreSQL binary as the cluster's owner.
_services_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

services_start() {
  SERVICES_PG_BIN="$(_services_pg_bin)" || {
    _services_log "PostgreSQL binaries not found (make system-deps installs them)"; return 1; }
  command -v redis-server >/dev/null 2>&1 || {
    _services_log "redis-server not found (make system-deps installs it)"; return 1; }
  if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi

  # As root, under /tmp: the postgres user must be able to reach the directory (TMPDIR may not be).
  local parent="${TMPDIR:-/tmp}"
  [ "$(id -u)" -ne 0 ] || parent=/tmp
  SERVICES_DIR="$(mktemp -d "$parent/comptoir-services.XXXXXX")"
  chmod 755 "$SERVICES_DIR"
  SERVICES_PG_DATA="${COMPTOIR_PG_DATA:-$SERVICES_DIR/pg}"
  mkdir -p "$SERVICES_PG_DATA" "$SERVICES_DIR/pgsock" "$SERVICES_DIR/redis"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$SERVICES_PG_DATA" "$SERVICES_DIR/pgsock"; fi
  chmod 700 "$SERVICES_PG_DATA"

  SERVICES_PG_PORT="$(_services_free_port)"
  SERVICES_REDIS_PORT="$(_services_free_port)"

  # PostgreSQL: trust auth on loopback and its own socket; durability off (a throwaway cluster).
  if [ ! -f "$SERVICES_PG_DATA/PG_VERSION" ]; then
    _services_as_pg "$SERVICES_PG_BIN/initdb" -D "$SERVICES_PG_DATA" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$SERVICES_DIR/initdb.log" 2>&1 || {
      cat "$SERVICES_DIR/initdb.log" >&2; _services_log "initdb failed"; return 1; }
  fi
  touch "$SERVICES_DIR/pg.log"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$SERVICES_DIR/pg.log"
  _services_as_pg "$SERVICES_PG_BIN/pg_ctl" -D "$SERVICES_PG_DATA" -l "$SERVICES_DIR/pg.log" -w -t 120 \
    -o "-p $SERVICES_PG_PORT -k $SERVICES_DIR/pgsock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$SERVICES_DIR/pg.log" >&2; _services_log "PostgreSQL did not start"; return 1; }
  if ! _services_as_pg "$SERVICES_PG_BIN/psql" -h "$SERVICES_DIR/pgsock" -p "$SERVICES_PG_PORT" -U postgres \
    -tAc "SELECT 1 FROM pg_database WHERE datname = 'comptoir'" | grep -q 1; then
    _services_as_pg "$SERVICES_PG_BIN/createdb" -h "$SERVICES_DIR/pgsock" -p "$SERVICES_PG_PORT" -U postgres comptoir || {
      _services_log "createdb failed"; return 1; }
  fi

  # Redis: no persistence, loopback only.
  redis-server --port "$SERVICES_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --dir "$SERVICES_DIR/redis" --pidfile "$SERVICES_DIR/redis/redis.pid" \
    --logfile "$SERVICES_DIR/redis/redis.log" || { _services_log "redis-server did not start"; return 1; }
  local i
  for i in $(seq 1 100); do
    if python3 - "$SERVICES_REDIS_PORT" <<'EOF' 2>/dev/null; then break; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"PING\r\n")
assert s.recv(16).startswith(b"+PONG")
EOF
    [ "$i" -lt 100 ] || { cat "$SERVICES_DIR/redis/redis.log" >&2; _services_log "Redis did not answer"; return 1; }
    sleep 0.1
  done

  export DATABASE_URL="postgres://postgres@127.0.0.1:$SERVICES_PG_PORT/comptoir"
  export REDIS_URL="redis://127.0.0.1:$SERVICES_REDIS_PORT/0"
  export COMPTOIR_SERVICES_DIR="$SERVICES_DIR"
  _services_log "PostgreSQL $("$SERVICES_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$SERVICES_PG_PORT, Redis on 127.0.0.1:$SERVICES_REDIS_PORT ($SERVICES_DIR)"
}

services_stop() {
  [ -n "$SERVICES_DIR" ] && [ -d "$SERVICES_DIR" ] || return 0
  if [ -f "$SERVICES_DIR/redis/redis.pid" ]; then
    kill "$(cat "$SERVICES_DIR/redis/redis.pid")" 2>/dev/null || true
  fi
  if [ -n "$SERVICES_PG_DATA" ] && [ -f "$SERVICES_PG_DATA/postmaster.pid" ]; then
    local mode=immediate
    [ "$SERVICES_PG_DATA" = "$SERVICES_DIR/pg" ] || mode=fast  # a kept directory stops cleanly
    _services_as_pg "$SERVICES_PG_BIN/pg_ctl" -D "$SERVICES_PG_DATA" -m "$mode" -w -t 120 stop >/dev/null 2>&1 \
      || kill -9 "$(head -1 "$SERVICES_PG_DATA/postmaster.pid")" 2>/dev/null || true
  fi
  local i
  for i in $(seq 1 50); do
    [ -f "$SERVICES_DIR/redis/redis.pid" ] && kill -0 "$(cat "$SERVICES_DIR/redis/redis.pid")" 2>/dev/null || break
    sleep 0.1
  done
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=""
  _services_log "stopped"
}

# Run directly: start, run the command given after `--`, stop.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  [ "${1:-}" = "--" ] && shift
  if [ $# -eq 0 ]; then echo "usage: $0 -- COMMAND [ARGS…]" >&2; exit 2; fi
  trap services_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  services_start || exit 1
  "$@"
  exit $?
fi
