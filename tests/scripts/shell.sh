#!/usr/bin/env bash
# `ukvm --shell` driven by scripts: commands piped into stdin, one session per scenario,
# with assertions on what each command prints for known guest states of
# build/test_shell.ukvm (tests/test_shell/), with the plain and the ASan/UBSan monitor.
# Every command of the table is exercised, malformed input included; the interactive
# side (completion, history, Ctrl-C) is tests/scripts/shell_tmux.sh.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash

if [ ! -w /dev/kvm ]; then
    echo "SKIP shell: /dev/kvm is missing or not writable here"
    exit 0
fi
kernel=$BUILD/test_shell.ukvm
if [ ! -f "$kernel" ]; then
    echo "FAIL shell: $kernel was not built (make all)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Addresses from the ELF itself, so the checks do not depend on the compiler's layout.
sym_addr() { printf '0x%x' "0x$(nm "$kernel" | awk -v s="$1" '$3 == s { print $1 }')"; }
hex16() { printf '0x%016x' "$1"; }
pages=$(sym_addr shell_pages)
leaf=$(sym_addr leaf)

# session NAME MONITOR COMMANDS [GUEST ARGS...]: runs one scripted session; its stdout,
# stderr and status are in $tmp/out, $tmp/err, $status. A hang or a sanitizer report fails
# NAME at once (and returns 1).
session() {
    local name=$1 m=$2 cmds=$3
    shift 3
    printf '%s\n' "$cmds" | timeout -s KILL 120 "$m" --shell "$kernel" "$@" \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status = 137 ] && ! grep -q "guest killed" "$tmp/err"; then
        fail "$name" "hung: killed after 120 s; stdout: $(tail -c 600 "$tmp/out")"
        return 1
    fi
    if ! sanitizer_clean "$tmp/err"; then
        fail "$name" "sanitizer report: $(head -c 1500 "$tmp/err")"
        return 1
    fi
    return 0
}

# expect NAME STRING...: every fixed string appears in the last session's stdout.
expect() {
    local name=$1 s
    shift
    for s in "$@"; do
        if ! grep -qF -- "$s" "$tmp/out"; then
            fail "$name" "stdout lacks '$s'; stdout:
$(head -c 2500 "$tmp/out")
stderr: $(head -c 600 "$tmp/err")"
            return 1
        fi
    done
    pass "$name"
}

# expect_not NAME STRING: the string does not appear in stdout.
expect_not() {
    if grep -qF -- "$2" "$tmp/out"; then
        fail "$1" "stdout has '$2': $(grep -F -- "$2" "$tmp/out" | head -3)"
    else
        pass "$1"
    fi
}

# expect_status NAME STATUS
expect_status() {
    if [ "$status" = "$2" ]; then
        pass "$1"
    else
        fail "$1" "exit status $status, expected $2; stderr: $(tail -c 600 "$tmp/err")"
    fi
}

# signal_session NAME SIGNAL: for the session just started in the background ($!):
# waits until the guest spins, sends SIGNAL to ukvm, and waits (bounded) for its end;
# its status is in $status.
signal_session() {
    local name=$1 sig=$2 pid=$! i
    for i in $(seq 1 300); do
        grep -q spinning "$tmp/out" && break
        sleep 0.1
    done
    sleep 0.5
    kill -"$sig" "$pid"
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        fail "$name" "ukvm did not end within 30 s of SIG$sig"
    fi
    wait "$pid"
    status=$?
}

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")

    # ---------------------------------------------------------------- registers
    if session "$f/regs" "$m" 'help
