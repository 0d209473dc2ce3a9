#!/usr/bin/env bash
# The hvt section of the benchmarks (tests/bench/hvt_bench.sh, `make bench SOLO5=DIR`),
# what can be checked without a Solo5 tree and without timing anything: without SOLO5 (or
# with BENCH_HVT=0) it is skipped in one line, and --prepare says nothing; a missing or
# non-Solo5 SOLO5 and bad settings are refused with status 2; make passes SOLO5 to run.sh.
# With a Solo5 tree, `SOLO5=DIR BENCH_QUICK=1 tests/bench/hvt_bench.sh` is the real check.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
script=tests/bench/hvt_bench.sh
no_tree='-- hvt: skipped: no Solo5 tree given (make bench SOLO5=DIR builds Solo5'"'"'s solo5-hvt from DIR to compare with)'

# check NAME WANT_STATUS WANT_STDOUT STDERR_SUBSTRING ENV...: runs the script with the
# environment ENV (and no SOLO5 unless ENV sets it) and checks status, whole stdout, stderr.
check() {
    local name=$1 want=$2 want_out=$3 needle=$4 out st
    shift 4
    env -u SOLO5 -u BENCH_HVT -u BENCH_HVT_MEM_KIB BUILD="$BUILD" "$@" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    st=$?
    out=$(cat "$tmp/out")
    if [ "$st" != "$want" ]; then
        fail "$name" "status $st, expected $want; stdout: $out; stderr: $(head -c 400 "$tmp/err")"
    elif [ "$out" != "$want_out" ]; then
        fail "$name" "stdout '$out', expected '$want_out'"
    elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/err"; then
        fail "$name" "stderr lacks '$needle': $(head -c 400 "$tmp/err")"
    else
        pass "$name"
    fi
}

check no-tree-skips 0 "$no_tree" "" "$script"
check no-tree-summary 0 "$no_tree" "" "$script" "$tmp/summary"
if [ "$(cat "$tmp/summary" 2>/dev/null)" = "${no_tree#-- }" ]; then
    pass no-tree-summary-file
else
    fail no-tree-summary-file "summary file: '$(cat "$tmp/summary" 2>/dev/null)'"
fi
check no-tree-prepare-silent 0 "" "" "$script" --prepare
check bench-hvt-0-skips 0 "-- hvt: skipped: BENCH_HVT=0" "" BENCH_HVT=0 SOLO5=/nonexistent "$script"
check missing-tree 2 "" "SOLO5=/nonexistent/solo5: no such directory" SOLO5=/nonexistent/solo5 \
    "$script" --prepare
: >"$tmp/file"
check tree-is-a-file 2 "" "not a directory" SOLO5="$tmp/file" "$script" --prepare
mkdir -p "$tmp/notsolo5"
check not-a-solo5-tree 2 "" "is not a Solo5 source tree" SOLO5="$tmp/notsolo5" "$script" --prepare
check bad-mem-kib 2 "" "BENCH_HVT_MEM_KIB must be a positive whole number" BENCH_HVT_MEM_KIB=1x \
    "$script"
check bad-bench-hvt 2 "" "BENCH_HVT must be 0 or 1" BENCH_HVT=yes "$script"

# make bench hands SOLO5 on to run.sh (make -n: the commands, none run).
if make -n -s --no-print-directory bench SOLO5=/some/solo5 BUILD="$BUILD" 2>/dev/null |
    grep -qxF "SOLO5='/some/solo5' tests/bench/run.sh"; then
    pass make-passes-solo5
else
    fail make-passes-solo5 "make -n bench SOLO5=/some/solo5 runs no \"SOLO5='/some/solo5' tests/bench/run.sh\""
fi
