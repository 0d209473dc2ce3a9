#!/usr/bin/env bash
# Debugging Solo5 hvt binaries: every debugging feature of ukvm must work on a .hvt file
# exactly as on a .ukvm one. With build/ukvm and build/asan/ukvm, on ukvm's own hvt test
# guests (tests/hvt/, docs/hvt-tests.md):
#
#   gdb      tests/gdb/hvt_*.py against `ukvm --gdb` (helpers: tests/gdb/hvtgdb.py):
#            break, hbreak, stepi, nexti, step, next, finish (hvt_break_step); a jump to a
#            breakpoint stops at it at once (hvt_jump_breakpoint); watch,
#            rwatch, awatch (hvt_watch); Ctrl-C while the guest computes (hvt_ctrlc_spin)
#            and while it sleeps in POLL (hvt_ctrlc_sleep); registers incl. cr0/cr3/cr4/
#            efer and writes (hvt_regs); monitor regs, exc, pt, exits, bt, sym, mem
#            (hvt_monitor); #PF, #UD, #DE stop AT the faulting instruction with SIGSEGV,
#            SIGILL, SIGFPE and the registers it faulted with (hvt_fault, build/hvt_fault.hvt
#            null_write, ud2, div0)
#   shell    `ukvm --shell` with commands on stdin: breakpoints, stepping, watchpoints,
#            exc/exits/mem on hvt_debug; the post-mortem stop at each fault of hvt_fault;
#            SIGINT (Ctrl-C) while the guest computes and while it sleeps in POLL
#   crash    the crash report of hvt_fault: exception, function and source line (found in
#            the source, not hard-coded), the registers of the guest's own trap frame, a
#            backtrace from the faulting function to its caller hvt_main
#   core     --core and --dumpcore on each fault: gdb FILE CORE (tests/gdb/core_check.py)
#            shows the signal, the faulting line in frame #0, the backtrace to hvt_main
#   trace    --trace names hvt's hypercalls: WALLTIME, PUTS, POLL, HALT (hvt_time),
#            BLOCK_READ, BLOCK_WRITE (hvt_blk)
#   info     --info on hvt_blk lists the manifest's block devices
#   sessions a gdb session and a shell session on hvt_debug (plain monitor only), compared
#            with docs/sessions/hvt-gdb.txt and docs/sessions/hvt-shell.txt
#
# Transcripts: the committed files are real output (UKVM_UPDATE_SESSIONS=1 rewrites them
# from a run). Both sides are normalised before they are compared (normalise() below):
#   - TCP ports (127.0.0.1:N) become 127.0.0.1:PORT, gdb's "process N" becomes process PID
#     (they change from run to run);
#   - guest addresses, hex numbers in [0x100000, 0x20000000) (the image, heap and stack
#     of a 512 MiB hvt guest), become 0xADDR, offsets after a symbol (leaf+0x1a, <leaf+26>)
#     +OFF, and the instruction bytes and operands of a disassembled line are dropped (the
#     mnemonic stays): the compiler and any edit of the guest or its runtime move them;
#   - trailing blanks are dropped.
# Source line numbers, symbol names, messages, register values outside the guest's
# addresses (cr0, cr3, efer...) and the order of lines are compared as they are.
#
# A check that fails because the monitor does something wrong on hvt guests stays a FAIL:
# this script does not adapt to the monitor. Every ukvm and gdb run is bounded (timeout,
# wait_exit); temporary files live in one folder removed at the end.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.bash

if [ ! -w /dev/kvm ]; then
    echo "SKIP hvt_debug: /dev/kvm is missing or not writable here"
    exit 0
fi
for k in hvt_debug hvt_fault hvt_blk hvt_time; do
    if [ ! -f "$BUILD/$k.hvt" ]; then
        echo "FAIL hvt_debug/$k-built: $BUILD/$k.hvt was not built (make all)"
        exit 0
    fi
done
have_gdb=1
command -v gdb >/dev/null || have_gdb=0
DEBUG=$BUILD/hvt_debug.hvt
# Software breakpoints in kernel mode need KVM to intercept int3. Where it does not
# (ukvm --probe), the #BP reaches the guest's own handler, which keeps only part of the
# registers, and ukvm refuses to go on from there: those cases are skipped, with why.
swbp_skip=
if [ "${KVM_INT3:-}" = guest-idt ] && [ "${UKVM_GUEST_MODE:-}" != user ]; then
    swbp_skip="$INT3_SKIP_REASON"
fi
# swbp CMD...: CMD (a case that sets software breakpoints), or its SKIP line (names the
# case from CMD's second word).
swbp() {
    if [ -n "$swbp_skip" ]; then
        echo "SKIP $2: $swbp_skip"
    else
        "$@"
    fi
}
FAULT=$BUILD/hvt_fault.hvt
FAULT_SRC=tests/hvt/hvt_fault/hvt_fault.c
DEBUG_SRC=tests/hvt/hvt_debug/hvt_debug.c

