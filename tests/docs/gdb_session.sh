#!/usr/bin/env bash
# tests/docs/gdb_session.sh [--ukvm-terminal] [UKVM-OPTION...] KERNEL [ARGS --] GDB-COMMAND...
#
# A gdb session on ukvm, as the docs show one. Starts `build/ukvm --gdb=0 UKVM-OPTION...
# KERNEL ARGS` (a free port; the options are the arguments before KERNEL that start with
# '-', e.g. --record), connects gdb to it, runs each command after echoing it as at gdb's
# prompt ("(gdb) CMD"), and prints gdb's output followed by ukvm's stderr once both have
# ended. With --ukvm-terminal it prints, instead, only what the terminal ukvm runs in
# shows: ukvm's stdout (the guest's console) and stderr, in the order ukvm wrote them.
# Either way without ukvm's lines about gdb ("waiting for gdb on ...", "gdb connected
# from ..."), whose ports change at every run. Used by the doc samples
# (tests/scripts/doc_samples.sh); bounded: 60 s for gdb, then ukvm is killed.
set -u
cd "$(dirname "$0")/../.." || exit 2
source tests/lib/common.bash
terminal=false
if [ "${1:-}" = --ukvm-terminal ]; then
    terminal=true
    shift
fi
opts=()
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
    opts+=("$1")
    shift
done
kernel=$1
shift
args=()
if printf '%s\n' "$@" | grep -qx -- '--'; then
    while [ "$1" != -- ]; do args+=("$1"); shift; done
    shift
fi
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if $terminal; then
    "$BUILD/ukvm" --gdb=0 "${opts[@]}" "$kernel" "${args[@]}" >"$err" 2>&1 &
else
    "$BUILD/ukvm" --gdb=0 "${opts[@]}" "$kernel" "${args[@]}" >/dev/null 2>"$err" &
fi
pid=$!
port=$(gdb_port_of "$err" $pid)
if [ -z "$port" ]; then
    echo "gdb_session: ukvm did not start a gdb server:" >&2
    cat "$err" >&2
    exit 1
fi
gdbargs=(-batch -nx -q -ex "set confirm off" -ex "target remote 127.0.0.1:$port")
for c in "$@"; do
    gdbargs+=(-ex "echo (gdb) $c\\n" -ex "$c")
done
if $terminal; then
    timeout -s KILL 60 gdb "${gdbargs[@]}" "$kernel" >/dev/null 2>&1
else
    timeout -s KILL 60 gdb "${gdbargs[@]}" "$kernel" 2>&1 | grep -v '^\[Inferior 1 (Remote target) \(detached\|killed\)\]$'
fi
kill $pid 2>/dev/null
wait $pid 2>/dev/null
grep -v '^ukvm: waiting for gdb' "$err" | grep -v '^ukvm: gdb connected' || true
