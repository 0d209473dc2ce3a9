#!/usr/bin/env bash
# The guest's console output when nobody reads it or the reader is gone (docs/abi.md#console):
# a guest blocked writing to a full pipe still ends at once, with status 128+N and "guest
# ended by", on SIGTERM and SIGINT (ukvm and hvt guests, kernel and user mode); under gdb,
# Ctrl-C stops it there and continuing finishes the output exactly (tests/gdb/
# console_ctrlc.py); a closed pipe (EPIPE) ends the guest with a message and status 252.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if [ ! -w /dev/kvm ]; then
    echo "SKIP console: /dev/kvm is missing or not writable here"
    exit 0
fi
if ! command -v python3 >/dev/null; then
    echo "SKIP console: python3 is not installed (make deps installs it)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fifo=$tmp/out

# blocked_case NAME MONITOR MODE SIGNAL STATUS KERNEL ARGS...: the guest's output fills a
# FIFO nobody reads; then SIGNAL must end ukvm with STATUS.
blocked_case() {
    local name=$1 m=$2 mode=$3 sig=$4 want=$5 pid
    shift 5
    if [ ! -f "${@: -2:1}" ]; then
        fail "$name" "${*: -2:1} was not built (make test builds it)"
        return
    fi
    rm -f "$fifo" && mkfifo "$fifo"
    exec 7<>"$fifo"
    UKVM_GUEST_MODE=$mode "$m" "$@" >"$fifo" 2>"$tmp/err" </dev/null &
    pid=$!
    if ! python3 tests/lib/pipe_tool.py wait-full "$fifo" 120 $pid; then
        fail "$name" "the guest's output never filled the pipe; stderr: $(head -c 400 "$tmp/err")"
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
    else
        kill -"$sig" $pid
        if ! wait_exit $pid 30; then
            fail "$name" "ukvm still running 30 s after SIG$sig (blocked in its console output)"
        elif [ "$status" != "$want" ] || ! grep -q "guest ended by" "$tmp/err"; then
            fail "$name" "status $status, expected $want; stderr: $(head -c 400 "$tmp/err")"
        elif ! sanitizer_clean "$tmp/err"; then
            fail "$name" "sanitizer report: $(head -c 1200 "$tmp/err")"
        else
            pass "$name"
        fi
    fi
    exec 7>&-
}

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    for mode in kernel user; do
        blocked_case "$f/$mode/sigterm-while-output-blocked" "$m" $mode TERM 143 \
            "$BUILD/test_sleep.ukvm" flood
        blocked_case "$f/$mode/sigint-while-output-blocked" "$m" $mode INT 130 \
            "$BUILD/test_sleep.ukvm" flood
        blocked_case "$f/$mode/hvt-sigterm-while-output-blocked" "$m" $mode TERM 143 \
            "$BUILD/bench_hvt_puts.hvt" 1000000
    done

    # The reader goes away: the next write fails with EPIPE, which ends the guest.
    for mode in kernel user; do
        UKVM_GUEST_MODE=$mode "$m" "$BUILD/test_sleep.ukvm" flood 2>"$tmp/err" </dev/null |
            head -c 100 >/dev/null
        status=${PIPESTATUS[0]}
        if [ "$status" = 252 ] && grep -q 'ukvm: console output failed: write: Broken pipe' "$tmp/err" &&
            sanitizer_clean "$tmp/err"; then
            pass "$f/$mode/closed-output-ends-guest"
        else
            fail "$f/$mode/closed-output-ends-guest" "status $status; stderr: $(head -c 400 "$tmp/err")"
        fi
    done

    # gdb's Ctrl-C while the output is blocked, and the output finished exactly after.
    if ! command -v gdb >/dev/null; then
        echo "SKIP $f/gdb-ctrl-c-while-output-blocked: gdb is not installed (make deps installs it)"
        continue
    fi
    for mode in kernel user; do
        name=$f/$mode/gdb-ctrl-c-while-output-blocked
        rm -f "$fifo" && mkfifo "$fifo"
        exec 7<>"$fifo"
            UKVM_GUEST_MODE=$mode "$m" --gdb=127.0.0.1:0 "$BUILD/test_sleep.ukvm" flood \
            >"$fifo" 2>"$tmp/err" </dev/null &
        pid=$!
        port=$(gdb_port_of "$tmp/err" $pid)
        if [ -z "$port" ]; then
            fail "$name" "ukvm never said where it listens: $(head -c 400 "$tmp/err")"
            kill -KILL $pid 2>/dev/null
            wait $pid 2>/dev/null
            exec 7>&-
            continue
        fi
        out=$(UKVM_GDB_PORT=$port UKVM_PID=$pid UKVM_FIFO=$fifo UKVM_FIFO_OUT=$tmp/read \
            timeout -s KILL 300 gdb -nx -batch -ex "python import sys; sys.path.insert(0, 'tests/gdb')" \
            -x tests/gdb/console_ctrlc.py "$BUILD/test_sleep.ukvm" </dev/null 2>&1)
        grep -E '^(PASS|FAIL) ' <<<"$out" | sed -E "s#^(PASS|FAIL) #\1 $name/#"
        if ! grep -qE '^(PASS|FAIL) ' <<<"$out" || grep -qE '^(Traceback|Python Exception)' <<<"$out"; then
            fail "$name/script-completed" "$(tail -n 15 <<<"$out")"
        fi
        if ! wait_exit $pid 30; then
            fail "$name/ukvm-exit" "ukvm still running 30 s after gdb finished"
        elif [ "$status" = 0 ] && sanitizer_clean "$tmp/err"; then
            pass "$name/ukvm-exit-status"
        else
            fail "$name/ukvm-exit-status" "status $status; stderr: $(tail -c 600 "$tmp/err")"
        fi
        exec 7>&-
    done
done
