#!/usr/bin/env bash
# User mode (--guest-mode, docs/architecture.md#user-mode): the auto probe's choice agrees
# with what it measured; each mode can be forced, by option or UKVM_GUEST_MODE, and bad
# values are refused; user mode makes its hypercalls by store and runs at CPL 3 with the
# monitor's IDT; the guest cannot write the monitor's pages; SSE arithmetic runs in user
# mode (and in kernel mode where this KVM runs CPL 0 on the CPU, else a SKIP that says
# why); and every gdb test (tests/gdb/test_*.py) passes in user mode too.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if [ ! -w /dev/kvm ]; then
    echo "SKIP user-mode: /dev/kvm is missing or not writable here"
    exit 0
fi
hello=$BUILD/test_hello.ukvm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    # The probe: its choice must follow its own figures (user where CPL 0 costs more than
    # ten times CPL 3 and over 100 us more), whichever way this KVM goes.
    UKVM_GUEST_MODE= "$m" --trace "$hello" >/dev/null 2>"$tmp/err"
    line=$(grep -m1 'guest mode' "$tmp/err")
    if [[ $line =~ guest\ mode\ (user|kernel):\ the\ probe.s\ loop\ took\ ([0-9]+)\ us\ at\ CPL\ 0,\ ([0-9]+)\ us\ at\ CPL\ 3 ]]; then
        mode=${BASH_REMATCH[1]} c0=${BASH_REMATCH[2]} c3=${BASH_REMATCH[3]}
        want=kernel
        ((c0 > 10 * c3 && c0 - c3 > 100)) && want=user
        if [ "$mode" = "$want" ]; then
            pass "$f/auto-follows-probe ($mode: CPL 0 ${c0} us, CPL 3 ${c3} us)"
        else
            fail "$f/auto-follows-probe" "chose $mode from CPL 0 ${c0} us, CPL 3 ${c3} us"
        fi
    else
        fail "$f/auto-follows-probe" "no probe line in --trace: $(head -5 "$tmp/err")"
    fi
    for mode in kernel user; do
        UKVM_GUEST_MODE= "$m" --guest-mode=$mode --trace "$hello" >"$tmp/out" 2>"$tmp/err"
        st=$?
        if [ $st = 0 ] && grep -qx "ukvm: trace: guest mode $mode" "$tmp/err" &&
            grep -q SUCCESS "$tmp/out"; then
            pass "$f/forced-$mode"
        else
            fail "$f/forced-$mode" "status $st: $(head -3 "$tmp/err")"
        fi
    done
    # The environment sets the default; the option wins over it.
    UKVM_GUEST_MODE=user "$m" --trace "$hello" >/dev/null 2>"$tmp/err"
    grep -qx "ukvm: trace: guest mode user" "$tmp/err" && pass "$f/env-sets-mode" ||
        fail "$f/env-sets-mode" "$(head -3 "$tmp/err")"
    UKVM_GUEST_MODE=user "$m" --guest-mode=kernel --trace "$hello" >/dev/null 2>"$tmp/err"
    grep -qx "ukvm: trace: guest mode kernel" "$tmp/err" && pass "$f/option-beats-env" ||
        fail "$f/option-beats-env" "$(head -3 "$tmp/err")"
    expect_run "$f/bad-option" 2 "bad mode in '--guest-mode=fast': give kernel, user or auto" \
        "$m" --guest-mode=fast "$hello"
    UKVM_GUEST_MODE=fast expect_run "$f/bad-env" 2 \
        "bad UKVM_GUEST_MODE 'fast' in the environment: give kernel, user or auto" "$m" "$hello"

    # Hypercalls: stores in user mode (an mmio exit named PUTS), port writes in kernel mode.
    UKVM_GUEST_MODE=user "$m" --trace "$hello" >/dev/null 2>"$tmp/err"
    grep -qE 'mmio +rip=0x[0-9a-f]+ +hypercall PUTS' "$tmp/err" && pass "$f/user-hypercall-by-store" ||
        fail "$f/user-hypercall-by-store" "$(grep -m3 PUTS "$tmp/err")"
    UKVM_GUEST_MODE=kernel "$m" --trace "$hello" >/dev/null 2>"$tmp/err"
    grep -qE 'io +rip=0x[0-9a-f]+ +hypercall PUTS' "$tmp/err" && pass "$f/kernel-hypercall-by-port" ||
        fail "$f/kernel-hypercall-by-port" "$(grep -m3 PUTS "$tmp/err")"

    # The shell at the first instruction: CPL 3 segments, the monitor's IDT and pages.
    printf 'regs\nidt 14\nmem\n' | UKVM_GUEST_MODE=user "$m" --shell "$hello" >"$tmp/out" 2>&1
    for want in 'cs   0x0033' 'dpl 3' 'idt  base 0x0000000000006000' 'trap entry stubs' \
        'r-x  supervisor'; do
        grep -qF -- "$want" "$tmp/out" && pass "$f/shell-shows '$want'" ||
            fail "$f/shell-shows '$want'" "$(head -40 "$tmp/out")"
    done

    # The monitor's pages are supervisor-only in user mode: a guest write to the GDT is a
    # page fault, and test_shell's paging (which edits its page tables in kernel mode)
    # cannot even read cr3.
    UKVM_GUEST_MODE=user expect_run "$f/gdt-protected" 255 \
        'protection violation, write, user, data access' "$m" "$BUILD/test_hostile.ukvm" write_gdt
    UKVM_GUEST_MODE=user expect_run "$f/cr3-privileged" 255 \
        'General protection fault (#GP, vector 13) at test_read_cr3' "$m" \
        "$BUILD/test_shell.ukvm" paging

    # SSE and x87 arithmetic: in user mode always; in kernel mode only where CPL 0 runs on
    # the CPU (the probe above says which).
    UKVM_GUEST_MODE=user expect_run "$f/fpu-user" 0 SUCCESS "$m" "$BUILD/test_fpu.ukvm"
    UKVM_GUEST_MODE=kernel timeout 60 "$m" "$BUILD/test_fpu.ukvm" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st = 0 ] && grep -q SUCCESS "$tmp/out"; then
        pass "$f/fpu-kernel"
    elif grep -q 'KVM internal error 1' "$tmp/err" &&
        UKVM_GUEST_MODE= "$m" --trace "$hello" 2>&1 >/dev/null | grep -q 'guest mode user: the probe'; then
        echo "SKIP $f/fpu-kernel: this KVM emulates kernel mode in software and cannot emulate SSE arithmetic there (the probe chose user mode)"
    else
        fail "$f/fpu-kernel" "status $st: $(head -3 "$tmp/err")"
    fi
done

# Every gdb test again, in user mode (tests/scripts/gdb.sh runs them in kernel mode).
out=$(UKVM_GUEST_MODE=user bash tests/scripts/gdb.sh 2>&1)
grep -E '^(PASS|FAIL|SKIP) ' <<<"$out" | sed -E 's#^(PASS|FAIL|SKIP) #\1 gdb-user/#'
grep -q '^FAIL ' <<<"$out" && grep -v -E '^(PASS|SKIP) ' <<<"$out" | head -40 | sed 's/^/    | /'
exit 0
