#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time and prints runs, exec/s, corpus size and
# crashes per target.
#
#   fuzz/run.sh [seconds-per-target] [target...]     (default: 60 s, all targets)
#
# Works on a stable toolchain: cargo-fuzz needs nightly-only `-Z` flags (sanitizer coverage),
# which RUSTC_BOOTSTRAP=1 unlocks on stable rustc. AddressSanitizer is kept on (the crate
# forbids unsafe code, but dependencies have some); set FUZZ_SANITIZER=none to build without
# it. Needs `cargo install cargo-fuzz` and a C++ compiler (libFuzzer is built from source by
# libfuzzer-sys).
#
# libFuzzer grows fuzz/corpus-work/<target>/ (ignored by git) from the committed seeds in
# fuzz/corpus/<target>/; crashes land in fuzz/artifacts/<target>/. Exit status is 1 when any
# target crashed.
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
shift || true
cd "$(dirname "$0")"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(callback redirect decode_responses emulator)
fi

export RUSTC_BOOTSTRAP=1
SANITIZER="${FUZZ_SANITIZER:-address}"
TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-target}/fuzz}"
LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi

echo "rustc:     $(rustc --version)"
echo "cargo-fuzz $(cargo fuzz --version 2>/dev/null | awk '{print $2}'), sanitizer: $SANITIZER, ${SECONDS_PER_TARGET}s per target"
echo

status=0
printf '%-18s %12s %10s %14s %8s\n' target runs exec/s corpus crashes
for target in "${TARGETS[@]}"; do
    mkdir -p "corpus-work/$target" "artifacts/$target"
    before=$(find "artifacts/$target" -type f | wc -l)
    log="$LOGS/$target.log"
    set +e
    cargo fuzz run --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR" \
        "$target" "corpus-work/$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -rss_limit_mb=4096 \
        -max_len=131072 -timeout=10 -artifact_prefix="artifacts/$target/" >"$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{print $2}' | tail -1)
    speed=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | awk '{print $2}' | tail -1)
    corpus=$(grep -Eo '(DONE|pulse|REDUCE|NEW|INITED) .*corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 | grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | awk '{print $2}')
    after=$(find "artifacts/$target" -type f | wc -l)
    crashes=$((after - before))
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes="?"
    fi
    printf '%-18s %12s %10s %14s %8s\n' "$target" "${runs:-?}" "${speed:-?}" "${corpus:-?}" "$crashes"
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "  $target exited with $rc; last lines of its log:" >&2
        tail -n 30 "$log" | sed 's/^/    /' >&2
        cp "$log" "artifacts/$target/last-run.log"
    fi
done
exit "$status"
