#!/usr/bin/env bash
# Throw-away PostgreSQL 15 cluster for tests: `.ci/postgres.sh start` prints the connection
# string (also written to $PGTMP/conn); `.ci/postgres.sh stop` stops it and deletes the data.
# Runs the server as the `postgres` user on a free loopback port in a temp dir.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
STATE=${SIGHTLINE_PG_STATE:-/tmp/sightline-pg}
case "${1:-}" in
  start)
    if [ -f "$STATE/conn" ] && "$PGBIN/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1; then
      cat "$STATE/conn"; exit 0
    fi
    rm -rf "$STATE"; mkdir -p "$STATE"; chown postgres:postgres "$STATE"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    su postgres -s /bin/sh -c "$PGBIN/initdb -D '$STATE/data' -U postgres --auth=trust -E UTF8 >'$STATE/initdb.log' 2>&1"
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$STATE/data' -l '$STATE/server.log' -w -o \"-p $port -k '$STATE' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start >/dev/null"
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true" > "$STATE/conn"
    cat "$STATE/conn"
    ;;
  stop)
    if [ -d "$STATE/data" ]; then
      su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$STATE/data' -m fast -w stop >/dev/null 2>&1" || true
    fi
    rm -rf "$STATE"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