tmp=$(mktemp -d)
# At the end: kill this script's own background jobs still running (a ukvm left over by
# a failed check; never anything else), remove the temporary folder.
cleanup() {
    local p
    for p in $(jobs -pr); do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# src_line FILE TEXT: the number of the one line of FILE containing TEXT.
src_line() { grep -nF -- "$2" "$1" | cut -d: -f1; }
# marker NAME: the line of "/* @NAME */" in hvt_debug.c.
marker() { src_line "$DEBUG_SRC" "/* @$1 */"; }
# sym_addr KERNEL SYMBOL: the symbol's address as 0x... (ELF symbol table).
sym_addr() { printf '0x%x' "0x$(nm "$1" | awk -v s="$2" '$3 == s { print $1 }')"; }
hex16() { printf '0x%016x' "$1"; }
# after_insn KERNEL FUNCTION PATTERN: the address of the instruction that follows the first
# one of FUNCTION whose disassembly matches the grep pattern PATTERN (objdump).
after_insn() {
    objdump -d --no-show-raw-insn "$1" | sed -n "/<$2>:\$/,/^\$/p" |
        awk -v p="$3" 'found && /^ *[0-9a-f]+:/ { sub(":", "", $1); print "0x" $1; exit }
            $0 ~ p { found = 1 }'
}

# wait_for FILE STRING [COUNT] [SECONDS]: waits (bounded) until FILE holds STRING at least
# COUNT times (default 1). Returns 1 on timeout.
wait_for() {
    local file=$1 s=$2 count=${3:-1} secs=${4:-30} i
    for ((i = 0; i < secs * 10; i++)); do
        [ "$(grep -cF -- "$s" "$file" 2>/dev/null)" -ge "$count" ] && return 0
        sleep 0.1
    done
    return 1
}

# expect NAME FILE STRING...: every fixed string appears in FILE.
expect() {
    local name=$1 file=$2 s
    shift 2
    for s in "$@"; do
        if ! grep -qF -- "$s" "$file"; then
            fail "$name" "lacks '$s'; it holds:
$(head -c 2500 "$file")"
            return 1
        fi
    done
    pass "$name"
}

# expect_not NAME FILE STRING...: none of the strings appears in FILE.
expect_not() {
    local name=$1 file=$2 s
    shift 2
    for s in "$@"; do
        if grep -qF -- "$s" "$file"; then
            fail "$name" "has '$s': $(grep -F -- "$s" "$file" | head -n 3)"
            return 1
        fi
    done
    pass "$name"
}

# expect_status NAME GOT WANT [FILE]
expect_status() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "exit status $2, expected $3${4:+; $(tail -c 600 "$4")}"
    fi
}

# sanitizer NAME FILE: no sanitizer report in FILE.
sanitizer() {
    if sanitizer_clean "$2"; then
        pass "$1"
    else
        fail "$1" "$(grep -A 20 -m1 -E 'Sanitizer|runtime error' "$2")"
    fi
}

# ---------------------------------------------------------------- gdb
# gdb_case NAME MONITOR SCRIPT [ARGS [VAR=VALUE...]]: runs tests/gdb/SCRIPT.py against a
# `ukvm --gdb` of build/KERNEL (the script's "# KERNEL:" header) with ARGS (default its
# "# ARGS:" header); checks ukvm's exit status (its "# STATUS:" header) and sanitizer.
# UKVM_STDOUT and UKVM_STDERR name the files ukvm's output goes to; VAR=VALUE pairs go to
# gdb's environment.
header() { sed -n "s/^# $1: *//p" "$2" | head -n 1; }
gdb_case() {
    local name=$1 m=$2 script=tests/gdb/$3.py args kernel want pid port out d
    args=${4-$(header ARGS "$script")}
    shift 4 2>/dev/null || shift $#
    kernel=$BUILD/$(header KERNEL "$script")
    want=$(header STATUS "$script")
    d=$tmp/gdb
    rm -rf "$d" && mkdir -p "$d"
    # shellcheck disable=SC2086
    "$m" --gdb=127.0.0.1:0 "$kernel" $args >"$d/stdout" 2>"$d/stderr" </dev/null &
    pid=$!
    port=$(gdb_port_of "$d/stderr" $pid)
    if [ -z "$port" ]; then
        fail "$name" "ukvm never said where it listens: $(head -c 600 "$d/stderr")"
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        return
    fi
    out=$(env UKVM_GDB_PORT="$port" UKVM_STDOUT="$d/stdout" UKVM_STDERR="$d/stderr" "$@" \
        timeout -s KILL 120 gdb -nx -batch -ex "python import sys; sys.path.insert(0, 'tests/gdb')" \
        -x "$script" "$kernel" </dev/null 2>&1)
    grep -E '^(PASS|FAIL) ' <<<"$out" | sed -E "s#^(PASS|FAIL) #\1 $name/#"
    if ! grep -qE '^(PASS|FAIL) ' <<<"$out"; then
        fail "$name" "gdb printed no result: $(tail -n 15 <<<"$out")"
    elif grep -q '^FAIL ' <<<"$out"; then
        echo "    --- gdb output"
        grep -vE '^(PASS|FAIL) ' <<<"$out" | tail -n 25 | sed 's/^/    | /'
    fi
    if grep -qE '^(Traceback |Python Exception )' <<<"$out"; then
        fail "$name/script-completed" "$(grep -A 12 -m1 -E '^(Traceback|Python Exception)' <<<"$out")"
    fi
    if ! wait_exit $pid 30; then
        fail "$name/ukvm-exit" "ukvm still running 30 s after gdb finished"
    else
        expect_status "$name/ukvm-exit-status" "$status" "$want" "$d/stderr"
    fi
    sanitizer "$name/no-sanitizer-report" "$d/stderr"
}

