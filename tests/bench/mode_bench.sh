#!/usr/bin/env bash
# tests/bench/mode_bench.sh SUMMARY_FILE: kernel mode against user mode
# (docs/architecture.md#guest-modes-kernel-and-user), each figure measured in both modes in
# this one invocation, interleaved, and set against a baseline from the same run:
#
#   compute    per round of compute_loop (tests/bench/compute_loop.h): the unikernel
#              bench_compute against the same code as a host process (host_compute);
#              (T(N) - T(0)) / N, so boot cost cancels. Goal: user mode within 1.5x host.
#   boot       process start to exit of ukvm test_hello.ukvm (kernel, user, and auto,
#              which pays for the probe) against host_raw_kvm boot, the raw-KVM floor.
#              Goal: user mode within 1.2x the floor.
#   hypercall  one 1-byte console write (bench_puts): port write (kernel) against store
#              (user), (T(N) - T(0)) / N.
#   stepi      gdb stepi per second through bench_loop (tests/bench/step_bench.py), the
#              median of interleaved rounds in each mode. Goal: user mode no slower than
#              kernel mode.
#
# Asserts nothing; prints a table and appends a summary to SUMMARY_FILE. Environment:
# BENCH_QUICK=1 (few runs), BUILD. Run by tests/bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.bash
BUILD=${BUILD:-build}
summary=${1:?usage: mode_bench.sh SUMMARY_FILE}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
die() {
    echo "bench: mode: $*" >&2
    exit 1
}
UKVM=$BUILD/ukvm TIMEIT=$BUILD/bench/host_timeit RAW=$BUILD/bench/host_raw_kvm
for f in "$UKVM" "$TIMEIT" "$RAW" "$BUILD/bench/host_compute" "$BUILD/bench_compute.ukvm" \
    "$BUILD/bench_puts.ukvm" "$BUILD/bench_loop.ukvm" "$BUILD/test_hello.ukvm"; do
    [[ -f $f ]] || die "$f is missing: run 'make bench'"
done
if [[ ${BENCH_QUICK:-0} == 1 ]]; then
    runs=5 boot_runs=20 steps=200 step_rounds=3 n_fast=30000000 n_slow=30000 hc_n=2000
else
    runs=5 boot_runs=100 steps=500 step_rounds=7 n_fast=300000000 n_slow=300000 hc_n=20000
fi
timeit() { "$TIMEIT" "$@" >"$tmp/timeit.out" || die "host_timeit failed"; }
per_round() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.3f", (a - b) * 1000 / n }'; }

# The result must be the same everywhere: the same code ran.
want=$("$BUILD/bench/host_compute" 1000)
for mode in kernel user; do
    got=$(UKVM_GUEST_MODE=$mode "$UKVM" "$BUILD/bench_compute.ukvm" 1000)
    [[ $got == "$want" ]] || die "bench_compute in $mode mode printed '$got', the host '$want'"
done

echo "-- guest modes: kernel (CPL 0) and user (CPL 3), each against a baseline of this run"
timeit "$runs" -- "$BUILD/bench/host_compute" "$n_fast" -- "$BUILD/bench/host_compute" 0 \
    -- env UKVM_GUEST_MODE=user "$UKVM" "$BUILD/bench_compute.ukvm" "$n_fast" \
    -- env UKVM_GUEST_MODE=user "$UKVM" "$BUILD/bench_compute.ukvm" 0 \
    -- env UKVM_GUEST_MODE=kernel "$UKVM" "$BUILD/bench_compute.ukvm" "$n_slow" \
    -- env UKVM_GUEST_MODE=kernel "$UKVM" "$BUILD/bench_compute.ukvm" 0
m() { field median_us "$(line_for "$1")"; }
host_ns=$(per_round "$(m 0)" "$(m 1)" "$n_fast")
user_ns=$(per_round "$(m 2)" "$(m 3)" "$n_fast")
kern_ns=$(per_round "$(m 4)" "$(m 5)" "$n_slow")
printf '  %-40s %12s %12s\n' "compute, ns per round" "ns" "/ host" \
    "host process" "$host_ns" "1.00" \
    "ukvm, user mode" "$user_ns" "$(ratio "$user_ns" "$host_ns")" \
    "ukvm, kernel mode" "$kern_ns" "$(ratio "$kern_ns" "$host_ns")"

timeit "$boot_runs" -- env "$RAW" boot -- env UKVM_GUEST_MODE=user "$UKVM" "$BUILD/test_hello.ukvm" \
    -- env UKVM_GUEST_MODE=kernel "$UKVM" "$BUILD/test_hello.ukvm" \
    -- env UKVM_GUEST_MODE=auto "$UKVM" "$BUILD/test_hello.ukvm" -- env true
