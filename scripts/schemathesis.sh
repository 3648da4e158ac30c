#!/usr/bin/env bash
# Drives the emulator from specs/zalopay.openapi.json with schemathesis (PyPI), every request
# signed from the spec's own `x-zalopay.mac` annotation (scripts/schemathesis/zalopay_hooks.py),
# so generated cases reach the business logic. Checks: not_a_server_error,
# response_schema_conformance, positive_data_acceptance, negative_data_rejection.
# Usage: scripts/schemathesis.sh [MAX_EXAMPLES] [MAX_SECONDS]   (defaults 30, 300)
# Needs `pip install schemathesis cryptography`; builds the workspace binaries first (a no-op after the tests).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
examples=${1:-30}
seconds=${2:-300}
port=${ZALOPAY_SCHEMATHESIS_PORT:-18191}
bin=${CARGO_TARGET_DIR:-target}/debug/zalopay
# The features the workspace tests build with, so after them this is a no-op; never a stale emulator.
cargo build -q --workspace --all-features --bins
"$bin" emulator --port "$port" >"${TMPDIR:-/tmp}/zalopay-schemathesis-emulator.log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  # Bash's own /dev/tcp: no curl needed on a fresh machine.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done
export PYTHONPATH="$root/scripts/schemathesis${PYTHONPATH:+:$PYTHONPATH}"
export SCHEMATHESIS_HOOKS=zalopay_hooks
export ZALOPAY_SPEC="$root/specs/zalopay.openapi.json"
schemathesis run "$ZALOPAY_SPEC" --url "http://127.0.0.1:$port" \
  --checks not_a_server_error,response_schema_conformance,positive_data_acceptance,negative_data_rejection \
  --max-examples "$examples" --max-time "$seconds" --workers 2 --seed "${ZALOPAY_SCHEMATHESIS_SEED:-1}" --continue-on-failure