# ---------------------------------------------------------------- shell
# shell_session NAME MONITOR COMMANDS KERNEL [ARGS...]: one scripted session; stdout,
# stderr and status in $tmp/out, $tmp/err, $status. A hang or a sanitizer report fails
# NAME (and returns 1).
shell_session() {
    local name=$1 m=$2 cmds=$3 kernel=$4
    shift 4
    printf '%s\n' "$cmds" | timeout -s KILL 60 "$m" --shell "$kernel" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status = 137 ] && ! grep -q "guest killed" "$tmp/err"; then
        fail "$name" "hung: killed after 60 s; stdout: $(tail -c 600 "$tmp/out")"
        return 1
    fi
    if ! sanitizer_clean "$tmp/err"; then
        fail "$name" "sanitizer report: $(head -c 1500 "$tmp/err")"
        return 1
    fi
    return 0
}

# shell_interrupt NAME MONITOR MODE: `ukvm --shell hvt_debug MODE` with commands from a
# FIFO: continue; SIGINT to ukvm once the guest says it runs; bt; continue; SIGINT again;
# bt; quit. Output in $tmp/out, $tmp/err; returns 1 if the session could not be driven.
shell_interrupt() {
    local name=$1 m=$2 mode=$3 pid word
    [ "$mode" = spin ] && word=spinning || word=sleeping
    rm -f "$tmp/in" && mkfifo "$tmp/in"
    "$m" --shell "$DEBUG" "$mode" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    exec 7>"$tmp/in"
    # Each write in a subshell: if ukvm is gone, SIGPIPE ends the subshell, not the script.
    (echo continue >&7) 2>/dev/null
    if ! wait_for "$tmp/out" "$word" 1 30; then
        fail "$name" "the guest never printed '$word': $(head -c 600 "$tmp/err")"
        exec 7>&-
        wait_exit $pid 10
        return 1
    fi
    sleep 1
    kill -INT $pid
    wait_for "$tmp/out" "interrupted, " 1 10
    (echo bt >&7; echo continue >&7) 2>/dev/null
    sleep 1.5
    kill -INT $pid 2>/dev/null
    wait_for "$tmp/out" "interrupted, " 2 10
    (echo 'bt 1' >&7; echo quit >&7) 2>/dev/null
    exec 7>&-
    if ! wait_exit $pid 30; then
        fail "$name" "ukvm still running 30 s after quit"
        return 1
    fi
    return 0
}

# ---------------------------------------------------------------- crash reports
# report_reg FILE NAME: the value of register NAME in a crash report's "registers:".
report_reg() { sed -n "s/.*\b$2  *\(0x[0-9a-f]*\).*/\1/p" "$1" | head -n 1; }
# bt_chain FILE: the function names of the backtrace lines ("#N  0x... in NAME+0x...") in
# FILE, in order, on one line.
bt_chain() { sed -n 's/^ *#[0-9][0-9]*  0x[0-9a-f]* in \([^+ ]*\)+0x.*/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'; }
# trap_field FILE NAME: rip= or rsp= from the guest's own "hvt_rt: trap ..." line.
trap_field() { sed -n "s/^hvt_rt: trap .* $2=\(0x[0-9a-f]*\).*/\1/p" "$1" | head -n 1; }

# fault_case: the fault cases of hvt_fault: CASE FUNCTION (ELF symbol) SOURCE_TEXT
# EXCEPTION SIGNAL.
fault_cases=(
    "null_write|null_write|*p = 1;|Page fault (#PF, vector 14)|SIGSEGV"
    "ud2|invalid_opcode|__asm__ __volatile__(\"ud2\");|Invalid opcode (#UD, vector 6)|SIGILL"
    "div0|divide_by_zero.constprop.0|return a / zero;|Divide error (#DE, vector 0)|SIGFPE"
)

