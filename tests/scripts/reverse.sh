#!/usr/bin/env bash
# Recorded runs (ukvm --record) through the shell, with the plain and the ASan/UBSan
# monitor, in the guest mode of the run (UKVM_GUEST_MODE): build/test_reverse.ukvm.
#   replay-verified   a run with a disk and the clock, gone back to its start and run
#                     forward again with UKVM_RECORD_VERIFY=1: every replayed hypercall's
#                     registers and a hash of all of guest memory match the record; the
#                     console and the disk see nothing twice
#   divergence-found  the same with one recorded result altered (UKVM_TEST_RECORD_PERTURB):
#                     the replay check says where it diverged (the check can fail)
#   shell-commands    reverse-stepi N, rsi, reverse-continue to a breakpoint and to a
#                     watchpoint (before the write), to the start of the record, `record`
#   limit             a record over --record=MiB drops its oldest history and says so
#   usage             --record without a debugger, a bad size; reverse commands without
#                     --record
#   cpuid             RDRAND and RDSEED hidden from a recorded guest where the KVM applies
#                     the VM's CPUID (ukvm --probe), else `record` says they are not
#   hvt               a Solo5 hvt guest (build/hvt_tsc.hvt, whose clock is rdtsc): refused
#                     in kernel mode; where rdtsc faults under CR4.TSD (ukvm --probe),
#                     recorded in user mode and replayed with the same counter values and
#                     every hypercall matching; elsewhere refused, saying why
# gdb's side, and what a debugger may change in the past, are tests/gdb/test_reverse_*.py.
# The runs are sandboxed (no --no-sandbox): reverse execution's system calls are allowed.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash

if [ ! -w /dev/kvm ]; then
    echo "SKIP reverse: /dev/kvm is missing or not writable here"
    exit 0
fi
kernel=$BUILD/test_reverse.ukvm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# session NAME MONITOR COMMANDS OPTIONS... -- GUEST ARGS...: stdout, stderr and status in
# $tmp/out, $tmp/err, $status; a hang or a sanitizer report fails NAME (returns 1).
session() {
    local name=$1 m=$2 cmds=$3
    shift 3
    local opts=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    printf '%s\n' "$cmds" | timeout -s KILL 300 "$m" --shell --record "${opts[@]}" "${kernel:?}" "$@" \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status = 137 ] && ! grep -q "guest killed" "$tmp/err"; then
        fail "$name" "hung: killed after 300 s; stdout: $(tail -c 600 "$tmp/out")"
        return 1
    fi
    if ! sanitizer_clean "$tmp/err"; then
        fail "$name" "sanitizer report: $(head -c 1500 "$tmp/err")"
        return 1
    fi
    return 0
}

# check NAME COMMAND...: passes when the command succeeds, else fails with the session.
check() {
    local name=$1
    shift
    if "$@"; then
        pass "$name"
    else
        fail "$name" "stdout:
$(head -c 3000 "$tmp/out")
stderr: $(head -c 1000 "$tmp/err")"
    fi
}

count() { grep -cF -- "$1" "$2"; }
absent() { ! grep -q -- "$1" "$2"; }
at_most() { [ -n "$1" ] && [ "$1" -le "$2" ]; }
# same_twice PATTERN FILE: two lines match, and they are the same.
same_twice() { [ "$(grep -c -- "$1" "$2")" = 2 ] && [ "$(grep -- "$1" "$2" | sort -u | wc -l)" = 1 ]; }

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")

    # ---------------------------------------------------------------- replay-verified
    truncate -s 64K "$tmp/disk.img"
    if UKVM_RECORD_VERIFY=1 session "$f/replay-verified" "$m" "break sum_list
