# tests/lib/common.bash: helpers for tests/scripts/*.sh (sourced, not run).
# Each check prints one line, PASS or FAIL, which tests/run.sh counts.
BUILD=${BUILD:-build}
MONITORS=("$BUILD/ukvm" "$BUILD/asan/ukvm")
# The scripts' expectations are kernel mode's unless a script chooses (user_mode.sh and
# the *_user.sh ones do), so that a script run by hand behaves as under tests/run.sh.
export UKVM_GUEST_MODE=${UKVM_GUEST_MODE:-kernel}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# flavour MONITOR: "plain" or "asan", for test names.
flavour() { [[ $1 == */asan/* ]] && echo asan || echo plain; }

# sanitizer_clean FILE: true when FILE has no sanitizer report, and no line of the sandbox's
# (the ASan build goes on after a forbidden call: docs/sandbox.md).
sanitizer_clean() { ! grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer|ukvm: sandbox:' "$1"; }

# expect_run NAME STATUS STDERR_SUBSTRING CMD...: run CMD (stdin closed), check its exit
# status and that stderr contains the substring ('' for no check).
expect_run() {
    local name=$1 want=$2 needle=$3 out err status
    shift 3
    out=$(mktemp) err=$(mktemp)
    timeout -s KILL 60 "$@" >"$out" 2>"$err" </dev/null
    status=$?
    if [ "$status" != "$want" ]; then
        fail "$name" "exit status $status, expected $want; stderr: $(head -c 600 "$err")"
    elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$err" "$out"; then
        fail "$name" "output lacks '$needle'; stderr: $(head -c 600 "$err")"
    elif ! sanitizer_clean "$err"; then
        fail "$name" "sanitizer report: $(head -c 1200 "$err")"
    else
        pass "$name"
    fi
    rm -f "$out" "$err"
}

# gdb_port_of STDERR_FILE PID: waits (up to 30 s, while PID lives) for ukvm's
# "waiting for gdb on 127.0.0.1:PORT" line and prints PORT; prints nothing on timeout.
gdb_port_of() {
    local file=$1 pid=$2 port='' i
    for i in $(seq 1 300); do
        port=$(sed -n 's/.*waiting for gdb on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$file" | head -n 1)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$port"
}

# wait_exit PID SECONDS: a bounded wait for PID (a child of this shell) to end. Returns 0
# with its exit status in $status, or kills it (SIGKILL) after SECONDS and returns 1:
# a monitor that outlives that is hung, not slow.
wait_exit() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null
        return 1
    fi
    wait "$pid"
    status=$?
    return 0
}

# KVM_INT3, KVM_SHUTDOWN, INT3_SKIP_REASON: what this KVM does (ukvm --probe).
# shellcheck source=tests/lib/kvm_facts.bash
source "$(dirname "${BASH_SOURCE[0]}")/kvm_facts.bash"
