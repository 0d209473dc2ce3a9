#!/usr/bin/env bash
# The sandbox (docs/sandbox.md): once set-up is over, ukvm runs under its seccomp filter
# in every mode, and a forbidden call ends it with one line naming the call.
#
#   filter/...      /proc/PID/status shows "Seccomp: 2" while the guest runs: plain runs
#                   in kernel and user mode, a Solo5 hvt guest, --core, a block device, a
#                   network device (with --pcap, in a network namespace of its own),
#                   --gdb waiting for gdb, --shell reading commands; --no-sandbox: 0
#   forbidden/...   UKVM_SANDBOX_TEST=forbidden (test-only) makes a forbidden call right
#                   after the filter goes in: the plain build ends with the line and status
#                   253 (plain run, --gdb, --shell); the ASan build prints the same line
#                   and goes on (the call fails with ENOSYS), the guest ending normally
#   sanitizer/...   the ASan build's reports under the filter, whole: a heap overflow
#                   (ASan), a signed overflow (UBSan), a leak (LeakSanitizer at exit)
#   files/...       what writes files at run time, sandboxed: --core at a crash, gdb's
#                   `monitor core FILE`, the shell's `core FILE`
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if [ ! -w /dev/kvm ]; then
    echo "SKIP sandbox: /dev/kvm is missing or not writable here"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sleeper=$BUILD/test_sleep.ukvm

# seccomp_of PID: the Seccomp line's value in /proc/PID/status ("" when PID is gone).
seccomp_of() { sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null; }