# core_check NAME CORE VAR=VALUE...: tests/gdb/core_check.py on CORE of hvt_fault.
core_check() {
    local name=$1 core=$2 out
    shift 2
    if [ $have_gdb = 0 ]; then
        echo "SKIP $name/gdb: gdb is not installed"
        return
    fi
    out=$(env CORE_FILE="$core" CORE_NAME="$name" "$@" timeout -s KILL 120 gdb -batch -nx \
        -x tests/gdb/core_check.py "$FAULT" </dev/null 2>&1)
    grep -E '^(PASS|FAIL) ' <<<"$out" || fail "$name/gdb" "no result: $(tail -n 10 <<<"$out")"
    if grep -q '^FAIL ' <<<"$out"; then
        echo "    --- gdb output"
        grep -vE '^(PASS|FAIL) ' <<<"$out" | tail -n 25 | sed 's/^/    | /'
    fi
}

# ---------------------------------------------------------------- transcripts
# normalise: stdin to stdout, the rules in the header of this file.
normalise() {
    perl -pe '
        s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;
        s/\bprocess \d+/process PID/g;
        s/\b0x([0-9a-f]+)\b/(hex($1) >= 0x100000 && hex($1) < 0x20000000) ? "0xADDR" : "0x$1"/ge;
        s/(\w)\+(?:0x[0-9a-f]+|\d+)\b/$1+OFF/g;
        s/(>:)\s+(?:[0-9a-f]{2} )+(?:\.\.\. )?\s*(\S+).*/$1 $2/;
        s/\t/ /g;
        s/[ ]+$//;
    '
}

# compare_session NAME RAW COMMITTED: RAW (this run) against the committed transcript.
compare_session() {
    local name=$1 raw=$2 committed=$3
    if [ "${UKVM_UPDATE_SESSIONS:-0}" = 1 ]; then
        cp "$raw" "$committed"
        echo "SKIP $name: UKVM_UPDATE_SESSIONS=1 rewrote $committed"
        return
    fi
    if [ ! -f "$committed" ]; then
        fail "$name" "$committed is missing (UKVM_UPDATE_SESSIONS=1 writes it)"
        return
    fi
    if diff <(normalise <"$committed") <(normalise <"$raw") >"$tmp/session.diff"; then
        pass "$name"
    else
        fail "$name" "the session's output changed (< $committed, > this run; normalised):
$(head -n 40 "$tmp/session.diff")"
    fi
}

# ================================================================= the checks
for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")

    # ------------------------------------------------------------ gdb
    if [ $have_gdb = 1 ]; then
        swbp gdb_case "$f/gdb/break-step" "$m" hvt_break_step ''
        swbp gdb_case "$f/gdb/jump-breakpoint" "$m" hvt_jump_breakpoint ''
        gdb_case "$f/gdb/watch" "$m" hvt_watch ''
        gdb_case "$f/gdb/ctrlc-spin" "$m" hvt_ctrlc_spin spin
        gdb_case "$f/gdb/ctrlc-sleep" "$m" hvt_ctrlc_sleep sleep
        swbp gdb_case "$f/gdb/regs" "$m" hvt_regs regs
        swbp gdb_case "$f/gdb/monitor" "$m" hvt_monitor ''
        swbp gdb_case "$f/gdb/step-emulated" "$m" hvt_step_emulated cli_sti
        for c in null_write ud2 div0; do
            swbp gdb_case "$f/gdb/fault-$c" "$m" hvt_fault "$c" HVT_FAULT="$c"
        done
    else
        echo "SKIP $f/gdb: gdb is not installed (make deps installs it)"
    fi

    # ------------------------------------------------------------ shell: control
    leaf=$(sym_addr "$DEBUG" leaf) middle=$(sym_addr "$DEBUG" middle)
    page=$(sym_addr "$DEBUG" dbg_page)
    if [ -n "$swbp_skip" ]; then
        echo "SKIP $f/shell/control: $swbp_skip"
        # What a user sees there instead: the stop, and the advice.
        out=$(printf 'break leaf\ncontinue\n' | timeout -s KILL 60 "$m" --shell "$DEBUG" 2>&1)
        if grep -qF "a breakpoint's int3 reached the guest's own #BP handler (this KVM does not intercept int3: ukvm --probe)" <<<"$out" &&
            grep -qF "use hbreak here" <<<"$out"; then
            pass "$f/shell/int3-not-intercepted-says-hbreak"
        else
            fail "$f/shell/int3-not-intercepted-says-hbreak" "$(tail -n 15 <<<"$out")"
        fi
    elif shell_session "$f/shell/control" "$m" 'break leaf
