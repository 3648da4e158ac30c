#!/usr/bin/env bash
# Runs cargo-fuzz targets, bounded by time or by executions, and prints runs, exec/s, coverage,
# corpus size and crashes per target.
#
#   fuzz/run.sh [-s address|none] [-r runs] [-t seconds] [target...]
#   fuzz/run.sh [seconds] [target...]                  (the older form: time-bounded)
#
#   -s  sanitizer: `address` (default, AddressSanitizer) or `none` (plain release build, the
#       fast one for long runs)
#   -r  stop each target after this many executions (libFuzzer -runs); -t still caps the time
#       if both are given
#   -t  seconds per target (default 60 when -r is not given)
#
# Every build is a release build (cargo-fuzz's default, optimised, with debug info). Each
# sanitizer builds into its own target directory, so switching between them does not rebuild.
# Works on a stable toolchain: cargo-fuzz needs nightly-only `-Z` flags (sanitizer coverage),
# which RUSTC_BOOTSTRAP=1 unlocks on stable rustc. Needs `cargo install cargo-fuzz` and a C++
# compiler (libFuzzer is built from source by libfuzzer-sys). FUZZ_SANITIZER sets the default
# sanitizer, FUZZ_TARGET_DIR the target directory.
#
# libFuzzer grows fuzz/corpus-work/<target>/ (ignored by git) from the committed seeds in
# fuzz/corpus/<target>/; crashes land in fuzz/artifacts/<target>/. Exit status is 1 when any
# target crashed. The full log of each target is kept in fuzz/logs/<target>-<sanitizer>.log.
set -euo pipefail

SANITIZER="${FUZZ_SANITIZER:-address}"
RUNS=""
SECONDS_PER_TARGET=""
while getopts "s:r:t:" opt; do
    case "$opt" in
    s) SANITIZER="$OPTARG" ;;
    r) RUNS="$OPTARG" ;;
    t) SECONDS_PER_TARGET="$OPTARG" ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
    SECONDS_PER_TARGET="$1"
    shift
fi
if [ -z "$RUNS" ] && [ -z "$SECONDS_PER_TARGET" ]; then
    SECONDS_PER_TARGET=60
fi
case "$SANITIZER" in
address | none) ;;
*) echo "sanitizer must be address or none, not $SANITIZER" >&2; exit 2 ;;
esac

cd "$(dirname "$0")"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(callback redirect decode_responses emulator)
fi

export RUSTC_BOOTSTRAP=1
TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-target}/fuzz}/$SANITIZER"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi

LIMITS=()
[ -n "$RUNS" ] && LIMITS+=("-runs=$RUNS")
[ -n "$SECONDS_PER_TARGET" ] && LIMITS+=("-max_total_time=$SECONDS_PER_TARGET")

echo "rustc:     $(rustc --version)"
echo "cargo-fuzz $(cargo fuzz --version 2>/dev/null | awk '{print $2}'), sanitizer: $SANITIZER, limits: ${LIMITS[*]}"
echo

mkdir -p logs
status=0
printf '%-18s %12s %8s %8s %8s %14s %8s\n' target runs exec/s seconds cov corpus crashes
for target in "${TARGETS[@]}"; do
    mkdir -p "corpus-work/$target" "artifacts/$target"
    before=$(find "artifacts/$target" -type f -not -name '*.log' | wc -l)
    log="logs/$target-$SANITIZER.log"
    # Build first so the time limit is spent fuzzing.
    cargo fuzz build --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR" "$target" >"$log" 2>&1 || {
        echo "build of $target failed:" >&2
        tail -n 30 "$log" >&2
        exit 2
    }
    start=$(date +%s)
    set +e
    cargo fuzz run --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR" \
        "$target" "corpus-work/$target" "corpus/$target" -- \
        "${LIMITS[@]}" -print_final_stats=1 -rss_limit_mb=4096 \
        -max_len=131072 -timeout=10 -artifact_prefix="artifacts/$target/" >>"$log" 2>&1
    rc=$?
    set -e
    elapsed=$(($(date +%s) - start))
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{print $2}' | tail -1)
    speed=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | awk '{print $2}' | tail -1)
    status_line=$(grep -E '^#[0-9]+.*(DONE|pulse|REDUCE|NEW|INITED)' "$log" | tail -1 || true)
    cov=$(grep -Eo 'cov: [0-9]+' <<<"$status_line" | awk '{print $2}')
    corpus=$(grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$status_line" | awk '{print $2}')
    after=$(find "artifacts/$target" -type f -not -name '*.log' | wc -l)
    crashes=$((after - before))
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes="?"
    fi
    printf '%-18s %12s %8s %8s %8s %14s %8s\n' "$target" "${runs:-?}" "${speed:-?}" "$elapsed" "${cov:-?}" "${corpus:-?}" "$crashes"
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "  $target exited with $rc; last lines of its log ($log):" >&2
        tail -n 30 "$log" | sed 's/^/    /' >&2
    fi
done
exit "$status"
