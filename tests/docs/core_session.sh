#!/usr/bin/env bash
# tests/docs/core_session.sh KERNEL [ARGS --] GDB-COMMAND...: a post-mortem as the docs
# show one. Runs `build/ukvm --core=CORE KERNEL ARGS` (its stdout and stderr, in order),
# then a stock gdb on KERNEL and CORE with no ukvm running, echoing each command as at
# gdb's prompt ("(gdb) CMD"). CORE is a fresh temporary file, removed at the end. Used by
# the doc samples (tests/scripts/doc_samples.sh); bounded: 60 s for each program.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
kernel=$1
shift
args=()
if printf '%s\n' "$@" | grep -qx -- '--'; then
    while [ "$1" != -- ]; do args+=("$1"); shift; done
    shift
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
core=$dir/core
timeout -s KILL 60 "$BUILD/ukvm" --core="$core" "$kernel" "${args[@]}" 2>&1 |
    sed "s#$core#core.ukvm.$(basename "$kernel").PID#"
gdbargs=(-batch -nx -q)
for c in "$@"; do
    gdbargs+=(-ex "echo (gdb) $c\\n" -ex "$c")
done
timeout -s KILL 60 gdb "${gdbargs[@]}" "$kernel" "$core" 2>&1 | grep -v '^\[New LWP 1\]$'