continue
record
reverse-continue
record
continue
record" --disk="$tmp/disk.img" --; then
        # record prints "replay: N hypercalls replayed, N checked: ..." three times.
        replayed=$(grep '^replay:' "$tmp/out" | tail -n 1)
        n=$(sed -E 's/^replay: ([0-9]+) hypercalls replayed, ([0-9]+) checked.*/\1 \2/' <<<"$replayed")
        check "$f/replay-verified/replayed-calls" [ "${n% *}" -gt 5 ]
        check "$f/replay-verified/all-checked" [ "${n% *}" = "${n#* }" ]
        check "$f/replay-verified/all-matched" grep -q 'all matched the record$' <<<"$replayed"
        check "$f/replay-verified/back-at-start" grep -q "no more reverse-execution history" "$tmp/out"
        check "$f/replay-verified/breakpoint-again" [ "$(count 'breakpoint 1, ' "$tmp/out")" = 2 ]
        check "$f/replay-verified/console-once" [ "$(count 'reverse: start' "$tmp/out")" = 1 ]
        check "$f/replay-verified/disk-read-once" [ "$(count 'disk: read back' "$tmp/out")" = 1 ]
        check "$f/replay-verified/no-divergence" absent "diverged" "$tmp/err"
    fi

    # ---------------------------------------------------------------- divergence-found
    if UKVM_TEST_RECORD_PERTURB=2 session "$f/divergence-found" "$m" "break sum_list
continue
reverse-continue
continue
record" --; then
        check "$f/divergence-found/said-on-stderr" grep -q "ukvm: record: replay diverged at hypercall" "$tmp/err"
        check "$f/divergence-found/record-says" grep -q "^replay: .*replay diverged at hypercall" "$tmp/out"
    fi

    # ---------------------------------------------------------------- shell-commands
    if session "$f/shell-commands" "$m" "break add
continue
continue
stepi 5
reverse-stepi 5
rsi
reverse-continue
watch nodes+0x20 8
delete 1
continue
reverse-continue
reverse-continue
rc
record" --; then
        check "$f/shell-commands/rsi-back-to-breakpoint" grep -q "in add+0x0 " "$tmp/out"
        check "$f/shell-commands/previous-hit" [ "$(count 'breakpoint 1, ' "$tmp/out")" -ge 3 ]
        check "$f/shell-commands/watch-before-the-write" grep -q "going backwards, at the access: .* in build_list+" "$tmp/out"
        check "$f/shell-commands/history-begin" grep -q "^no more reverse-execution history: at the start of the record, .* in _start+0x0" "$tmp/out"
        check "$f/shell-commands/record-state" grep -qE "^position: hypercall 0 \+ 0 instructions" "$tmp/out"
    fi

    # ---------------------------------------------------------------- limit
    # 70000 console writes: their log (a few hundred bytes a call) outgrows 16 MiB, and
    # going back to the oldest history replays every later call once, not once per call.
    if kernel=$BUILD/bench_puts.ukvm session "$f/limit" "$m" \
        "break solo5_exit
continue
reverse-continue
record
continue
continue" --record=16 -- 70000; then
        check "$f/limit/dropped-said" grep -q "the record reached its limit of 16 MiB (--record=MiB): history before hypercall" "$tmp/err"
        check "$f/limit/history-starts-later" grep -qE "^recording: 70000 hypercalls recorded, history from hypercall [1-9][0-9]*, [0-9]+ checkpoints, 1[0-6]\.[0-9] MiB of 16 MiB" "$tmp/out"
        check "$f/limit/back-to-the-oldest" grep -qE "^position: hypercall [1-9][0-9]* \+ 0 instructions \(in the past" "$tmp/out"
        check "$f/limit/guest-runs-on" grep -q "the guest exited with status 0" "$tmp/out"
        # Back from the end to the oldest history: each call after it replayed once.
        n=$(sed -nE 's/^position: hypercall ([0-9]+) .*/\1/p' "$tmp/out" | tail -n 1)
        r=$(sed -nE 's/^replay: ([0-9]+) hypercalls replayed.*/\1/p' "$tmp/out" | tail -n 1)
        check "$f/limit/one-pass-back" at_most "$r" $((70000 - ${n:-0} + 100))
    fi
done