hbreak middle
break
continue
bt
stepi
nexti
continue
delete
watch dbg_page 8
continue
x/xg dbg_page
delete
rwatch dbg_page 8
continue
delete
awatch dbg_page 8
continue
delete
regs
exc
exits 3
continue' "$DEBUG"; then
        expect "$f/shell/break-hbreak-set" "$tmp/out" \
            "breakpoint 1 at $(hex16 "$leaf") in leaf+0x0 (hvt_debug.c:$(marker leaf))" \
            "hardware breakpoint 2 at $(hex16 "$middle") in middle+0x0 (hvt_debug.c:"
        expect "$f/shell/break-list" "$tmp/out" "1    break   $(hex16 "$leaf")    1  in leaf+0x0" \
            "2    hbreak  $(hex16 "$middle")    1  in middle+0x0"
        # In user mode a hardware breakpoint is an int3 (ukvm/debug/debug_core.c): it stops
        # as a breakpoint.
        hw_stop="hardware breakpoint"
        [ "${UKVM_GUEST_MODE:-}" = user ] && hw_stop="breakpoint"
        expect "$f/shell/hbreak-stops" "$tmp/out" "$hw_stop 2, $(hex16 "$middle") in middle+0x0"
        expect "$f/shell/bt" "$tmp/out" "#0  $(hex16 "$middle") in middle+0x0" "#1  0x" "in top+" \
            "#2  0x" "in hvt_main+" "#3  0x" "in hvt_rt_start+" "#4  0x" "in _start+"
        expect "$f/shell/stepi" "$tmp/out" "$(hex16 $((middle + 1))) in middle+0x1 ("
        expect "$f/shell/break-stops" "$tmp/out" "breakpoint 1, $(hex16 "$leaf") in leaf+0x0"
        expect "$f/shell/watch-write" "$tmp/out" \
            "watchpoint 3 at $(hex16 "$page") (writes, 8 bytes) in dbg_page+0x0" \
            "watchpoint 3 ($page), after the access: " "in write_phase+"
        # The stop is right after the store of write-1 (the pc is on the next line).
        expect "$f/shell/watch-write-pc" "$tmp/out" \
            "watchpoint 3 ($page), after the access: $(hex16 "$(after_insn "$DEBUG" write_phase '[$]0xb,')") in write_phase+"
        expect "$f/shell/watch-value" "$tmp/out" "$(hex16 "$page") <dbg_page+0x0>: 0x000000000000000b"
        expect "$f/shell/rwatch-read" "$tmp/out" "watchpoint 4 ($page), after the access: " \
            "in read_phase+" "(hvt_debug.c:$(marker read-1))"
        expect "$f/shell/awatch-access" "$tmp/out" "watchpoint 5 ($page), after the access: " \
            "in access_phase+" "(hvt_debug.c:$(marker access-1))"
        expect "$f/shell/regs" "$tmp/out" "cr0  0x0000000080010033 [ PG WP NE ET MP PE ]" \
            "efer 0x0000000000000d00 [ NXE LMA LME ]" "cr4  0x0000000000000620"
        expect "$f/shell/exc-none" "$tmp/out" "no exception so far"
        expect "$f/shell/exits" "$tmp/out" "VM exits, newest first:" "VM exits by reason since the start:"
        expect "$f/shell/runs-to-end" "$tmp/out" "SUCCESS" "the guest exited with status 0"
        expect_status "$f/shell/control-status" "$status" 0 "$tmp/err"
    fi

    # ------------------------------------------------------------ shell: the memory map
    if shell_session "$f/shell/mem" "$m" 'mem' "$DEBUG"; then
        # hvt's layout (include/solo5_hvt_abi.h, ukvm/abi/hvt/hvt_boot.c): boot information
        # at 0x10000, nothing mapped below it, no stack guard page; not ukvm's own layout
        # (TSS, boot info at 0x3000, cmdline at 0x4000, IST stacks).
        expect "$f/shell/mem-hvt-boot-info" "$tmp/out" "boot info    0x0000000000010000-" \
            "ELF segments (entry $(sym_addr "$DEBUG" _start))"
        expect_not "$f/shell/mem-no-ukvm-layout" "$tmp/out" "IST stacks" \
            "cmdline      0x0000000000004000" "boot info    0x0000000000003000"
        expect_not "$f/shell/mem-no-guard-page" "$tmp/out" "guard page   0x0000000000000000" \
            "stack        0x0000000000001000"
    fi

    # ------------------------------------------------------------ shell: post-mortem
    for fc in "${fault_cases[@]}"; do
        IFS='|' read -r c fn text exc sig <<<"$fc"
        line=$(src_line "$FAULT_SRC" "$text")
        if shell_session "$f/shell/fault-$c" "$m" 'continue
