#!/usr/bin/env bash
# tests/fuzz/smoke.sh TARGET...: a short run of each libFuzzer target (make fuzz-smoke).
#
# Each target replays its whole corpus (tests/fuzz/corpus/TARGET/, regression inputs
# included), then tries FUZZ_SMOKE_RUNS new inputs from a fixed seed, so that the run is
# the same every time and takes seconds; the corpus is copied first, so the tree's stays
# as it is. One line per target: "PASS TARGET (N inputs, cov C ft F)" or "FAIL TARGET:
# why", with the crashing input kept in $BUILD/fuzz/smoke-TARGET-crash-*.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${FUZZ_SMOKE_RUNS:-20000}
status=0
for t in "$@"; do
    bin=$BUILD/fuzz/$t
    if [ ! -x "$bin" ]; then
        echo "FAIL $t: $bin was not built"
        status=1
        continue
    fi
    work=$(mktemp -d)
    mkdir -p "$work/corpus"
    cp tests/fuzz/corpus/"$t"/* "$work/corpus/" 2>/dev/null
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    # A hang is a finding too: no single input may take 10 s, the whole run 120 s.
    timeout -s KILL 150 "$bin" -seed=1 -runs="$RUNS" -max_total_time=120 -timeout=10 \
        -print_final_stats=1 "${dict[@]}" -artifact_prefix="$BUILD/fuzz/smoke-$t-" \
        "$work/corpus" >"$work/log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        execs=$(grep -m1 'stat::number_of_executed_units' "$work/log" | awk '{print $2}')
        cov=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$work/log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
        echo "PASS $t (${execs:-?} inputs, ${cov:-no coverage line})"
    else
        why=$(grep -m1 -E 'contract violated|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$work/log")
        echo "FAIL $t: exit status $rc: ${why:-see below}"
        grep -E 'contract violated|ERROR:|SUMMARY|runtime error:|^    #[0-9]+ .* in ' "$work/log" |
            grep -vE 'fuzzer::|libc_start|in _start|in main ' | head -n 20 | sed 's/^/    | /'
        status=1
    fi
    rm -rf "$work"
done
exit $status
