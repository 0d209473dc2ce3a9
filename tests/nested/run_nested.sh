#!/usr/bin/env bash
# tests/nested/run_nested.sh [FILTER]: `make test-nested`. Fetches the packages (once),
# builds the initramfs, boots the Debian kernel under QEMU 10 with TCG and -cpu max (AMD
# SVM with nested paging), where kvm_amd gives a /dev/kvm with hardware semantics, and
# runs tests/run.sh [FILTER] inside. Prints the test lines and the closing
# "N passed, N failed, N skipped" line; exits 0 only when nothing failed.
set -uo pipefail
# EPOCHREALTIME's decimal point, for bc.
export LC_ALL=C
cd "$(dirname "$0")/../.."
# The filter travels on the kernel command line, where blanks and quotes would split it.
if [[ ${1:-} == *[[:space:]\'\"]* ]]; then
    echo "run_nested: FILTER '$1' has blanks or quotes, which the kernel command line cannot carry" >&2
    exit 2
fi
BUILD=${BUILD:-build}
OUT=$BUILD/nested
tests/nested/fetch_nested.sh || exit 1
tests/nested/make_initramfs.sh || exit 1
# shellcheck disable=SC1091
. "$OUT/env"
ROOT=$(realpath "$OUT/root")
LIMIT=${NESTED_TIMEOUT:-1500}
# The tests are split between NESTED_JOBS VMs booted side by side (default 2, at most the
# CPUs here): QEMU's TCG runs a one-CPU guest on one host thread. inner.sh knows the parts;
# a FILTER or the benchmark runs in one VM.
jobs=${NESTED_JOBS:-2}
ncpu=$(nproc)
[ "$jobs" -gt "$ncpu" ] && jobs=$ncpu
[ "$jobs" -gt 2 ] && jobs=2
{ [ -n "${1:-}" ] || [ -n "${NESTED_MODE:-}" ] || [ "$jobs" -lt 1 ]; } && jobs=1
# stamp LOG: console lines to stdout and LOG, and with the seconds since the start to
# LOG.times, for the per-test timings printed at the end.
stamp() {
    local log=$1 line t0=$EPOCHREALTIME
    : >"$log"
    : >"$log.times"
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%$'\r'}
        printf '%s\n' "$line"
        printf '%s\n' "$line" >>"$log"
        LC_ALL=C printf '%.2f %s\n' "$(bc <<<"$EPOCHREALTIME - $t0")" "$line" >>"$log.times"
    done
}
# boot PART LOG: one VM. The kernel passes unknown name=value words of its command line to
# /init's environment. QEMU_MODULE_DIR: QEMU 10's own (optional) modules, never the
# machine's QEMU's. No NIC: no iPXE option ROM to wait for.
boot() {
    local part=$1 log=$2 append="console=ttyS0 panic=-1 quiet NESTED_PART=$1"
    [ -n "${FILTER:-}" ] && append="$append NESTED_FILTER=$FILTER"
    # NESTED_MODE=bench: the watchpoint benchmark instead of the tests (make bench-nested).
    [ -n "${NESTED_MODE:-}" ] && append="$append NESTED_MODE=$NESTED_MODE"
    QEMU_MODULE_DIR=$ROOT/usr/lib/x86_64-linux-gnu/qemu timeout -s KILL "$LIMIT" "$QEMU" -L "$QEMU_DATA" \
        -L "$ROOT/usr/share/seabios" -L "$ROOT/usr/lib/ipxe/qemu" -accel tcg -cpu max -smp 1 -m 1024 \
        -nographic -no-reboot -nic none -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio" \
        -append "$append" </dev/null 2>"$log.qemu-stderr" | stamp "$log"
    local status=${PIPESTATUS[0]}
    echo "nested: part $part: QEMU exited with status $status" >>"$log"
    echo "nested: part $part: QEMU exited with status $status"
    # QEMU's own complaints (for one, modules of the machine's other QEMU it declines to
    # load) matter only when the run failed.
    [ "$status" = 0 ] || sed "s/^/nested: part $part: qemu: /" "$log.qemu-stderr"
}
FILTER=${1:-}
start=$(date +%s.%N)
rm -f "$OUT"/console*.log*
logs=()
if [ "$jobs" = 1 ]; then
    logs=("$OUT/console.log")
    boot all "$OUT/console.log"
else
    for part in $(seq 1 "$jobs"); do
        logs+=("$OUT/console.$part.log")
        boot "$part/$jobs" "$OUT/console.$part.log" &
    done
    wait
fi
secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
echo "nested: $jobs VM(s) ran for $secs s"
if [ "${NESTED_MODE:-}" = bench ]; then
    grep -q '^nested: done' "${logs[0]}" || { echo "nested: the benchmark did not finish (${logs[0]})"; exit 1; }
    ! grep '^FAIL ' "${logs[0]}"
    exit
fi
# Each VM's own closing line counts (tests/run.sh's sums); a VM without one did not finish,
# and a FAIL line of inner.sh's (no KVM there) counts too.
passed=0 failed=0 skipped=0
for log in "${logs[@]}"; do
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
    if [ -z "$summary" ] || ! grep -q '^nested: done' "$log"; then
        echo "FAIL nested/run: a nested VM did not finish its tests ($log)"
        failed=$((failed + 1 + $(grep -c '^FAIL ' "$log")))
    else
        read -r p _ f _ s _ <<<"$summary"
        passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    fi
    # Where the time went: boot (to the first line of the tests), then each part: the
    # specs, and each script (tests/run.sh prints a script's lines when it ends: the time
    # from the part before's last line).
    echo "nested: $(basename "$log"):"
    awk '/nested: kernel / { printf "nested:   booted to the tests in %s s\n", $1; exit }' "$log.times"
    awk '$2 ~ /^(PASS|FAIL|SKIP)$/ {
             split($3, a, "/"); k = a[1] == "script" ? "script/" a[2] : "specs"
             if (k != cur) { if (cur != "") printf "nested:   %-26s %7.1f s\n", cur, last - start; cur = k; start = prev }
             last = $1 }
         { prev = $1 }
         END { if (cur != "") printf "nested:   %-26s %7.1f s\n", cur, last - start
               printf "nested:   finished at %s s\n", last }' "$log.times"
done
# The failures again, together, after the interleaved console output of the VMs.
grep -h '^FAIL ' "${logs[@]}" | sed 's/^/nested: /'
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