exc
bt
x/i $rip
continue' "$FAULT" "$c"; then
            rip=$(trap_field "$tmp/out" rip)
            expect "$f/shell/fault-$c-stops" "$tmp/out" "the guest is stopped in the faulting context" \
                "=> $(hex16 "${rip:-0}") <$fn+"
            expect "$f/shell/fault-$c-exc" "$tmp/out" "$exc at $fn+" "($(basename "$FAULT_SRC"):$line)" \
                "registers at the fault:" "rip  $(hex16 "${rip:-0}")"
            expect "$f/shell/fault-$c-bt-frame0" "$tmp/out" "#0  $(hex16 "${rip:-0}") in $fn+"
            chain=$(bt_chain "$tmp/out")
            if [ "$chain" = "$fn hvt_main hvt_rt_start _start" ]; then
                pass "$f/shell/fault-$c-bt-is-the-call-chain"
            else
                fail "$f/shell/fault-$c-bt-is-the-call-chain" "frames '$chain', expected '$fn hvt_main hvt_rt_start _start'"
            fi
            expect "$f/shell/fault-$c-ends-255" "$tmp/out" \
                "the guest ended as it would have without the shell (crash report on stderr), status 255"
        fi
    done

    # ------------------------------------------------------------ shell: Ctrl-C
    if shell_interrupt "$f/shell/ctrlc-spin" "$m" spin; then
        expect "$f/shell/ctrlc-spin-stops" "$tmp/out" "interrupted, 0x" "in spin+"
        if [ "$(grep -c "^interrupted, 0x[0-9a-f]* in spin+" "$tmp/out")" = 2 ]; then
            pass "$f/shell/ctrlc-spin-twice"
        else
            fail "$f/shell/ctrlc-spin-twice" "$(head -c 1500 "$tmp/out")"
        fi
        expect "$f/shell/ctrlc-spin-bt" "$tmp/out" "#1  0x" "in hvt_main+"
        expect_status "$f/shell/ctrlc-spin-status" "$status" 0 "$tmp/err"
        sanitizer "$f/shell/ctrlc-spin-sanitizer" "$tmp/err"
    fi
    if shell_interrupt "$f/shell/ctrlc-sleep" "$m" sleep; then
        expect "$f/shell/ctrlc-sleep-stops-in-poll" "$tmp/out" "interrupted, 0x" "in hvt_poll+" \
            "#1  0x" "in hvt_main+"
        # Continued, POLL sleeps on to its deadline: a second SIGINT finds it there.
        if [ "$(grep -c "^interrupted, 0x[0-9a-f]* in hvt_poll+" "$tmp/out")" = 2 ]; then
            pass "$f/shell/ctrlc-sleep-sleeps-on"
        else
            fail "$f/shell/ctrlc-sleep-sleeps-on" "$(head -c 1500 "$tmp/out")"
        fi
        expect_not "$f/shell/ctrlc-sleep-poll-did-not-return" "$tmp/out" "woke up"
        sanitizer "$f/shell/ctrlc-sleep-sanitizer" "$tmp/err"
    fi

    # ------------------------------------------------------------ crash report
    for fc in "${fault_cases[@]}"; do
        IFS='|' read -r c fn text exc sig <<<"$fc"
        line=$(src_line "$FAULT_SRC" "$text")
        timeout -s KILL 60 "$m" "$FAULT" "$c" >"$tmp/out" 2>"$tmp/err" </dev/null
        status=$?
        expect_status "$f/crash/$c-status" "$status" 255 "$tmp/err"
        rip=$(trap_field "$tmp/out" rip) rsp=$(trap_field "$tmp/out" rsp)
        expect "$f/crash/$c-names-function-and-line" "$tmp/err" \
            "ukvm: guest crashed: $exc at $fn+0x$(printf '%x' $((rip - $(sym_addr "$FAULT" "$fn")))) ($(basename "$FAULT_SRC"):$line)"
        if [ "$(report_reg "$tmp/err" rip)" = "$(hex16 "$rip")" ] &&
            [ "$(report_reg "$tmp/err" rsp)" = "$(hex16 "$rsp")" ]; then
            pass "$f/crash/$c-rip-rsp-of-the-trap-frame"
        else
            fail "$f/crash/$c-rip-rsp-of-the-trap-frame" "report rip $(report_reg "$tmp/err" rip) rsp $(report_reg "$tmp/err" rsp); the guest's frame: rip $rip rsp $rsp"
        fi
        sed -n '/^backtrace:/,/^last /p' "$tmp/err" >"$tmp/bt"
        expect "$f/crash/$c-bt-frame0-faulting-line" "$tmp/bt" \
            "#0  $(hex16 "$rip") in $fn+" "($(basename "$FAULT_SRC"):$line)"
        expect "$f/crash/$c-bt-reaches-hvt_main" "$tmp/bt" "in hvt_main+"
        # The faulting function's caller is frame #1, and the chain goes on to _start: no
        # frames of the guest's trap handler, no early end.
        if grep -q "^  #1  0x[0-9a-f]* in hvt_main+" "$tmp/bt"; then
            pass "$f/crash/$c-bt-frame1-hvt_main"
        else
            fail "$f/crash/$c-bt-frame1-hvt_main" "$(grep '#[0-9]' "$tmp/bt")"
        fi
        chain=$(bt_chain "$tmp/bt")
        if [ "$chain" = "$fn hvt_main hvt_rt_start _start" ]; then
            pass "$f/crash/$c-bt-is-the-call-chain"
        else
            fail "$f/crash/$c-bt-is-the-call-chain" "frames '$chain', expected '$fn hvt_main hvt_rt_start _start'"
        fi
        expect "$f/crash/$c-exits-HALT" "$tmp/err" "hypercall HALT"
        sanitizer "$f/crash/$c-sanitizer" "$tmp/err"
    done

    # ------------------------------------------------------------ cores
    for fc in "${fault_cases[@]}"; do
        IFS='|' read -r c fn text exc sig <<<"$fc"
        line=$(src_line "$FAULT_SRC" "$text")
        gdbfn=${fn%%.*} # gdb names divide_by_zero.constprop.0 by its DWARF name
        timeout -s KILL 60 "$m" --core="$tmp/$c.core" "$FAULT" "$c" >"$tmp/out" 2>"$tmp/err" </dev/null
        status=$?
        if [ $status = 255 ] && grep -qE "^ukvm: core written to $tmp/$c.core \(512 MiB of guest memory, [0-9]+ KiB on disk\)$" "$tmp/err"; then
            pass "$f/core/$c-written"
            extra=()
            [ "$c" = null_write ] && extra=(CORE_SIGADDR=0)
            core_check "$f/core/$c" "$tmp/$c.core" CORE_SIGNAL="$sig" \
                CORE_FRAMES="$gdbfn hvt_main hvt_rt_start _start" CORE_FRAMES_EXACT=1 \
                CORE_LINE="$line" CORE_PC="$(trap_field "$tmp/out" rip)" \
                CORE_SP="$(trap_field "$tmp/out" rsp)" "${extra[@]}"
        else
            fail "$f/core/$c-written" "status $status: $(tail -c 600 "$tmp/err")"
        fi
        sanitizer "$f/core/$c-sanitizer" "$tmp/err"
        rm -f "$tmp/$c.core"
    done
    # --dumpcore=DIR: solo5-hvt's spelling, the default name in DIR.
    mkdir -p "$tmp/dc"
    timeout -s KILL 60 "$m" --dumpcore="$tmp/dc" "$FAULT" null_write >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    got=$(cd "$tmp/dc" && ls)
    if [ $status = 255 ] && [[ $got == core.ukvm.hvt_fault.hvt.[0-9]* ]] && [ "$(wc -w <<<"$got")" = 1 ] &&
        grep -q "^ukvm: core written to $tmp/dc/$got (" "$tmp/err"; then
        pass "$f/core/dumpcore-dir"
        core_check "$f/core/dumpcore" "$tmp/dc/$got" CORE_SIGNAL=SIGSEGV CORE_EXEC_MATCHES=1 \
            CORE_FRAMES="null_write hvt_main hvt_rt_start _start" CORE_FRAMES_EXACT=1 \
            CORE_LINE="$(src_line "$FAULT_SRC" '*p = 1;')" CORE_SIGADDR=0
    else
        fail "$f/core/dumpcore-dir" "status $status, files '$got': $(tail -c 400 "$tmp/err")"
    fi
    rm -rf "$tmp/dc"

    # ------------------------------------------------------------ --trace
    timeout -s KILL 60 "$m" --trace "$BUILD/hvt_time.hvt" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    expect_status "$f/trace/time-status" "$status" 0 "$tmp/err"
    grep '^ukvm: trace: ' "$tmp/err" | sed -n 's/.* hypercall \([A-Z_a-z]*\).*/\1/p' | sort -u |
        tr '\n' ' ' >"$tmp/names"
    if [ "$(cat "$tmp/names")" = "HALT POLL PUTS WALLTIME " ]; then
        pass "$f/trace/time-hypercall-names"
    else
        fail "$f/trace/time-hypercall-names" "names '$(cat "$tmp/names")', expected HALT POLL PUTS WALLTIME; $(head -c 800 "$tmp/err")"
    fi
    # In user mode the first exit is the shim's #GP on the guest's lgdt (an mmio exit
    # at the trap stub); each emulated out follows its #GP as an io exit.
    if [ "${UKVM_GUEST_MODE:-}" = user ]; then
        expect "$f/trace/time-format" "$tmp/err" "ukvm: trace: #1      mmio           rip=0x" \
            "ukvm: trace: #10     io             rip=0x"
    else
        expect "$f/trace/time-format" "$tmp/err" "ukvm: trace: #1      io             rip=0x"
    fi
    # The last traced exit is the HALT, in hvt_halt.
    last=$(grep '^ukvm: trace: ' "$tmp/err" | tail -n 1)
    if [[ $last == *"hypercall HALT"* ]]; then
        pass "$f/trace/time-ends-with-HALT"
    else
        fail "$f/trace/time-ends-with-HALT" "$last"
    fi
    sanitizer "$f/trace/time-sanitizer" "$tmp/err"
    # As tests/hvt/hvt_blk/test.spec: the guest reads a seed from storage.
    truncate -s 64K "$tmp/storage.img" && truncate -s 8K "$tmp/scratch.img"
    printf hvt-blk-seed | dd of="$tmp/storage.img" conv=notrunc status=none
    timeout -s KILL 60 "$m" --trace --block:storage="$tmp/storage.img" \
        --block:scratch="$tmp/scratch.img" "$BUILD/hvt_blk.hvt" storage=65536/512 \
        scratch=8192/512 align=refuse >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    expect_status "$f/trace/blk-status" "$status" 0 "$tmp/err"
    expect "$f/trace/blk-names" "$tmp/err" "hypercall BLOCK_WRITE" "hypercall BLOCK_READ" \
        "hypercall PUTS" "hypercall HALT"
    expect_not "$f/trace/blk-no-other-names" "$tmp/err" "hypercall unknown" "hypercall BLOCK_INFO" \
        "hypercall TRAP" "hypercall ABORT"
    sanitizer "$f/trace/blk-sanitizer" "$tmp/err"
    rm -f "$tmp/storage.img" "$tmp/scratch.img"

    # ------------------------------------------------------------ --info
    timeout -s KILL 60 "$m" --info "$BUILD/hvt_blk.hvt" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    expect_status "$f/info/status" "$status" 0 "$tmp/err"
    printf '%s\n' "$BUILD/hvt_blk.hvt" "ABI: Solo5 hvt, version 2" "devices (2):" \
        "  storage              BLOCK_BASIC  --block:storage=FILE" \
        "  scratch              BLOCK_BASIC  --block:scratch=FILE" >"$tmp/want"
    if diff "$tmp/want" "$tmp/out" >"$tmp/diff"; then
        pass "$f/info/hvt_blk-devices"
    else
        fail "$f/info/hvt_blk-devices" "$(cat "$tmp/diff")"
    fi
    timeout -s KILL 60 "$m" --info "$DEBUG" >"$tmp/out" 2>"$tmp/err" </dev/null
    expect "$f/info/no-devices" "$tmp/out" "ABI: Solo5 hvt, version 2" "devices: none"
    sanitizer "$f/info/sanitizer" "$tmp/err"
