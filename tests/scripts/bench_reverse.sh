#!/usr/bin/env bash
# The reverse section of the benchmarks (tests/bench/reverse_bench.sh, run by `make bench`),
# checked without judging any figure: bad settings are refused with status 2 (by run.sh
# too); and a tiny run (BENCH_QUICK, N = 200, one run each) in both guest modes prints
# every row of its tables with numbers, finds mark_after N instructions and a few past
# the hypercall (so the guest's loop and ukvm's count agree), and writes a summary that
# states each goal as met or not met.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
script=tests/bench/reverse_bench.sh

# check NAME WANT_STATUS STDERR_SUBSTRING CMD...: runs CMD (settings in env before it).
check() {
    local name=$1 want=$2 needle=$3 st
    shift 3
    env -u BENCH_QUICK -u BENCH_REVERSE_NS -u BENCH_REVERSE_MODES -u BENCH_REVERSE_RUNS \
        BUILD="$BUILD" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    st=$?
    if [ "$st" != "$want" ]; then
        fail "$name" "status $st, expected $want; stdout: $(head -c 400 "$tmp/out"); stderr: $(head -c 400 "$tmp/err")"
    elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/err"; then
        fail "$name" "stderr lacks '$needle': $(head -c 400 "$tmp/err")"
    else
        pass "$name"
    fi
}

check bad-ns 2 "BENCH_REVERSE_NS must list positive whole numbers, not '1x'" \
    BENCH_REVERSE_NS="1000 1x" "$script" "$tmp/summary"
check bad-mode 2 "BENCH_REVERSE_MODES must list user and/or kernel, not 'both'" \
    BENCH_REVERSE_MODES=both "$script" "$tmp/summary"
check bad-runs 2 "BENCH_REVERSE_RUNS must be a positive whole number, not '0'" \
    BENCH_REVERSE_RUNS=0 "$script" "$tmp/summary"
check run-sh-bad-reverse 2 "BENCH_REVERSE must be 0 or 1, not 'yes'" \
    BENCH_REVERSE=yes tests/bench/run.sh

why=''
for f in "$BUILD/bench_reverse.ukvm" "$BUILD/bench_puts.ukvm" "$BUILD/bench_compute.ukvm" \
    "$BUILD/bench/host_timeit"; do
    [ -f "$f" ] || why="$f is missing (make test and make bench build it)"
done
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    why="/dev/kvm is missing or not usable"
elif ! command -v gdb >/dev/null; then
    why="gdb is not installed (make deps installs it)"
fi
if [ -n "$why" ]; then
    echo "SKIP tiny-run: $why"
    exit 0
fi
check tiny-run 0 "" BENCH_QUICK=1 BENCH_REVERSE_NS=200 BENCH_REVERSE_RUNS=1 "$script" "$tmp/summary"
num='[0-9]+(\.[0-9]+)?'
missing=''
for re in "^  \[user mode\]$" "^  \[kernel mode\]$" \
    "^  bench_puts 2000 \(hypercalls\) +$num +$num +$num$" \
    "^  bench_puts 500 \(hypercalls\) +$num +$num +$num$" \
    "^  bench_compute 30000000 \(no hypercalls\) +$num +$num +$num$" \
    "^  one hypercall, \(T\(N\) - T\(0\)\) / N, us +-?$num +-?$num +-?$num$" \
    "^  bench_puts 2000 \(2000 hypercalls, $num ms\) +$num +$num +(-?$num|n/a) +[0-9]+$" \
    "^  after a hypercall \([0-9]+ insns past it\) +$num +$num$" \
    "^  N = 200 \([0-9]+ insns past the hypercall\) +$num +$num$" \
    "^  N = 200 +$num +$num +$num$" \
    "^  a forward stepi \(gdb \+ stub round trip\), ms +$num$"; do
    [ "$(grep -cE -- "$re" "$tmp/out")" -ge 1 ] || missing+=" [$re]"
done
if [ -z "$missing" ]; then
    pass tiny-run-table
else
    fail tiny-run-table "no line matches$missing in: $(head -c 2500 "$tmp/out")"
fi
# mark_after is the loop's 200 instructions past mark_before, itself a few past the call.
counts=$(sed -nE 's/^  N = 200 \(([0-9]+) insns past the hypercall\).*/\1/p' "$tmp/out" | paste -sd' ')
befores=$(sed -nE 's/^  after a hypercall \(([0-9]+) insns past it\).*/\1/p' "$tmp/out" | paste -sd' ')
ok=1
# shellcheck disable=SC2086 # one count a word
set -- $befores
for c in $counts; do
    b=${1:-x}
    shift
    { [ "$b" != x ] && [ "$c" -gt $((b + 200)) ] && [ "$c" -le $((b + 220)) ]; } || ok=0
done
if [ $ok = 1 ] && [ -n "$counts" ]; then
    pass tiny-run-instruction-count
else
    fail tiny-run-instruction-count "N = 200 found at '$counts' instructions past the hypercall, mark_before at '$befores'"
fi
missing=''
for re in "^  recording bench_puts 2000, user +$num""x (met|not met) " \
    "^  recording bench_compute 10000, kernel +$num""x (met|not met) " \
    "^  record memory, bench_puts, kernel +(-?$num|n/a) MiB/s \(\+$num MiB at the start\)$" \
    "^  reverse-stepi, user N=200 +$num ms$" \
    "^  reverse-stepi, the slowest above +$num ms (met|not met) " \
    "^  reverse-continue / continue, kernel, N=200 +$num (met|not met) "; do
    grep -qE -- "$re" "$tmp/summary" 2>/dev/null || missing+=" [$re]"
done
if [ -z "$missing" ]; then
    pass tiny-run-summary-file
else
    fail tiny-run-summary-file "no line matches$missing in: $(head -c 2000 "$tmp/summary" 2>&1)"
fi
