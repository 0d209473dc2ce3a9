#!/usr/bin/env bash
# The debug core driven directly, without gdb (tests/core/test_debug_core.c): entry stop,
# software and hardware breakpoints, stepping, stop requests while spinning and asleep,
# faults, guest int3, exit status, detach and kill, on real test unikernels; with the
# plain build and the ASan/UBSan build. Each scenario prints its own PASS/FAIL line,
# named plain/NAME or asan/NAME; the guest's console and the monitor's messages go to a
# log, shown (its end) only when something failed.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash

if [ ! -w /dev/kvm ]; then
    echo "SKIP debug_core: /dev/kvm is missing or not writable here"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for bin in "$BUILD/core/test_debug_core" "$BUILD/asan/core/test_debug_core"; do
    f=$(flavour "$bin")
    if [ ! -x "$bin" ]; then
        fail "$f/test_debug_core" "$bin was not built (make all)"
        continue
    fi
    out=$tmp/$f.out err=$tmp/$f.err log=$tmp/$f.log
    # A lost stop ends the binary by itself after 20 s; 300 s is a hang beyond that.
    timeout -s KILL 300 "$bin" "$BUILD" "$log" >"$out" 2>"$err" </dev/null
    status=$?
    sed -n -E "s#^(PASS|FAIL|SKIP) #\1 $f/#p" "$out"
    failed=0
    grep -q '^FAIL ' "$out" && failed=1
    if [ $status -ne 0 ] && [ $failed = 0 ]; then
        fail "$f/test_debug_core" "exited with status $status without a FAIL line"
        failed=1
    fi
    if ! sanitizer_clean "$err"; then
        fail "$f/sanitizer-clean" "sanitizer report on stderr"
        failed=1
    fi
    if [ $failed = 1 ]; then
        echo "    --- $f: stderr"
        tail -n 40 "$err" | sed 's/^/    | /'
        echo "    --- $f: end of the log (guest console and monitor messages)"
        tail -n 40 "$log" 2>/dev/null | sed 's/^/    | /'
    fi
done