help x
regs
segs
dr
hbreak leaf
dr
gdt
idt'; then
        expect "$f/help-lists-every-command" "help (h, ?)" "continue (c, cont)" \
            "quit (q)" "reverse-stepi (rsi)" "reverse-continue (rc)" "record " "xp " "disas " "map " "mem " "gdt " "idt " "sym " "list " "bt " \
            "break " "hbreak " "watch " "rwatch " "awatch " "delete " "stepi " "nexti " "core "
        expect "$f/help-one-command" "usage: x[/FMT] ADDR" "F x (hex, the default)"
        expect "$f/regs-at-entry" "rip  0x0000000000100000" "rdi  0x0000000000003000" \
            "cr0  0x0000000080010033 [ PG WP NE ET MP PE ]" "efer 0x0000000000000d00 [ NXE LMA LME ]" \
            "rflags 0x0000000000000002"
        expect "$f/segs-decodes-the-gdt" "cs   0x0008 (index 1, GDT, rpl 0)" \
            "GDT[1] @0x1008 = 0x00af9b000000ffff" "GDT[3] @0x1018 = 0x00008b0020000067 0x0000000000000000" \
            "type 0xb TSS busy" "ldt  0x0000 (index 0, GDT, rpl 0) unusable" \
            "null selector: no descriptor" "gdtr base 0x0000000000001000  limit 0x0027 (5 entries)"
        expect "$f/dr-registers" "dr6  0x00000000ffff0ff0 [ none ]" "dr7  0x0000000000000400 [ none ]" \
            "hardware breakpoints of this shell" "  1  $(hex16 "$leaf") leaf+0x0"
        expect "$f/gdt-table" "gdtr base 0x0000000000001000  limit 0x0027 (5 slots of 8 bytes)" \
            "0x00 [ 0] 0x0000000000000000  null descriptor" "0x08 [ 1] 0x00af9b000000ffff" \
            "0x10 [ 2] 0x00cf93000000ffff" "type 0x3 data rw- A     dpl 0 P DB G"
        expect "$f/idt-empty-at-entry" "idtr base 0x0000000000000000  limit 0x0000 (0 gates)" \
            "no gates: any exception now becomes a triple fault"
    fi

    # ---------------------------------------------------------------- memory and symbols
    if session "$f/memory" "$m" 'break leaf
continue
x/2xg shell_words
x/4xb shell_words
x/2dw shell_words+8
x/s shell_string
x shell_string
x/3i leaf
x 0
x/2c shell_string
xp/xg $cr3
xp/2xg shell_words
xp 0x7fffffff000
disas leaf
disas leaf 2
disas
sym leaf
sym 0x5
list leaf
bt
exits 2
mem
exc'; then
        expect "$f/x-quadwords" "<shell_words+0x0>: 0x1122334455667788 0x00000000cafef00d"
        expect "$f/x-bytes" "<shell_words+0x0>: 0x88 0x77 0x66 0x55"
        expect "$f/x-decimal-words" "<shell_words+0x8>: -889262067         0"
        expect "$f/x-string" '<shell_string+0x0>: "hello, shell"'
        expect "$f/x-default-hexdump" "68 65 6c 6c 6f 2c 20 73 68 65 6c 6c 00 00 00 00  |hello, shell....|"
        expect "$f/x-instructions" "$(hex16 "$leaf") <leaf+0x0>:" "<leaf+0x7>:"
        expect "$f/x-unmapped" "x: cannot read 0x0: not present at PT[0]"
        expect "$f/x-chars" "<shell_string+0x0>: 'h' 'e'"
        expect "$f/xp-page-table" "0x0000000000020000: 0x0000000000021023"
        expect "$f/xp-identity" "$(hex16 "$(sym_addr shell_words)"): 0x1122334455667788 0x00000000cafef00d"
        expect "$f/xp-outside-memory" "xp: cannot read physical 0x7fffffff000: outside guest memory"
        expect "$f/disas-function" "leaf: $leaf-" "=> $(hex16 "$leaf") <leaf+0x0>:" "ret"
        expect "$f/sym-symbol" "$(hex16 "$leaf")  leaf+0x0 (code $leaf-" "test_shell.c:"
        expect "$f/sym-no-symbol" "0x0000000000000005  no symbol"
        expect "$f/list-source" "tests/test_shell/test_shell.c:" "shell_counter++;" "=>"
        expect "$f/bt" "#0  $(hex16 "$leaf") in leaf+0x0 (test_shell.c:" "in middle+" "in top+" \
            "in solo5_app_main+" "in _start+"
        expect "$f/exits" " VM exits, newest first:" "VM exits by reason since the start:" "total"
        expect "$f/mem-map" "guest memory: 64 MiB (0x4000000 bytes), identity-mapped" \
            "ELF segments (entry 0x100000):" "r-x  " "heap  " "guard page" "bytes of stack in use" \
            "hypervisor memory slots (1):" "slot 0      0x0000000000000000-0x0000000004000000" \
            "page tables  0x0000000000020000-0x0000000000100000"
        expect "$f/exc-none" "no exception so far" \
            "hypervisor events (KVM_GET_VCPU_EVENTS): no exception, interrupt or NMI pending or injected"
        # disas leaf 2: exactly two instructions.
        n=$(sed -n '/^leaf: /,$p' "$tmp/out" | grep -c "<leaf+")
        if grep -q "^   $(hex16 "$leaf") <leaf+0x0>:" "$tmp/out" && [ "$n" -ge 3 ]; then
            pass "$f/disas-count"
        else
            fail "$f/disas-count" "$(cat "$tmp/out" | head -c 1500)"
        fi
        expect_status "$f/memory-two-failed-status-1" 1
    fi

    # ---------------------------------------------------------------- page tables
    p0=$(hex16 "$pages") p1=$(hex16 $((pages + 0x1000))) p2=$(hex16 $((pages + 0x2000)))
    p3=$(hex16 $((pages + 0x3000)))
    if session "$f/paging" "$m" 'break paging_ready
