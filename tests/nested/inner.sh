#!/usr/bin/env bash
# tests/nested/inner.sh: run inside the nested-KVM rig (tests/nested/init), from /ukvm.
# Says which KVM is there and what ukvm's probes chose, then runs tests/run.sh on it.
# NESTED_FILTER (from the kernel command line) is tests/run.sh's filter.
set -u
cd "$(dirname "$0")/../.."
module=none
for m in kvm_intel kvm_amd kvm_pvm; do
    [ -d /sys/module/$m ] && module=$m && break
done
echo "nested: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s; KVM module: $module; /dev/kvm: $([ -c /dev/kvm ] && echo present || echo missing)"
echo "nested: cpu flags: $(grep -o -w -E 'svm|npt|vmx' /proc/cpuinfo | sort -u | tr '\n' ' ')"
if [ -r /sys/module/kvm_amd/parameters/nested ]; then
    echo "nested: kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested) npt=$(cat /sys/module/kvm_amd/parameters/npt)"
fi
# Without the nested KVM every test would skip and the run would pass: that is a failure.
if [ "$module" != kvm_amd ] || [ ! -c /dev/kvm ]; then
    echo "FAIL nested/kvm: no kvm_amd /dev/kvm here (module: $module); the module loads are above"
    echo "nested: done"
    exit 0
fi
# What ukvm's probes choose on this KVM (tests/scripts/probe.sh checks them).
timeout -s KILL 60 build/ukvm --probe 2>&1 | sed 's/^/nested: probe: /'
start=$(date +%s)
if [ "${NESTED_MODE:-test}" = bench ]; then
    # make bench-nested: what a watchpoint costs the accesses it does not watch, with the
    # mechanism ukvm's probe picks here (debug registers) and with page traps. Kernel
    # mode, as the probe picks here: user mode's watchpoints are page traps on every KVM.
    export UKVM_GUEST_MODE=kernel
    echo "nested: watchpoints by the probe's choice (debug registers where they fire)"
    bash tests/bench/watch_bench.sh "${NESTED_BENCH_N:-20000}" 3 /tmp/dr.summary ||
        echo "FAIL nested/bench: watch_bench.sh with debug registers"
    echo "nested: watchpoints by page traps (UKVM_WATCH_PAGES=1)"
    UKVM_WATCH_PAGES=1 bash tests/bench/watch_bench.sh "${NESTED_BENCH_N:-20000}" 3 /tmp/pages.summary ||
        echo "FAIL nested/bench: watch_bench.sh with page traps"
else
    # NESTED_PART (run_nested.sh): "all", or which of two VMs side by side this is. The
    # split balances their times (docs/portability.md has them): the specs and the
    # scripts of the first list, then the rest of the scripts.
    first="cli core reverse sandbox shell signals user_mode"
    all=$(cd tests/scripts && ls ./*.sh | sed 's|^\./||; s/\.sh$//' | tr '\n' ' ')
    case ${NESTED_PART:-all} in
    1/2) sections="specs scripts" scripts=$first ;;
    2/2)
        sections=scripts scripts=
        for n in $all; do [[ " $first " == *" $n "* ]] || scripts="$scripts $n"; done
        ;;
    *) sections="specs scripts" scripts=$all ;;
    esac
    echo "nested: part ${NESTED_PART:-all}: $sections:$(printf ' %s' $scripts)"
    # The flood ping's size: every frame crosses QEMU's emulated machine twice.
    NET_FLOOD_N=${NET_FLOOD_N:-5000} RUN_SECTIONS=$sections RUN_SCRIPTS=$scripts bash tests/run.sh "${NESTED_FILTER:-}"
fi
echo "nested: tests took $(($(date +%s) - start)) s"
echo "nested: done"