floor=$(m 0) boot_user=$(m 1) boot_kern=$(m 2) boot_auto=$(m 3) boot_env=$(m 4)
printf '  %-40s %12s %12s\n' "boot, median us (process start to exit)" "us" "/ floor" \
    "host_raw_kvm boot (the raw-KVM floor)" "$floor" "1.00" \
    "ukvm test_hello, user mode" "$boot_user" "$(ratio "$boot_user" "$floor")" \
    "ukvm test_hello, kernel mode" "$boot_kern" "$(ratio "$boot_kern" "$floor")" \
    "ukvm test_hello, auto (with the probe)" "$boot_auto" "$(ratio "$boot_auto" "$floor")" \
    "env true (the launcher every run above pays)" "$boot_env" ""

timeit "$runs" -- env UKVM_GUEST_MODE=user "$UKVM" "$BUILD/bench_puts.ukvm" "$hc_n" \
    -- env UKVM_GUEST_MODE=user "$UKVM" "$BUILD/bench_puts.ukvm" 0 \
    -- env UKVM_GUEST_MODE=kernel "$UKVM" "$BUILD/bench_puts.ukvm" "$hc_n" \
    -- env UKVM_GUEST_MODE=kernel "$UKVM" "$BUILD/bench_puts.ukvm" 0
hc_user=$(awk -v a="$(m 0)" -v b="$(m 1)" -v n="$hc_n" 'BEGIN { printf "%.2f", (a - b) / n }')
hc_kern=$(awk -v a="$(m 2)" -v b="$(m 3)" -v n="$hc_n" 'BEGIN { printf "%.2f", (a - b) / n }')
printf '  %-40s %12s %12s\n' "hypercall round trip, us per call" "us" "/ kernel" \
    "kernel mode (port write)" "$hc_kern" "1.00" \
    "user mode (store)" "$hc_user" "$(ratio "$hc_user" "$hc_kern")"

# stepi_rate MODE: gdb's stepi per second against ukvm --gdb in MODE.
stepi_rate() {
    UKVM_GUEST_MODE=$1 "$UKVM" --gdb=127.0.0.1:0 --mem=64 "$BUILD/bench_loop.ukvm" \
        >/dev/null 2>"$tmp/gdb.err" </dev/null &
    local pid=$! port="" i
    pids+=("$pid")
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n 's/.*127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$tmp/gdb.err" | head -n 1)
        [[ -n $port ]] && break
        sleep 0.1
    done
    [[ -n $port ]] || die "ukvm --gdb never said where it listens: $(head -3 "$tmp/gdb.err")"
    BENCH_GDB_PORT=$port BENCH_FILE=$BUILD/bench_loop.ukvm BENCH_STEPS=$steps \
        timeout -s KILL 300 gdb -nx -batch -x tests/bench/step_bench.py </dev/null >"$tmp/step.out" 2>&1 || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    sed -n 's/^bench: stepi_per_s=//p' "$tmp/step.out" | head -n 1 | grep . ||
        { echo "n/a"; grep '^bench: error=' "$tmp/step.out" >&2 || true; }
}
# Interleaved rounds, medians: one gdb session's rate swings with the host's scheduling.
: >"$tmp/step_kernel"
: >"$tmp/step_user"
for ((r = 0; r < step_rounds; r++)); do
    for mode in kernel user; do
        rate=$(stepi_rate $mode)
        [[ $rate == n/a ]] || echo "$rate" >>"$tmp/step_$mode"
    done
done
step_kern=$(median "$tmp/step_kernel" || echo n/a)
step_user=$(median "$tmp/step_user" || echo n/a)
printf '  %-40s %12s %12s\n' "gdb stepi/s, median of $step_rounds x $steps steps" "steps/s" "/ kernel" \
    "kernel mode (KVM's single-step)" "$step_kern" "1.00" \
    "user mode (trap flag, #DB through the shim)" "$step_user" "$(ratio "$step_user" "$step_kern")"

{
    printf '%-36s %14s\n' "compute, user mode / host" "$(ratio "$user_ns" "$host_ns") (goal <= 1.5)" \
        "compute, kernel mode / host" "$(ratio "$kern_ns" "$host_ns")" \
        "boot, user mode / raw-KVM floor" "$(ratio "$boot_user" "$floor") (goal <= 1.2)" \
        "boot, kernel mode / raw-KVM floor" "$(ratio "$boot_kern" "$floor")" \
        "boot, auto (probe) / raw-KVM floor" "$(ratio "$boot_auto" "$floor")" \
        "hypercall, store / port" "$hc_user / $hc_kern us" \
        "stepi/s, user / kernel mode" "$step_user / $step_kern (goal >= 1)"
} >>"$summary"