continue
pt shell_pages
pt shell_pages+0x1000
pt shell_pages+0x2000
map
idt
idt 14' paging; then
        expect "$f/pt-not-present" "va $pages" "=> fault: not present at PT["
        expect "$f/pt-read-only" "va $(printf '0x%x' $((pages + 0x1000)))" "(4 KiB page, r--, supervisor)"
        expect "$f/pt-executable-user" "(4 KiB page, rwx, user)"
        expect "$f/map-read-only" "$p1-$p2  r-- supervisor  4 KiB x 1"
        expect "$f/map-executable-user" "$p2-$p3  rwx user        4 KiB x 1"
        expect "$f/map-null-page-absent" "0x0000000000001000-0x0000000000100000  rw- supervisor  4 KiB x 255"
        expect "$f/map-text" "0x0000000000100000-" "r-x supervisor" "2 MiB x"
        expect_not "$f/map-not-present-page-left-out" "-$p1  rw-"
        if grep -q -- "-$p0  " "$tmp/out" && ! grep -q "^$p0-" "$tmp/out"; then
            pass "$f/map-hole-at-not-present-page"
        else
            fail "$f/map-hole-at-not-present-page" "$(grep -E '^0x' "$tmp/out" | head -12)"
        fi
        expect "$f/idt-gates" "idtr base 0x" "limit 0x0fff (256 gates)" "0 #DE  sel 0x08" \
            "trap_stub_0+0x0" "14 #PF  sel 0x08" "int gate  ist 3 dpl 0  trap_stub_14+0x0" \
            "32-255  not present"
    fi

    # ---------------------------------------------------------------- control
    top=$(sym_addr top)
    if session "$f/control" "$m" 'break top
hbreak leaf
break
continue
delete 2
delete 9
nexti 3
x/xg shell_counter
break
delete
break leaf
break leaf
continue
continue
stepi'; then
        expect "$f/break-sets" "breakpoint 1 at $(hex16 "$top") in top+0x0 (test_shell.c:"
        expect "$f/hbreak-sets" "hardware breakpoint 2 at $(hex16 "$leaf") in leaf+0x0"
        expect "$f/break-lists" "Num  Type    Address             Len  Where" \
            "1    break   $(hex16 "$top")    1  in top+0x0" "2    hbreak  $(hex16 "$leaf")"
        expect "$f/continue-to-breakpoint" "breakpoint 1, $(hex16 "$top") in top+0x0"
        expect "$f/delete-one" "deleted hbreak 2"
        expect "$f/delete-unknown" "delete: no breakpoint or watchpoint 9"
        expect "$f/delete-all" "deleted 1 breakpoint and watchpoint"
        expect "$f/break-twice" "break: 3 is already a break at $leaf"
        # nexti 3 from top's entry (push, mov, call): over the call, leaf ran twice, and
        # the stop is back in top.
        expect "$f/nexti-over-call" "<shell_counter+0x0>: 0x0000000000000002"
        if grep -B2 "<shell_counter+0x0>: 0x0000000000000002" "$tmp/out" | grep -q " in top+"; then
            pass "$f/nexti-stays-in-caller"
        else
            fail "$f/nexti-stays-in-caller" "$(head -c 2500 "$tmp/out")"
        fi
        expect "$f/continue-to-exit" "SUCCESS" "the guest exited with status 0"
        expect "$f/continue-after-exit" "continue: the guest has ended (status 0)" \
            "stepi: the guest has ended (status 0)"
        expect_status "$f/failed-command-status-1" 1
        if grep -qF "ukvm: 4 shell commands failed" "$tmp/err"; then
            pass "$f/failures-counted"
        else
            fail "$f/failures-counted" "stderr: $(cat "$tmp/err")"
        fi
    fi
    if session "$f/stepi" "$m" 'break top
