#!/usr/bin/env bash
# The net section of the benchmarks (tests/bench/net_bench.sh), what can be checked
# without a Solo5 tree: BENCH_NET=0 skips it in one line; bad settings and a missing or
# non-Solo5 SOLO5 are refused with status 2; and, as root with /dev/net/tun and KVM, a
# tiny run without SOLO5 (ukvm's own ping server only, in the script's own network
# namespace) prints its table, says that the comparison needs SOLO5=DIR, writes the
# summary file and leaves no tap interface behind. With a Solo5 tree,
# `SOLO5=DIR BENCH_QUICK=1 tests/bench/net_bench.sh` is the real check.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
script=tests/bench/net_bench.sh

# check NAME WANT_STATUS STDOUT_SUBSTRING STDERR_SUBSTRING ENV...: runs the script with
# the environment ENV (and no SOLO5 unless ENV sets it) and checks status and output.
check() {
    local name=$1 want=$2 out_needle=$3 err_needle=$4 st
    shift 4
    env -u SOLO5 -u BENCH_NET -u BENCH_QUICK BUILD="$BUILD" "$@" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    st=$?
    if [ "$st" != "$want" ]; then
        fail "$name" "status $st, expected $want; stdout: $(head -c 400 "$tmp/out"); stderr: $(head -c 400 "$tmp/err")"
    elif [ -n "$out_needle" ] && ! grep -qF -- "$out_needle" "$tmp/out"; then
        fail "$name" "stdout lacks '$out_needle': $(head -c 400 "$tmp/out")"
    elif [ -n "$err_needle" ] && ! grep -qF -- "$err_needle" "$tmp/err"; then
        fail "$name" "stderr lacks '$err_needle': $(head -c 400 "$tmp/err")"
    else
        pass "$name"
    fi
}

check bench-net-0-skips 0 "-- net: skipped: BENCH_NET=0" "" BENCH_NET=0 SOLO5=/nonexistent "$script"
check bad-flood-n 2 "" "BENCH_NET_FLOOD_N must be a positive whole number" BENCH_NET_FLOOD_N=1x "$script"
check bad-bench-net 2 "" "BENCH_NET must be 0 or 1" BENCH_NET=yes "$script"
check rtt-below-runs 2 "" "BENCH_NET_RTT_N (1) must be at least BENCH_NET_RUNS (2)" \
    BENCH_NET_RTT_N=1 BENCH_NET_RUNS=2 "$script"
check missing-tree 2 "" "SOLO5=/nonexistent/solo5: no such directory" SOLO5=/nonexistent/solo5 "$script"
mkdir -p "$tmp/notsolo5"
check not-a-solo5-tree 2 "" "is not a Solo5 source tree" SOLO5="$tmp/notsolo5" "$script"

# The real thing, tiny: a few pings to build/test_ping.ukvm with and without --pcap.
why=''
if [ "$(id -u)" != 0 ]; then
    why="not root (tap interfaces, ping -f and a network namespace need it)"
elif [ ! -c /dev/net/tun ]; then
    why="no /dev/net/tun"
elif [ ! -w /dev/kvm ]; then
    why="/dev/kvm is missing or not writable"
elif ! command -v ping >/dev/null; then
    why="no ping (make deps installs iputils-ping)"
elif ! unshare -n true 2>/dev/null; then
    why="cannot create a network namespace (unshare -n)"
fi
if [ -n "$why" ]; then
    echo "SKIP tiny-run: $why"
else
    host_tap=0
    ip link show tap100 >/dev/null 2>&1 && host_tap=1
    check tiny-run 0 "the comparison with solo5-hvt needs SOLO5=DIR" "" \
        BENCH_NET_RTT_N=10 BENCH_NET_FLOOD_N=200 BENCH_NET_RUNS=1 "$script" "$tmp/summary"
    if grep -qE '^  ukvm test_ping\.ukvm +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+ s +[0-9]+ +0/0$' "$tmp/out" &&
        grep -qE '^  ukvm test_ping\.ukvm --pcap +[0-9.]+ ms' "$tmp/out" &&
        grep -qE '^  pcap on +[0-9.]+ s +[0-9]+ frames/s$' "$tmp/out" &&
        grep -qE '^  pcap cost: [-+][0-9.]+% ' "$tmp/out"; then
        pass tiny-run-table
    else
        fail tiny-run-table "no table rows for test_ping.ukvm with and without --pcap: $(head -c 1200 "$tmp/out")"
    fi
    if grep -q '^net (ping -fq -c 200; no Solo5 tree given' "$tmp/summary" 2>/dev/null &&
        grep -q 'pcap cost:' "$tmp/summary"; then
        pass tiny-run-summary-file
    else
        fail tiny-run-summary-file "summary file: $(head -c 600 "$tmp/summary" 2>&1)"
    fi
    if [ $host_tap = 1 ] || ! ip link show tap100 >/dev/null 2>&1; then
        pass tiny-run-no-host-interface
    else
        fail tiny-run-no-host-interface "tap100 exists in the host's namespace after the run"
    fi
fi