done

# ================================================================= session transcripts
# docs/sessions/hvt-gdb.txt: gdb on hvt_debug, each command echoed as at gdb's prompt.
# The transcripts are kernel mode's (page permissions and selectors differ in user mode).
if [ "${UKVM_GUEST_MODE:-}" = user ]; then
    echo "SKIP session/hvt-gdb: the transcripts are recorded in kernel mode"
    echo "SKIP session/hvt-shell: the transcripts are recorded in kernel mode"
    exit 0
fi
# Both sessions set software breakpoints.
if [ -n "$swbp_skip" ]; then
    echo "SKIP session/hvt-gdb: $swbp_skip"
    echo "SKIP session/hvt-shell: $swbp_skip"
    exit 0
fi
if [ $have_gdb = 1 ]; then
    d=$tmp/gdb-session
    mkdir -p "$d"
    "$BUILD/ukvm" --gdb=127.0.0.1:0 "$DEBUG" >"$d/stdout" 2>"$d/stderr" </dev/null &
    pid=$!
    port=$(gdb_port_of "$d/stderr" $pid)
    cmds=("target remote 127.0.0.1:$port" "break leaf" "continue" "bt" "next"
        "info registers rip cr0 cr3 cr4 efer" "delete" "watch dbg_page.target" "continue"
        "continue" "delete" "monitor pt \$rip" "continue")
    args=()
    for c in "${cmds[@]}"; do args+=(-ex "echo (gdb) $c\\n" -ex "$c"); done
    {
        echo "\$ build/ukvm --gdb $DEBUG"
        head -n 1 "$d/stderr"
        echo "\$ gdb -q $DEBUG      # in another terminal"
        timeout -s KILL 120 gdb -nx -q -batch -ex 'set pagination off' "${args[@]}" "$DEBUG" \
            </dev/null 2>&1
    } | sed "s/127\.0\.0\.1:$port/127.0.0.1:1234/g" >"$d/raw"
    if wait_exit $pid 30; then
        expect_status "session/gdb-ukvm-exit-status" "$status" 0 "$d/stderr"
    else
        fail "session/gdb-ukvm-exit" "ukvm still running 30 s after gdb finished"
    fi
    compare_session session/hvt-gdb "$d/raw" docs/sessions/hvt-gdb.txt
else
    echo "SKIP session/hvt-gdb: gdb is not installed"
fi

# docs/sessions/hvt-shell.txt: a scripted shell session on hvt_debug (stdout and stderr).
shell_cmds='break leaf\ncontinue\nbt\nstepi\ndelete 1\nwatch dbg_page 8\ncontinue\nx/2xg dbg_page\nexc\ndelete\ncontinue\n'
{
    echo "\$ printf '$shell_cmds' | build/ukvm --shell $DEBUG"
    # shellcheck disable=SC2059
    printf "$shell_cmds" | timeout -s KILL 60 "$BUILD/ukvm" --shell "$DEBUG" 2>&1
    st=${PIPESTATUS[1]}
    echo "\$ echo \$?"
    echo "$st"
} >"$tmp/shell-raw"
compare_session session/hvt-shell "$tmp/shell-raw" docs/sessions/hvt-shell.txt