continue
stepi 3
bt 2
stepi
si'; then
        expect "$f/stepi-into-call" "$(hex16 "$(sym_addr middle)") in middle+0x0"
        expect "$f/bt-limit" "#0  $(hex16 "$(sym_addr middle)") in middle+0x0" "#1  0x"
        expect_not "$f/bt-limit-2" "#2  0x"
        expect "$f/stepi-one" "in middle+0x1 (" "in middle+0x4 ("
    fi

    # ---------------------------------------------------------------- watchpoints
    if session "$f/watch" "$m" 'watch shell_counter
rwatch shell_words+8
awatch shell_string 4
break
continue
continue
delete 3
continue' watch; then
        counter=$(sym_addr shell_counter)
        expect "$f/watch-sets" "watchpoint 1 at $(hex16 "$counter") (writes, 8 bytes) in shell_counter+0x0"
        expect "$f/rwatch-sets" "watchpoint 2 at" "(reads, 8 bytes) in shell_words+0x8"
        expect "$f/awatch-sets" "watchpoint 3 at" "(reads and writes, 4 bytes) in shell_string+0x0"
        expect "$f/watch-listed" "1    watch   $(hex16 "$counter")    8" "2    rwatch" "3    awatch"
        expect "$f/watch-write-stops" "watchpoint 1 ($(printf '0x%x' "$counter")), after the access:" "in watched+"
        expect "$f/rwatch-read-stops" "watchpoint 2 ($(printf '0x%x' $(($(sym_addr shell_words) + 8)))), after the access:"
        expect "$f/watch-guest-goes-on" "SUCCESS" "the guest exited with status 0"
        expect_status "$f/watch-status-0" 0
    fi

    # ---------------------------------------------------------------- post-mortem and core
    if session "$f/post-mortem" "$m" "continue
exc
bt
x/i \$rip
core $tmp/guest.core
continue
regs" fault; then
        expect "$f/fault-stops-shell" "ukvm: Page fault (#PF) at fault_here+" \
            "the guest is stopped in the faulting context"
        expect "$f/exc-post-mortem" "Page fault (#PF, vector 14) at fault_here+" \
            "error code 0x2: not-present page, write, supervisor, data access" \
            "a null pointer dereference" "registers at the fault:" "hypervisor events"
        expect "$f/bt-post-mortem" "#0  0x" "in fault_here+" "#1  0x" "in solo5_app_main+"
        expect "$f/x-i-at-fault" "=> " "<fault_here+"
        expect "$f/core-written" "core written to $tmp/guest.core"
        [ -s "$tmp/guest.core" ] && pass "$f/core-file-exists" || fail "$f/core-file-exists" "no $tmp/guest.core"
        expect "$f/continue-after-fault-ends" \
            "the guest ended as it would have without the shell (crash report on stderr), status 255"
        expect "$f/regs-after-end" "rip  0x"
        grep -qF "ukvm: guest crashed: Page fault" "$tmp/err" && pass "$f/crash-report-on-stderr" ||
            fail "$f/crash-report-on-stderr" "$(head -c 600 "$tmp/err")"
        expect_status "$f/post-mortem-status-0" 0
    fi

    # ---------------------------------------------------------------- malformed input
    long=$(printf 'x%.0s' $(seq 1 5000))
    if session "$f/malformed" "$m" "frobnicate