# wait_for FILE TEXT PID: waits (bounded, while PID lives) until FILE holds TEXT.
wait_for() {
    local i
    for ((i = 0; i < 300; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    grep -qF -- "$2" "$1" 2>/dev/null
}

# check_filter NAME WANT READY_TEXT CMD...: runs CMD in the background (stdin from
# $stdin_file, default /dev/null), waits for READY_TEXT on its stdout or stderr, then
# checks its Seccomp value is WANT and ends it with SIGTERM.
check_filter() {
    local name=$1 want=$2 ready=$3 got pid
    shift 3
    # Emptied here, not by the background job's redirection: that may come after wait_for
    # has read the last case's output.
    : >"$tmp/out"
    : >"$tmp/err"
    "$@" >"$tmp/out" 2>"$tmp/err" <"${stdin_file:-/dev/null}" &
    pid=$!
    if ! wait_for "$tmp/out" "$ready" $pid && ! wait_for "$tmp/err" "$ready" $pid; then
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        fail "$name" "never printed '$ready'; stderr: $(head -c 600 "$tmp/err")"
        return
    fi
    got=$(seccomp_of $pid)
    kill -TERM $pid 2>/dev/null
    wait_exit $pid 30 || true
    if [ "$got" != "$want" ]; then
        fail "$name" "Seccomp: '$got' in /proc/$pid/status, expected $want"
    elif grep -q 'ukvm: sandbox:' "$tmp/err"; then
        fail "$name" "$(grep 'ukvm: sandbox:' "$tmp/err")"
    elif ! sanitizer_clean "$tmp/err"; then
        fail "$name" "sanitizer report: $(head -c 1200 "$tmp/err")"
    else
        pass "$name"
    fi
}

disk=$tmp/disk.img
truncate -s 1M "$disk"
for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    check_filter "filter/$f/plain-kernel" 2 waiting "$m" --guest-mode=kernel "$sleeper" yield
    check_filter "filter/$f/plain-user" 2 waiting "$m" --guest-mode=user "$sleeper" yield
    check_filter "filter/$f/hvt-guest" 2 sleeping "$m" "$BUILD/hvt_debug.hvt" sleep
    check_filter "filter/$f/core" 2 waiting "$m" --core="$tmp/never.core" "$sleeper" yield
    check_filter "filter/$f/block" 2 waiting "$m" --disk="$disk" "$sleeper" yield
    check_filter "filter/$f/gdb" 2 'waiting for gdb' "$m" --gdb=0 "$sleeper" yield
    # The scripted shell: a command's output says it reads commands (under the filter).
    mkfifo "$tmp/fifo"
    (
        echo regs
        sleep 60
    ) >"$tmp/fifo" &
    feeder=$!
    stdin_file=$tmp/fifo check_filter "filter/$f/shell" 2 rip "$m" --shell "$sleeper" yield
    kill $feeder 2>/dev/null
    wait $feeder 2>/dev/null
    rm -f "$tmp/fifo"
    check_filter "filter/$f/no-sandbox" 0 waiting "$m" --no-sandbox "$sleeper" yield
done

# filter/net: a tap in a network namespace of its own (as tests/scripts/net.sh does).
net_case() {
    local m=$1 f
    f=$(flavour "$m")
    if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v unshare >/dev/null ||
        ! command -v ip >/dev/null; then
        echo "SKIP filter/$f/net: needs root, /dev/net/tun, unshare and ip"
        return
    fi
    # The last case's files would answer for this one (its "ping server on" line).
    rm -f "$tmp"/net.*
    timeout -s KILL 120 unshare -n -- bash -c '
        ip link set lo up && ip tuntap add tap0 mode tap && ip link set tap0 up || exit 3
        "$1" --net:service0=tap0 --pcap:service0="$2/net.pcap" "$3" 10.0.0.2 \
            >"$2/net.out" 2>"$2/net.err" </dev/null &
        pid=$!
        for ((i = 0; i < 300; i++)); do
            grep -q "^ping server on" "$2/net.out" && break
            kill -0 $pid 2>/dev/null || break
            sleep 0.1
        done
        sed -n "s/^Seccomp:[[:space:]]*//p" /proc/$pid/status >"$2/net.seccomp"
        kill -TERM $pid
        wait $pid
        echo $? >"$2/net.status"
    ' sh "$m" "$tmp" "$BUILD/test_ping.ukvm"
    local got status magic
    got=$(cat "$tmp/net.seccomp" 2>/dev/null)
    status=$(cat "$tmp/net.status" 2>/dev/null)
    magic=$(od -An -tx1 -N4 "$tmp/net.pcap" 2>/dev/null | tr -d ' ')
    if [ "$got" != 2 ]; then
        fail "filter/$f/net" "Seccomp: '$got' with a tap, expected 2; stderr: $(head -c 600 "$tmp/net.err" 2>/dev/null)"
    elif [ "$status" != 143 ] || grep -q 'ukvm: sandbox:' "$tmp/net.err"; then
        fail "filter/$f/net" "status $status after SIGTERM, expected 143; stderr: $(head -c 600 "$tmp/net.err")"
    elif [ "$magic" != 4d3cb2a1 ]; then
        fail "filter/$f/net" "the pcap file has no pcap header ($magic)"
    elif ! sanitizer_clean "$tmp/net.err"; then
        fail "filter/$f/net" "sanitizer report: $(head -c 1200 "$tmp/net.err")"
    else
        pass "filter/$f/net"
    fi
}
for m in "${MONITORS[@]}"; do
    net_case "$m"
done

# ---------------------------------------------------------------- forbidden calls

line='ukvm: sandbox: forbidden system call socket (41) after set-up'
plain=$BUILD/ukvm
for mode in plain gdb shell; do
    opt=()
    [ $mode = gdb ] && opt=(--gdb=0)
    [ $mode = shell ] && opt=(--shell)
    UKVM_SANDBOX_TEST=forbidden timeout -s KILL 60 "$plain" "${opt[@]}" "$BUILD/test_hello.ukvm" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if [ $status != 253 ]; then
        fail "forbidden/plain/$mode" "status $status, expected 253; stderr: $(head -c 600 "$tmp/err")"
    elif [ "$(grep -c 'ukvm: sandbox:' "$tmp/err")" != 1 ] ||
        ! grep -q "^$line; a bug in ukvm: rerun with --no-sandbox to debug it\$" "$tmp/err"; then
        fail "forbidden/plain/$mode" "stderr lacks the one line '$line ...': $(head -c 600 "$tmp/err")"
    else
        pass "forbidden/plain/$mode"
    fi
done
# --no-sandbox: the same call is made and nothing stops it.
UKVM_SANDBOX_TEST=forbidden expect_run forbidden/plain/no-sandbox 0 SUCCESS \
    "$plain" --no-sandbox "$BUILD/test_hello.ukvm"

asan=$BUILD/asan/ukvm
UKVM_SANDBOX_TEST=forbidden timeout -s KILL 60 "$asan" "$BUILD/test_hello.ukvm" \
    >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ $status != 0 ] || ! grep -q SUCCESS "$tmp/out"; then
    fail forbidden/asan/goes-on "status $status, expected the guest's 0; stderr: $(head -c 600 "$tmp/err")"
elif ! grep -q "^$line; it fails with ENOSYS and ukvm goes on" "$tmp/err"; then
    fail forbidden/asan/goes-on "stderr lacks '$line; it fails with ENOSYS ...': $(head -c 600 "$tmp/err")"
else
    pass forbidden/asan/goes-on
fi

# ---------------------------------------------------------------- sanitizer reports

# sanitizer_report NAME TEST STATUS FIRST LAST: the ASan build with UKVM_SANDBOX_TEST=TEST
# ends with STATUS, its report from FIRST to LAST, symbolized (sandbox.c:LINE in a frame,
# for ASan and LeakSanitizer), and no sandbox line.
sanitizer_report() {
    local name=$1 test=$2 want=$3 first=$4 last=$5 status
    UKVM_SANDBOX_TEST=$test timeout -s KILL 60 "$asan" "$BUILD/test_hello.ukvm" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if [ $status != "$want" ]; then
        fail "$name" "status $status, expected $want; stderr: $(head -c 600 "$tmp/err")"
    elif grep -q 'ukvm: sandbox:' "$tmp/err"; then
        fail "$name" "the sandbox refused a call: $(grep 'ukvm: sandbox:' "$tmp/err")"
    elif ! grep -qF -- "$first" "$tmp/err" || ! grep -qF -- "$last" "$tmp/err"; then
        fail "$name" "the report lacks '$first' or '$last': $(head -c 1200 "$tmp/err")"
    elif [ "$test" != ubsan ] && ! grep -q ' in .* .*ukvm/process/sandbox\.c:[0-9]' "$tmp/err"; then
        fail "$name" "the report's frames are not symbolized: $(head -c 1200 "$tmp/err")"
    else
        pass "$name"
    fi
}
sanitizer_report sanitizer/asan heap-overflow 1 'ERROR: AddressSanitizer: heap-buffer-overflow' \
    'SUMMARY: AddressSanitizer: heap-buffer-overflow'
sanitizer_report sanitizer/ubsan ubsan 1 'runtime error: signed integer overflow' \
    "cannot be represented in type 'int'"
sanitizer_report sanitizer/leak leak 1 'ERROR: LeakSanitizer: detected memory leaks' \
    'SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s).'

# ---------------------------------------------------------------- files written at run time

# is_core FILE: an ELF core file.
is_core() { [ "$(od -An -tx1 -j16 -N1 "$1" 2>/dev/null | tr -d ' ')" = 04 ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    rm -f "$tmp"/*.core
    expect_run "files/$f/core-at-crash" 255 'core written to' \
        "$m" --core="$tmp/crash.core" "$BUILD/test_exception.ukvm"
    is_core "$tmp/crash.core" || fail "files/$f/core-at-crash/file" "no ELF core at $tmp/crash.core"

    printf 'core %s\nquit\n' "$tmp/shell.core" |
        timeout -s KILL 60 "$m" --shell "$sleeper" yield >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status != 0 ] || ! is_core "$tmp/shell.core" || grep -q 'ukvm: sandbox:' "$tmp/err"; then
        fail "files/$f/shell-core" "status $status; stdout: $(head -c 400 "$tmp/out"); stderr: $(head -c 400 "$tmp/err")"
    else
        pass "files/$f/shell-core"
    fi

    if ! command -v gdb >/dev/null; then
        echo "SKIP files/$f/gdb-monitor-core: gdb is not installed (make deps installs it)"
        continue
    fi
    "$m" --gdb=0 "$sleeper" yield >"$tmp/out" 2>"$tmp/err" </dev/null &
    pid=$!
    port=$(gdb_port_of "$tmp/err" $pid)
    if [ -z "$port" ]; then
        kill -KILL $pid 2>/dev/null
        fail "files/$f/gdb-monitor-core" "ukvm never listened: $(head -c 400 "$tmp/err")"
        continue
    fi
    timeout -s KILL 60 gdb -nx -batch -ex "target remote 127.0.0.1:$port" \
        -ex "monitor core $tmp/gdb.core" -ex kill >"$tmp/gdb.out" 2>&1
    wait_exit $pid 30 || status=timeout
    if ! is_core "$tmp/gdb.core" || grep -q 'ukvm: sandbox:' "$tmp/err" || ! sanitizer_clean "$tmp/err"; then
        fail "files/$f/gdb-monitor-core" "gdb: $(head -c 400 "$tmp/gdb.out"); ukvm: $(head -c 400 "$tmp/err")"
    else
        pass "files/$f/gdb-monitor-core"
    fi
done
