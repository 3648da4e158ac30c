#!/usr/bin/env bash
# Peak memory of the tracker's scheduling passes over N open orders (issue 24 item 6; the
# tracker's benches/memory.rs says what a pass does). Per back end and size: seed a fresh
# database in one process, then run the passes in another under /usr/bin/time -v, so that the
# figure is the pass's own peak RSS.
#   scripts/tracker-memory.sh [SIZES]     # default 10000 100000 1000000
# Postgres too when ZALOPAY_TRACKER_PG_URL is set (eval "$(scripts/pg-start.sh)").
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${*:-10000 100000 1000000}
cargo bench -p zalopay-tracker --all-features --bench memory --no-run >/dev/null 2>&1
bin=$(ls -t target/release/deps/memory-* | grep -v '\.d$' | head -1)
work=$(mktemp -d /tmp/zalopay-tracker-memory.XXXXXX)
trap 'rm -rf "$work"' EXIT
targets=("sqlite:$work/tracker.db")
if [ -n "${ZALOPAY_TRACKER_PG_URL:-}" ]; then
    base=${ZALOPAY_TRACKER_PG_URL%%\?*}
    query=${ZALOPAY_TRACKER_PG_URL#"$base"}
    targets+=("${base%/*}/tracker_memory$query")
fi
echo "| back end | open orders | work | time | VmHWM at start | after connecting | peak (VmHWM) | peak (time -v) |"
echo "|---|---|---|---|---|---|---|---|"
for url in "${targets[@]}"; do
    for n in $sizes; do
        "$bin" seed "$url" "$n" >/dev/null
        row=$(/usr/bin/time -v -o "$work/time" "$bin" pass "$url" "$n")
        max=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
        echo "$row $max KiB |"
    done
done