ex
x
x/zz 0
x/0xb 0
x/99999999xb 0
x/9000xg 0
xp
disas nosuch_symbol
disas leaf 0
break
break 0
hbreak
hbreak nosuch
watch
watch 0x0 99999999
delete abc
stepi 0
stepi 1 2
nexti -1
continue now
idt 256
bt 0
sym
sym \$nosuch
list 0
pt
map extra
mem extra
gdt extra
segs extra
dr extra
exc extra
exits 0
core a b
quit now
help nosuch
x \"unterminated
$long
$(printf '\001\002\377')
regs"; then
        expect "$f/unknown-command" "unknown command 'frobnicate': try 'help'"
        expect "$f/ambiguous" "ambiguous command 'ex': exc, exits"
        expect "$f/x-errors" "x: missing address (usage: x[/FMT] ADDR)" "x: bad format '/zz'" \
            "x: count in '/0xb' must be 1 to 65536" "x: count in '/99999999xb' must be 1 to 65536" \
            "x: at most 65536 bytes at once"
        expect "$f/xp-error" "xp: missing address"
        expect "$f/disas-errors" "disas: unknown symbol 'nosuch_symbol'" "disas: N: 0 is out of range"
        expect "$f/break-errors" "no breakpoints or watchpoints" "break: cannot set it at 0x0: the address is not mapped" \
            "hbreak: missing address" "hbreak: unknown symbol 'nosuch'"
        expect "$f/watch-errors" "watch: missing address" "watch: LEN: 99999999 is out of range"
        expect "$f/delete-error" "delete: 'abc': not a number"
        expect "$f/step-errors" "stepi: N: 0 is out of range" "stepi: too many arguments" "nexti: N: '-1': not a number"
        expect "$f/continue-error" "continue: takes no arguments"
        expect "$f/idt-error" "idt: VECTOR: 256 is out of range"
        expect "$f/bt-error" "bt: N: 0 is out of range"
        expect "$f/sym-errors" "sym: missing address or symbol" "sym: unknown register"
        expect "$f/list-error" "list: no source line is known for 0x0"
        expect "$f/no-argument-commands" "pt: missing address" "map: takes no arguments" \
            "mem: takes no arguments" "gdt: takes no arguments" "segs: takes no arguments" \
            "dr: takes no arguments" "exc: takes no arguments" "exits: N: 0 is out of range"
        expect "$f/core-error" "core: takes at most one file name"
        expect "$f/quit-error" "quit: takes no arguments"
        expect "$f/help-error" "help: unknown command 'nosuch'"
        expect "$f/tokenizer-errors" "unterminated quote" "command line too long" "unknown command"
        expect "$f/still-works-after-errors" "rip  0x0000000000100000"
        expect_status "$f/malformed-status-1" 1
    fi

    # ---------------------------------------------------------------- signals, options
    # SIGINT stops a running guest and never ends the scripted session; SIGTERM ends ukvm.
    ( echo continue; sleep 4; echo 'x/i $rip'; echo quit ) | "$m" --shell "$kernel" spin \
        >"$tmp/out" 2>"$tmp/err" &
    signal_session "$f/sigint" INT
    expect "$f/sigint-stops-guest" "spinning" "interrupted, 0x" "in spin+" "<spin+"
    expect_status "$f/sigint-session-goes-on" 0
    if sanitizer_clean "$tmp/err"; then
        pass "$f/sigint-sanitizer-clean"
    else
        fail "$f/sigint-sanitizer-clean" "$(head -c 800 "$tmp/err")"
    fi
    ( echo continue; sleep 30 ) | "$m" --shell "$kernel" spin >"$tmp/out" 2>"$tmp/err" &
    signal_session "$f/sigterm" TERM
    expect_status "$f/sigterm-ends-session" 143

    expect_run "$f/gdb-and-shell-refused" 2 "--gdb and --shell cannot be combined" \
        "$m" --gdb --shell "$kernel"
    expect_run "$f/shell-and-gdb-refused" 2 "--gdb and --shell cannot be combined" \
        "$m" --shell --gdb=0 "$kernel"
    # End of input with the guest alive: killed; every command succeeded: status 0.
    printf 'regs\n' | timeout -s KILL 60 "$m" --shell "$kernel" >"$tmp/out" 2>"$tmp/err"
    status=$?
    expect_status "$f/eof-status-0" 0
    grep -qF "guest killed (status 137)" "$tmp/err" && pass "$f/eof-kills-guest" ||
        fail "$f/eof-kills-guest" "$(cat "$tmp/err")"
    # Source files not at hand: list says so. (realpath: BUILD may be absolute or relative.)
    abs_m=$(realpath "$m") abs_kernel=$(realpath "$kernel")
    (cd "$tmp" && printf 'list leaf\n' | timeout -s KILL 60 "$abs_m" --shell "$abs_kernel" \
        >"$tmp/out" 2>"$tmp/err")
    expect "$f/list-source-missing" "the source file is not at hand"

    # ---------------------------------------------------------------- offsets, bytes
    # "ADDR +N" is an address for disas and watch as it is for x (a last word is their
    # count or length only when it is not an offset). A NUL refuses its whole line: cut
    # at the NUL, "delete\0 1" would delete every breakpoint. A control character is an
    # error, never echoed to the terminal.
    printf 'break leaf\nwatch shell_words +8\ndisas leaf +4\ndisas leaf +4 2\ndelete\0 1\nx \033[31m\nbreak\n' |
        timeout -s KILL 60 "$m" --shell "$kernel" >"$tmp/out" 2>"$tmp/err"
    status=$?
    expect "$f/watch-offset" "watchpoint 2 at $(hex16 $(($(sym_addr shell_words) + 8))) (writes, 8 bytes)"
    expect "$f/disas-offset" "leaf: $leaf-"
    expect "$f/disas-offset-count" "   $(hex16 $((leaf + 4))) <leaf+0x4>:"
    expect "$f/nul-line-refused" "a NUL byte in the line: not a command"
    expect "$f/nul-line-kept-breakpoints" "1    break   $(hex16 "$leaf")"
    expect "$f/control-character-refused" "control character 0x1b at column 3: not a command"
    if grep -q $'\033' "$tmp/out"; then
        fail "$f/control-character-not-echoed" "$(cat -v "$tmp/out")"
    else
        pass "$f/control-character-not-echoed"
    fi
    expect_status "$f/bytes-status-1" 1

    # ---------------------------------------------------------------- shell = monitor
    # Every inspection command prints the same in the shell as through gdb's monitor, at
    # the same stop (errors too: gdb shows the message, then its own "Protocol error").
    # gdb -batch prints the target's output on stderr, hence 2>&1.
    if command -v gdb >/dev/null; then
        parity=(help "help x" regs segs dr "x/2xg shell_words" "x/s shell_string"
            "x shell_string" "x/3i leaf" "xp/4xg \$cr3" "disas leaf" "disas leaf 2" "pt \$rip"
            "pt 0" "pt 0x8000000000000000" map mem gdt idt "idt 14" exc "sym leaf" "list leaf" bt
            "x 0" "x/100000000xb 0" frobnicate)
        gdb_args=()
        for c in "${parity[@]}"; do gdb_args+=(-ex "monitor $c"); done
        "$m" --gdb=127.0.0.1:0 "$kernel" >"$tmp/gdb-guest" 2>"$tmp/gdb-err" </dev/null &
        pid=$!
        port=$(gdb_port_of "$tmp/gdb-err" $pid)
        timeout -s KILL 120 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex "break leaf" \
            -ex continue -ex 'echo @@begin\n' "${gdb_args[@]}" -ex 'echo @@end\n' -ex kill \
            "$kernel" </dev/null 2>&1 | sed -n '/^@@begin$/,/^@@end$/p' | sed '1d;$d' |
            grep -v '^Protocol error with Rcmd$' >"$tmp/monitor"
        wait $pid
        { echo 'break leaf'; echo continue; printf '%s\n' "${parity[@]}"; } |
            timeout -s KILL 120 "$m" --shell "$kernel" 2>/dev/null | sed '1,3d' >"$tmp/shell"
        if [ -s "$tmp/shell" ] && diff "$tmp/shell" "$tmp/monitor" >"$tmp/diff"; then
            pass "$f/shell-output-equals-monitor"
        else
            fail "$f/shell-output-equals-monitor" "$(head -c 2000 "$tmp/diff")"
        fi
    else
        echo "SKIP $f/shell-output-equals-monitor: gdb is not installed"
    fi
done
