#!/usr/bin/env bash
# End-to-end debugging with the real gdb: every tests/gdb/test_*.py runs against a ukvm
# started with --gdb, once with build/ukvm and once with build/asan/ukvm.
#
# A test file's header says how to start the guest and how ukvm must end:
#   # KERNEL: test_gdb_target      (build/<KERNEL>.ukvm)
#   # ARGS: spin                   (guest arguments; optional)
#   # OPTS: --disk=@TMP@/disk.img  (monitor options before the kernel; @TMP@ = a fresh temp dir)
#   # ENV: UKVM_WATCH_PAGES=1      (NAME=VALUE words in ukvm's environment; this one: page
#                                   traps for watchpoints on every KVM, for the tests of
#                                   what only page traps do)
#   # SETUP: truncate -s 64K disk.img   (shell run inside @TMP@ before ukvm starts)
#   # STATUS: 137                  (ukvm's exit status once gdb is done)
#   # SESSIONS: 2                  (run the script this many times against one ukvm: reconnects)
# The script prints PASS/FAIL lines (tests/gdb/ukvmgdb.py); this runner adds ukvm's exit
# status and a sanitizer check. UKVM_STDERR and UKVM_STDOUT name the files ukvm's stderr and
# stdout go to, for scripts that check what ukvm and the guest said.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if ! command -v gdb >/dev/null; then
    echo "SKIP gdb: gdb is not installed (make deps installs it)"
    exit 0
fi
if [ ! -w /dev/kvm ]; then
    echo "SKIP gdb: /dev/kvm is missing or not writable here"
    exit 0
fi

header() { sed -n "s/^# $1: *//p" "$2" | head -n 1; }

run_case() { # run_case MONITOR FLAVOUR SCRIPT
    local m=$1 f=$2 script=$3 name kernel args opts setup want status sessions tmp pid port i s out
    local env_words
    name=$f/$(basename "$script" .py)
    kernel=$BUILD/$(header KERNEL "$script").ukvm
    args=$(header ARGS "$script")
    opts=$(header OPTS "$script")
    env_words=$(header ENV "$script")
    setup=$(header SETUP "$script")
    want=$(header STATUS "$script")
    sessions=$(header SESSIONS "$script")
    sessions=${sessions:-1}
    tmp=$(mktemp -d)
    opts=${opts//@TMP@/$tmp}
    if [ -n "$setup" ] && ! (cd "$tmp" && eval "$setup") >"$tmp/setup.log" 2>&1; then
        fail "$name" "SETUP failed: $(cat "$tmp/setup.log")"
        rm -rf "$tmp"
        return
    fi
    # shellcheck disable=SC2086
    env $env_words "$m" --gdb=127.0.0.1:0 $opts "$kernel" $args >"$tmp/stdout" 2>"$tmp/stderr" </dev/null &
    pid=$!
    port=$(gdb_port_of "$tmp/stderr" $pid)
    if [ -z "$port" ]; then
        fail "$name" "ukvm never said where it listens: $(head -c 600 "$tmp/stderr")"
        kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"
        return
    fi
    for s in $(seq 1 "$sessions"); do
        out=$(UKVM_GDB_PORT=$port UKVM_GDB_SESSION=$s UKVM_STDERR=$tmp/stderr UKVM_STDOUT=$tmp/stdout \
            timeout -s KILL 300 gdb -nx -batch \
            -ex "python import sys; sys.path.insert(0, 'tests/gdb')" \
            -x "$script" "$kernel" </dev/null 2>&1)
        grep -E '^(PASS|FAIL) ' <<<"$out" | sed -E "s#^(PASS|FAIL) #\1 $name/#"
        if ! grep -qE '^(PASS|FAIL) ' <<<"$out"; then
            fail "$name/session$s" "gdb printed no result: $(tail -n 15 <<<"$out")"
        elif grep -q '^FAIL ' <<<"$out"; then
            echo "    --- gdb output"; tail -n 25 <<<"$out" | sed 's/^/    | /'
        fi
        # A script that raised half-way printed some PASS lines, then nothing more.
        if grep -qE '^(Traceback |Python Exception )' <<<"$out"; then
            fail "$name/session$s-script-completed" "$(grep -A 12 -m1 -E '^(Traceback|Python Exception)' <<<"$out")"
        fi
    done
    if ! wait_exit $pid 30; then
        fail "$name/ukvm-exit" "ukvm still running 30 s after gdb finished"
    elif [ "$status" = "$want" ]; then
        pass "$name/ukvm-exit-status"
    else
        fail "$name/ukvm-exit-status" "ukvm exited $status, expected $want; stderr: $(tail -c 800 "$tmp/stderr")"
    fi
    if sanitizer_clean "$tmp/stderr"; then
        pass "$name/no-sanitizer-report"
    else
        fail "$name/no-sanitizer-report" "$(grep -A 20 -m1 -E 'Sanitizer|runtime error' "$tmp/stderr")"
    fi
    rm -rf "$tmp"
}

for script in tests/gdb/${GDB_TESTS:-test_*}.py; do
    for m in "${MONITORS[@]}"; do
        run_case "$m" "$(flavour "$m")" "$script"
    done
done
