#!/usr/bin/env bash
# tests/nested/run_nested.sh [FILTER]: `make test-nested`. Fetches the packages (once),
# builds the initramfs, boots the Debian kernel under QEMU 10 with TCG and -cpu max (AMD
# SVM with nested paging), where kvm_amd gives a /dev/kvm with hardware semantics, and
# runs tests/run.sh [FILTER] inside. Prints the test lines and the closing
# "N passed, N failed, N skipped" line; exits 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=$BUILD/nested
tests/nested/fetch_nested.sh || exit 1
tests/nested/make_initramfs.sh || exit 1
# shellcheck disable=SC1091
. "$OUT/env"
ROOT=$(realpath "$OUT/root")
LIMIT=${NESTED_TIMEOUT:-1500}
LOG=$OUT/console.log
append="console=ttyS0 panic=-1 quiet"
[ -n "${1:-}" ] && append="$append NESTED_FILTER=$1"
# NESTED_MODE=bench: the watchpoint benchmark instead of the tests (make bench-nested).
[ -n "${NESTED_MODE:-}" ] && append="$append NESTED_MODE=$NESTED_MODE"
# stamp: console lines to stdout and $LOG, and with the seconds since the start to
# $LOG.times, for the per-test timings printed at the end.
stamp() {
    local line t0=$EPOCHREALTIME
    : >"$LOG.times"
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%$'\r'}
        printf '%s\n' "$line"
        printf '%s\n' "$line" >>"$LOG"
        LC_ALL=C printf '%.2f %s\n' "$(bc <<<"$EPOCHREALTIME - $t0")" "$line" >>"$LOG.times"
    done
}
: >"$LOG"
start=$(date +%s.%N)
# The kernel passes unknown name=value words of its command line to /init's environment.
# QEMU_MODULE_DIR: QEMU 10's own (optional) modules, never the machine's QEMU's. No NIC:
# no iPXE option ROM to wait for.
QEMU_MODULE_DIR=$ROOT/usr/lib/x86_64-linux-gnu/qemu timeout -s KILL "$LIMIT" "$QEMU" -L "$QEMU_DATA" -L "$ROOT/usr/share/seabios" \
    -L "$ROOT/usr/lib/ipxe/qemu" -accel tcg -cpu max -smp 1 -m 1024 -nographic -no-reboot -nic none \
    -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio" -append "$append" </dev/null \
    2>"$OUT/qemu.stderr" | stamp
status=${PIPESTATUS[0]}
secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
echo "nested: QEMU exited with status $status after $secs s"
# QEMU's own complaints (for one, modules of the machine's other QEMU it declines to load)
# matter only when the run failed.
[ "$status" = 0 ] || sed 's/^/nested: qemu: /' "$OUT/qemu.stderr"
if [ "${NESTED_MODE:-}" = bench ]; then
    grep -q '^nested: done' "$LOG" || { echo "nested: the benchmark did not finish ($LOG)"; exit 1; }
    exit 0
fi
passed=$(grep -c '^PASS ' "$LOG")
failed=$(grep -c '^FAIL ' "$LOG")
skipped=$(grep -c '^SKIP ' "$LOG")
if ! grep -q '^nested: done' "$LOG"; then
    echo "FAIL nested/run: the nested run did not finish (QEMU status $status; $LOG)"
    failed=$((failed + 1))
fi
# Where the time went: boot (to the first line of the tests), then each part: the specs,
# and each script (tests/run.sh prints a script's lines when it ends: the time from the
# part before's last line).
awk '/nested: kernel / { printf "nested: booted to the tests in %s s\n", $1; exit }' "$LOG.times"
awk '$2 == "nested:" && $3 ~ /^ukvm:/ { prev = $1 }
     $2 ~ /^(PASS|FAIL|SKIP)$/ {
         split($3, a, "/"); k = a[1] == "script" ? "script/" a[2] : "specs"
         if (k != cur) { if (cur != "") printf "nested: %-26s %7.1f s\n", cur, last - start; cur = k; start = prev }
         last = $1 }
     { prev = $1 }
     END { if (cur != "") printf "nested: %-26s %7.1f s\n", cur, last - start }' "$LOG.times"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
