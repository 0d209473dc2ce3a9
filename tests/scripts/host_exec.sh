#!/usr/bin/env bash
# A unikernel started directly on the host (./build/x.ukvm) fails cleanly, as Solo5's do:
# its PT_INTERP names a path that cannot exist, so execve fails with ENOENT and the shell
# reports status 127 ("No such file or directory", or bash's "required file not found")
# instead of running guest code in user mode until it crashes (SIGSEGV, status 139). The
# interpreter path must not move the entry: _start stays the first byte at 0x100000.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
hello=$BUILD/test_hello.ukvm

out=$(bash -c "$hello" 2>&1 </dev/null)
status=$?
if [ $status = 127 ] &&
    { [[ $out == *"No such file or directory"* ]] || [[ $out == *"required file not found"* ]]; }; then
    pass direct-exec-not-found
else
    fail direct-exec-not-found "status $status (139 is a crash), output: $out"
fi

interp=$(readelf -lW "$hello" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
first=$(readelf -lW "$hello" | awk '$1 ~ /^[A-Z_]+$/ && $2 ~ /^0x/ {print $1; exit}')
if [[ $interp == /nonexistent/* ]] && [ "$first" = INTERP ] && [ ! -e "$interp" ]; then
    pass pt-interp-first-and-nonexistent
else
    fail pt-interp-first-and-nonexistent "interpreter '$interp', first program header $first"
fi

entry=$(readelf -hW "$hello" | awk '/Entry point/ {print $NF}')
start=$(nm "$hello" | awk '$3 == "_start" {print $1}')
text=$(readelf -SW "$hello" | awk '{for (i = 1; i < NF; i++) if ($i == ".text") print $(i + 2)}')
if [ "$entry" = 0x100000 ] && [ "$start" = 0000000000100000 ] && [ "$text" = 0000000000100000 ]; then
    pass entry-is-first-text-byte
else
    fail entry-is-first-text-byte "entry $entry, _start $start, .text at $text"
fi
