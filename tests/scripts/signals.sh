#!/usr/bin/env bash
# SIGINT and SIGTERM end the guest cleanly with status 128+N, whether it sleeps in
# solo5_yield() or spins in guest code.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
kernel=$BUILD/test_sleep.ukvm

# signal_case NAME MONITOR MODE SIGNAL STATUS
signal_case() {
    local name=$1 m=$2 mode=$3 sig=$4 want=$5 out err pid status i
    out=$(mktemp) err=$(mktemp)
    "$m" "$kernel" "$mode" >"$out" 2>"$err" </dev/null &
    pid=$!
    # Wait (bounded) until the guest says it is waiting, so the signal lands in the guest.
    for i in $(seq 1 600); do
        grep -q waiting "$out" && break
        sleep 0.1
    done
    if ! grep -q waiting "$out"; then
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        fail "$name" "the guest never printed 'waiting'; stderr: $(head -c 400 "$err")"
        rm -f "$out" "$err"
        return
    fi
    kill -"$sig" $pid
    # Bounded wait for the exit: 30 s is a hang, not slowness.
    if ! wait_exit $pid 30; then
        fail "$name" "ukvm did not exit within 30 s of SIG$sig"
    else
        if [ $status != "$want" ]; then
            fail "$name" "exit status $status, expected $want; stderr: $(head -c 400 "$err")"
        elif ! grep -q "guest ended by" "$err"; then
            fail "$name" "no 'guest ended by' message; stderr: $(head -c 400 "$err")"
        elif ! sanitizer_clean "$err"; then
            fail "$name" "sanitizer report: $(head -c 1200 "$err")"
        else
            pass "$name"
        fi
    fi
    rm -f "$out" "$err"
}

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    signal_case "$f/sigterm-while-yielding" "$m" yield TERM 143
    signal_case "$f/sigint-while-yielding" "$m" yield INT 130
    signal_case "$f/sigterm-while-spinning" "$m" spin TERM 143
    signal_case "$f/sigint-while-spinning" "$m" spin INT 130
done

# With gdb connected and idle (the guest stopped), SIGTERM to ukvm still ends it at once.
if command -v gdb >/dev/null; then
    for m in "${MONITORS[@]}"; do
        f=$(flavour "$m")
        err=$(mktemp)
        "$m" --gdb=127.0.0.1:0 "$kernel" yield >/dev/null 2>"$err" </dev/null &
        pid=$!
        port=$(gdb_port_of "$err" $pid)
        gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex "shell sleep 30" \
            "$kernel" >/dev/null 2>&1 </dev/null &
        gdbpid=$!
        for i in $(seq 1 300); do
            grep -q "gdb connected" "$err" && break
            sleep 0.1
        done
        sleep 0.5
        kill -TERM $pid
        if ! wait_exit $pid 10; then
            fail "$f/sigterm-with-idle-gdb" "ukvm still running 10 s after SIGTERM"
        else
            [ $status = 143 ] && grep -q "guest ended by" "$err" &&
                pass "$f/sigterm-with-idle-gdb" ||
                fail "$f/sigterm-with-idle-gdb" "status $status; stderr: $(head -c 400 "$err")"
        fi
        kill -KILL $gdbpid 2>/dev/null
        wait $gdbpid 2>/dev/null
        rm -f "$err"
    done
else
    echo "SKIP sigterm-with-idle-gdb: gdb is not installed"
fi
