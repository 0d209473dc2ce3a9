#!/usr/bin/env bash
# tests/bench/watch_bench.sh: the "watch" section of tests/bench/run.sh: what a page
# trapped for a watchpoint adds to the guest's accesses that are not watched.
#
#   tests/bench/watch_bench.sh N RUNS SUMMARY_FILE
#
# build/bench_watch.ukvm (tests/bench/bench_watch/) times N reads and N writes of a
# variable that shares a page with the watched one (near) and of one alone on an
# untrapped page (far), in the same run, with the guest's clock. Three set-ups, RUNS
# runs each, medians:
#   none     no debugger: no page trapped (near and far should cost the same);
#   watch    gdb `watch page_w.watched`: the page read-only, near's writes trapped;
#   awatch   gdb `awatch page_w.watched`: the page absent, near's reads and writes trapped.
# Printed per access (ns): far, near, added = near - far, and the ratio near / far.
# SUMMARY_FILE gets the lines run.sh repeats in its summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
n=$1 runs=$2 summary=$3
for v in "$n" "$runs"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_WATCH_N and BENCH_WATCH_RUNS must be positive whole numbers, not '$v'" >&2; exit 2; }
done
UKVM=$BUILD/ukvm
GUEST=$BUILD/bench_watch.ukvm
[[ -f $GUEST ]] || { echo "bench: $GUEST is missing: run 'make bench'" >&2; exit 1; }

tmp=$(mktemp -d)
pid=""
cleanup() {
    [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# field NAME LINE
field() {
    local re="(^|[[:space:]])$1=([^[:space:]]+)"
    [[ $2 =~ $re ]] || { echo "bench: no '$1=' in: $2" >&2; exit 1; }
    printf '%s\n' "${BASH_REMATCH[2]}"
}

# one_run KIND: bench_watch's result line, under gdb with KIND (none: without gdb).
one_run() {
    local kind=$1 port="" i
    if [[ $kind == none ]]; then
        "$UKVM" "$GUEST" "$n" >"$tmp/out" 2>"$tmp/err" || {
            echo "bench: '$UKVM $GUEST $n' failed: $(head -3 "$tmp/err")" >&2
            exit 1
        }
    else
        # A new file each time: the background redirection truncates it only once the
        # child runs, and the port must not be read from the previous run's output.
        rm -f "$tmp/err" "$tmp/out"
        "$UKVM" --gdb=127.0.0.1:0 "$GUEST" "$n" >"$tmp/out" 2>"$tmp/err" </dev/null &
        pid=$!
        for ((i = 0; i < 100; i++)); do
            port=$(sed -n 's/.*waiting for gdb on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/err" 2>/dev/null |
                head -n 1)
            [[ -n $port ]] && break
            sleep 0.1
        done
        [[ -n $port ]] || { echo "bench: ukvm --gdb did not start: $(head -3 "$tmp/err")" >&2; exit 1; }
        # The first continue stops at the store to the watched variable (after the timed
        # loops); the second runs to the end.
        timeout -s KILL 600 gdb -nx -batch -ex "target remote 127.0.0.1:$port" \
            -ex "$kind page_w.watched" -ex continue -ex delete -ex continue "$GUEST" \
            >"$tmp/gdb" 2>&1 </dev/null || true
        # gdb ran the guest to its end; a ukvm still there means gdb never got to it.
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" || true
        pid=""
        grep -q 'watchpoint 1: page_w.watched' "$tmp/gdb" || {
            echo "bench: gdb's $kind did not stop at the watched store:" >&2
            tail -5 "$tmp/gdb" >&2
            exit 1
        }
    fi
    grep -m1 '^bench_watch: ' "$tmp/out" || { echo "bench: bench_watch printed nothing" >&2; exit 1; }
}

# median of the numbers on stdin
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.1f", v[(NR + 1) / 2];
        else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "-- watch: a trapped page's cost to accesses that are not watched (bench_watch, N=$n, $runs runs each, medians)"
printf '  %-30s %12s %12s %12s %8s\n' "per access, ns" "far" "near" "added" "ratio" | tee "$summary"
for kind in none watch awatch; do
    : >"$tmp/fr" ; : >"$tmp/fw" ; : >"$tmp/nr" ; : >"$tmp/nw"
    for ((r = 0; r < runs; r++)); do
        line=$(one_run "$kind")
        field far_read_ns "$line" >>"$tmp/fr"
        field far_write_ns "$line" >>"$tmp/fw"
        field near_read_ns "$line" >>"$tmp/nr"
        field near_write_ns "$line" >>"$tmp/nw"
    done
    case $kind in
    none) label="no watchpoint" ;;
    watch) label="watch (page read-only)" ;;
    awatch) label="awatch (page absent)" ;;
    esac
    for dir in read write; do
        f=$(median <"$tmp/f${dir:0:1}")
        nn=$(median <"$tmp/n${dir:0:1}")
        row=$(awk -v f="$f" -v m="$nn" -v n="$n" -v l="$label, $dir" 'BEGIN {
            printf "%-30s %12.0f %12.0f %12.0f %8.2f", l, f / n, m / n, (m - f) / n, (f > 0 ? m / f : 0) }')
        echo "  $row"
        echo "  $row" >>"$summary"
    done
done
echo "  far: a variable alone on an untrapped page; near: one on the watched variable's page."
echo "  added = near - far: the exit to ukvm, its completion of the access, and the re-entry."
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
    echo "  (no vmx/svm here: KVM emulates the guest's loop itself, so one untrapped access"
    echo "  costs microseconds too; on hardware KVM it costs about a nanosecond, and the ratio"
    echo "  is set by the added cost alone.)"
fi
