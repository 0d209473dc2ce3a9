#!/usr/bin/env bash
# tests/nested/inner.sh: run inside the nested-KVM rig (tests/nested/init), from /ukvm.
# Says which KVM is there and what ukvm's probes chose, then runs tests/run.sh on it.
# NESTED_FILTER (from the kernel command line) is tests/run.sh's filter.
set -u
cd "$(dirname "$0")/../.."
module=none
for m in kvm_amd kvm_intel kvm_pvm; do
    [ -d /sys/module/$m ] && module=$m && break
done
echo "nested: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s; KVM module: $module; /dev/kvm: $([ -c /dev/kvm ] && echo present || echo missing)"
echo "nested: cpu flags: $(grep -o -w -E 'svm|npt|vmx' /proc/cpuinfo | sort -u | tr '\n' ' ')"
if [ -r /sys/module/kvm_amd/parameters/nested ]; then
    echo "nested: kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested) npt=$(cat /sys/module/kvm_amd/parameters/npt)"
fi
# ukvm's own report of its guest-mode probe, from --trace.
# ukvm's own report of its guest-mode probe, from --trace, three times: the probe times
# a loop, and under TCG the first runs of a code path pay for its translation.
for i in 1 2 3; do
    build/ukvm --guest-mode=auto --trace build/test_hello.ukvm 2>&1 | grep 'guest mode' | sed 's/^/nested: /'
done
start=$(date +%s)
if [ "${NESTED_MODE:-test}" = bench ]; then
    # make bench-nested: what a watchpoint costs the accesses it does not watch, with the
    # mechanism ukvm's probe picks here (debug registers) and with page traps. Kernel
    # mode: the guest-mode probe is not reliable here, and user mode has no debug registers.
    export UKVM_GUEST_MODE=kernel
    echo "nested: watchpoints by the probe's choice (debug registers where they fire)"
    bash tests/bench/watch_bench.sh "${NESTED_BENCH_N:-20000}" 3 /tmp/dr.summary
    echo "nested: watchpoints by page traps (UKVM_WATCH_PAGES=1)"
    UKVM_WATCH_PAGES=1 bash tests/bench/watch_bench.sh "${NESTED_BENCH_N:-20000}" 3 /tmp/pages.summary
else
    bash tests/run.sh "${NESTED_FILTER:-}"
fi
echo "nested: tests took $(($(date +%s) - start)) s"
echo "nested: done"
