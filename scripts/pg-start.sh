#!/usr/bin/env bash
# Starts a throw-away Postgres cluster for the tracker's tests, on 127.0.0.1 and a socket in
# a temp dir, trust auth, and prints the line to export:
#   eval "$(scripts/pg-start.sh)"   # sets ZALOPAY_TRACKER_PG_URL
# Needs Debian's `postgresql` package. Stop it and free its disk (a benchmark's databases can
# take gigabytes) with:
#   pg_ctl -D "$ZALOPAY_TRACKER_PG_DIR" -m fast stop && rm -rf "$(dirname "$ZALOPAY_TRACKER_PG_DIR")"
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres not installed: apt-get install -y --no-install-recommends postgresql" >&2
    exit 1
fi
port=${ZALOPAY_TRACKER_PG_PORT:-54329}
dir=$(mktemp -d /tmp/zalopay-tracker-pg.XXXXXX)
chown postgres:postgres "$dir" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >&2
echo "export ZALOPAY_TRACKER_PG_URL=postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
echo "export ZALOPAY_TRACKER_PG_DIR=$dir/data"
