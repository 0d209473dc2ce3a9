#!/usr/bin/env bash
# A port or MMIO access that ends the guest shows the guest AT that instruction, the same
# in every front end and on every KVM (ukvm/run/fault_site.h): the crash report's rip, gdb's
# $pc at the stop, a `monitor core` of that stop, a --core file and the shell's `regs`
# all give the address of the faulting instruction, a global label in the test guest
# (nm), exactly. Cases, in kernel and user mode: test_faults bad_hypercall (a PUTS with its
# argument outside guest memory: `outl` in kernel mode, a store to the hypercall page in
# user mode), test_faults bad_port (`outb` to port 0x80: a port exit in kernel mode, the
# guest's own #GP in user mode), hvt_priv out_port and in_port (Solo5 hvt; user mode
# emulates them).
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if [ ! -w /dev/kvm ]; then
    echo "SKIP fault-site: /dev/kvm is missing or not writable here"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# label_addr FILE SYMBOL: the symbol's address as 0x... without leading zeros.
label_addr() { printf '0x%x' "0x$(nm "$1" | awk -v s="$2" '$3 == s { print $1 }')"; }
# rip_of FILE: the first "rip  0x..." register line's value, as 0x... without leading zeros.
rip_of() {
    local v
    v=$(grep -m1 -oE 'rip  0x[0-9a-f]+' "$1" | awk '{ print $2 }')
    [ -n "$v" ] && printf '0x%x' "$v"
}
# core_pc KERNEL CORE: gdb's $pc in the core file.
core_pc() { gdb -nx -batch -ex 'p/x $pc' "$1" "$2" 2>/dev/null | sed -n 's/^\$1 = //p'; }

expect_addr() { # expect_addr NAME GOT WANT CONTEXT_FILE
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "got ${2:-nothing}, expected $3 (the faulting instruction); $(head -c 600 "$4")"
    fi
}

# site_case NAME MONITOR MODE FILE LABEL ARGS...
site_case() {
    local name=$1 m=$2 mode=$3 file=$4 label=$5 want pid port out
    shift 5
    want=$(label_addr "$file" "$label")
    export UKVM_GUEST_MODE=$mode
    rm -f "$tmp"/core*
    # The crash report and --core.
    "$m" --core="$tmp/core" "$file" "$@" >/dev/null 2>"$tmp/err" </dev/null
    expect_addr "$name/crash-report" "$(rip_of "$tmp/err")" "$want" "$tmp/err"
    if command -v gdb >/dev/null; then
        expect_addr "$name/core-file" "$(core_pc "$file" "$tmp/core")" "$want" "$tmp/err"
    fi
    # The shell's regs at the stop.
    printf 'continue\nregs\n' | "$m" --shell "$file" "$@" >"$tmp/shell" 2>&1
    expect_addr "$name/shell" "$(rip_of "$tmp/shell")" "$want" "$tmp/shell"
    # gdb's stop, and a `monitor core` of it.
    if ! command -v gdb >/dev/null; then
        echo "SKIP $name/gdb: gdb is not installed (make deps installs it)"
        return
    fi
    "$m" --gdb=127.0.0.1:0 "$file" "$@" >/dev/null 2>"$tmp/gerr" </dev/null &
    pid=$!
    port=$(gdb_port_of "$tmp/gerr" $pid)
    if [ -z "$port" ]; then
        fail "$name/gdb" "ukvm never said where it listens: $(head -c 400 "$tmp/gerr")"
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        return
    fi
    out=$(timeout -s KILL 120 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex continue \
        -ex 'p/x $pc' -ex "monitor core $tmp/mcore" -ex kill "$file" </dev/null 2>&1)
    wait_exit $pid 30 || fail "$name/gdb-ukvm-exit" "ukvm still running 30 s after gdb's kill"
    expect_addr "$name/gdb-stop" "$(sed -n 's/^\$1 = //p' <<<"$out")" "$want" <(echo "$out")
    expect_addr "$name/monitor-core" "$(core_pc "$file" "$tmp/mcore")" "$want" <(echo "$out")
}

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    site_case "$f/kernel/bad-hypercall" "$m" kernel "$BUILD/test_faults.ukvm" bad_hypercall_out bad_hypercall
    site_case "$f/user/bad-hypercall" "$m" user "$BUILD/test_faults.ukvm" bad_hypercall_store bad_hypercall
    site_case "$f/kernel/bad-port" "$m" kernel "$BUILD/test_faults.ukvm" bad_port_insn bad_port
    site_case "$f/user/bad-port" "$m" user "$BUILD/test_faults.ukvm" bad_port_insn bad_port
    for mode in kernel user; do
        site_case "$f/$mode/hvt-out-port" "$m" $mode "$BUILD/hvt_priv.hvt" out_port_insn out_port
        site_case "$f/$mode/hvt-in-port" "$m" $mode "$BUILD/hvt_priv.hvt" in_port_insn in_port
    done
done
