#!/usr/bin/env bash
# Instructions per operation for each mode of zalopay-api/benches/instructions.rs, counted by
# callgrind (repeatable on a loaded machine). Usage: scripts/callgrind.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
bin=$(cargo bench -p zalopay-api --bench instructions --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import sys,json
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="instructions" and m.get("executable"):
        print(m["executable"])')
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
modes=${MODES:-sdk_sign bare_hmac_prepared bare_hmac_new_key sdk_verify_callback bare_parse_and_hmac sdk_round_trip raw_round_trip raw_round_trip_timeouts by_hand_round_trip_timeouts}
for mode in $modes; do
  base=$(ir "$mode" 0)
  total=$(ir "$mode" "$n")
  echo "$mode $(( (total - base) / n ))"
done
