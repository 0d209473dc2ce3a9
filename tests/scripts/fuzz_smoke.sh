#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz/), each briefly over its corpus: make fuzz-smoke.
# One line per target; SKIP when clang or its libFuzzer runtime is missing.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if ! command -v clang >/dev/null; then
    echo "SKIP fuzz-smoke: clang is not installed (make deps installs it)"
    exit 0
fi
probe=$(mktemp -d)
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n & 0; }' \
    >"$probe/probe.c"
if ! clang -fsanitize=fuzzer,address -o "$probe/probe" "$probe/probe.c" >"$probe/log" 2>&1; then
    echo "SKIP fuzz-smoke: clang cannot link a libFuzzer target here: $(head -c 300 "$probe/log")"
    rm -rf "$probe"
    exit 0
fi
rm -rf "$probe"
if ! out=$(make -s -j2 fuzz-smoke BUILD="$BUILD" 2>&1); then
    grep -qE '^(PASS|FAIL) ' <<<"$out" || fail fuzz-smoke "make fuzz-smoke failed: $(tail -n 5 <<<"$out")"
fi
printf '%s\n' "$out"