# ---------------------------------------------------------------- usage
m=$BUILD/ukvm
"$m" --record "$kernel" >"$tmp/out" 2>"$tmp/err"
status=$?
check "usage/record-needs-a-debugger" [ $status = 2 ]
check "usage/record-needs-a-debugger-says" grep -q -- "--record needs a debugger" "$tmp/err"
"$m" --shell --record=8 "$kernel" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
check "usage/record-size" [ $status = 2 ]
check "usage/record-size-says" grep -q "bad record size in '--record=8'" "$tmp/err"
# ---------------------------------------------------------------- cpuid
# A recorded guest's CPUID hides RDRAND and RDSEED, where this KVM applies the VM's CPUID
# (ukvm --probe's 'recorded cpuid'); elsewhere `record` says it does not.
cpuid_probe=$("$m" --probe 2>&1 | sed -n 's/^recorded cpuid: *//p')
printf 'continue\nrecord\n' | "$m" --shell --record "$BUILD/test_cpuid.ukvm" >"$tmp/out" 2>"$tmp/err"
if [[ $cpuid_probe == "ukvm's:"* ]]; then
    check "cpuid/recorded-hides-rdrand" grep -qx "rdrand: no" "$tmp/out"
    check "cpuid/recorded-hides-rdseed" grep -qx "rdseed: no" "$tmp/out"
    if grep -qw rdrand /proc/cpuinfo; then
        "$m" "$BUILD/test_cpuid.ukvm" >"$tmp/out" 2>&1
        check "cpuid/unrecorded-shows-rdrand" grep -qx "rdrand: yes" "$tmp/out"
    else
        echo "SKIP cpuid/unrecorded-shows-rdrand: this host's CPU has no RDRAND to show"
    fi
else
    check "cpuid/record-says-host-cpuid" grep -q "^cpuid: the host's, with RDRAND and RDSEED" "$tmp/out"
    echo "SKIP cpuid/recorded-hides-rdrand: this KVM gives the guest the host's CPUID (ukvm --probe: $cpuid_probe)"
fi

# ---------------------------------------------------------------- Solo5 hvt
# An hvt guest's clock is rdtsc: recorded in user mode where rdtsc faults under CR4.TSD
# (ukvm --probe's 'hvt --record'), refused elsewhere and in kernel mode.
hvt=$BUILD/hvt_tsc.hvt
"$m" --shell --record --guest-mode=kernel "$hvt" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
check "hvt/kernel-mode-refused" [ $status = 2 ]
check "hvt/kernel-mode-refused-says" grep -q "which ukvm can record only in user mode: give --guest-mode=user or auto" "$tmp/err"
tsd=$("$m" --probe 2>&1 | sed -n 's/^hvt --record: *//p')
if [[ $tsd == possible:* ]]; then
    for m in "${MONITORS[@]}"; do
        f=$(flavour "$m")
        if kernel=$hvt UKVM_GUEST_MODE=auto UKVM_RECORD_VERIFY=1 session "$f/hvt/replay-verified" "$m" "break tsc_done
continue
x/1xg tsc_last
reverse-continue
continue
x/1xg tsc_last
record" --; then
            replayed=$(grep '^replay:' "$tmp/out" | tail -n 1)
            check "$f/hvt/replay-verified/all-matched" grep -q 'all matched the record$' <<<"$replayed"
            check "$f/hvt/replay-verified/counter-reads-recorded" grep -qE "^recording: ([7-9][0-9]|[1-9][0-9][0-9]+) hypercalls recorded" "$tmp/out"
            check "$f/hvt/replay-verified/same-counter-replayed" same_twice '^0x[0-9a-f]* <tsc_last' "$tmp/out"
            check "$f/hvt/replay-verified/back-at-start" grep -q "^no more reverse-execution history" "$tmp/out"
        fi
    done
    m=$BUILD/ukvm
else
    UKVM_GUEST_MODE=auto "$m" --shell --record "$hvt" </dev/null >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "hvt/refused-on-this-kvm" [ $status = 2 ]
    check "hvt/refused-on-this-kvm-says" grep -q "ukvm cannot record it on this KVM" "$tmp/err"
    echo "SKIP hvt/replay-verified: this KVM does not make rdtsc fault at CPL 3 under CR4.TSD (ukvm --probe: $tsd), so a Solo5 hvt guest cannot be recorded here"
fi
printf 'reverse-stepi\nreverse-continue\nrecord\n' | "$m" --shell "$kernel" >"$tmp/out" 2>&1
check "usage/reverse-needs-record" [ "$(count 'start ukvm with --record' "$tmp/out")" = 3 ]
