#!/usr/bin/env bash
# tests/bench/run.sh: ukvm benchmarks, each a ratio against a raw-KVM baseline measured in
# this same invocation (machine load and KVM flavour change between runs; ratios travel
# better than absolute numbers). Run by `make bench` from the repo root once build/ is
# built. Asserts nothing about time: it fails only when something cannot run at all.
#
#   boot        process start to exit of `ukvm test_hello.ukvm` next to host_raw_kvm boot
#               (open /dev/kvm, VM, memslot, vCPU, long mode, a dozen port exits, hlt),
#               interleaved run by run; plus the split that both print with --stats into
#               set-up, guest run, and the rest (exec, dynamic loader, exit, VM teardown).
#   hypercall   one 1-byte solo5_console_write, from (T(N) - T(0)) / N of bench_puts,
#               next to one raw `out` exit, from (T(N) - T(0)) / N of host_raw_kvm portloop.
#
# Environment:
#   BENCH_QUICK=1        a fast smoke run (few iterations): checks that everything works
#   BENCH_RUNS=200       boot runs per command
#   BENCH_STATS_RUNS=    --stats runs for the set-up/run split (default: BENCH_RUNS)
#   BENCH_HC_N=20000     hypercalls (and raw port exits) per timed run
#   BENCH_HC_RUNS=5      timed runs per hypercall command (the median is used)
#   BUILD=build          the build folder
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
    boot_runs=${BENCH_RUNS:-20}
    hc_n=${BENCH_HC_N:-1000}
    hc_runs=${BENCH_HC_RUNS:-3}
else
    boot_runs=${BENCH_RUNS:-200}
    hc_n=${BENCH_HC_N:-20000}
    hc_runs=${BENCH_HC_RUNS:-5}
fi
stats_runs=${BENCH_STATS_RUNS:-$boot_runs}
# Checked under the names the user sets, so the message points at the right variable.
for pair in BENCH_RUNS:boot_runs BENCH_HC_N:hc_n BENCH_HC_RUNS:hc_runs BENCH_STATS_RUNS:stats_runs; do
    v=${pair#*:}
    if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
        echo "bench: ${pair%%:*} must be a positive whole number, not '${!v}'" >&2
        exit 2
    fi
done

UKVM=$BUILD/ukvm
HELLO=$BUILD/test_hello.ukvm
PUTS=$BUILD/bench_puts.ukvm
RAW=$BUILD/bench/host_raw_kvm
TIMEIT=$BUILD/bench/host_timeit

die() {
    echo "bench: $*" >&2
    exit 1
}

if [[ ! -e /dev/kvm ]]; then
    die "/dev/kvm is missing: these benchmarks need KVM (load kvm_intel/kvm_amd, or run on a host with virtualization)"
fi
if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
    die "/dev/kvm is not readable and writable by $(id -un): add yourself to its group ($(stat -c %G /dev/kvm))"
fi
for f in "$UKVM" "$HELLO" "$PUTS" "$RAW" "$TIMEIT"; do
    [[ -f $f ]] || die "$f is missing: run 'make bench' (it builds everything first)"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- helpers

# field NAME LINE: the value of NAME=value in a line of host_timeit or --stats output.
field() {
    local re="(^|[[:space:]])$1=([^[:space:]]+)"
    [[ $2 =~ $re ]] || die "no '$1=' in: $2"
    printf '%s\n' "${BASH_REMATCH[2]}"
}

# line_for I: host_timeit's result line for command I (from $tmp/timeit.out).
line_for() {
    grep "^cmd=$1 " "$tmp/timeit.out" || die "host_timeit printed no line for command $1"
}

# calc EXPR: floating-point arithmetic, one decimal.
calc() {
    awk "BEGIN { printf \"%.1f\", $1 }"
}

# ratio A B: A / B with two decimals, or "n/a" when B is not positive.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END { if (NR == 0) exit 1;
              if (NR % 2) printf "%.1f", v[(NR + 1) / 2];
              else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# timeit RUNS -- CMD... [-- CMD...]...: host_timeit into $tmp/timeit.out.
timeit() {
    "$TIMEIT" "$@" >"$tmp/timeit.out" || die "host_timeit failed (see above)"
}

# ---------------------------------------------------------------- context

echo "== ukvm benchmarks$([[ ${BENCH_QUICK:-0} == 1 ]] && echo ' (BENCH_QUICK: smoke run, figures are rough)')"
echo "host: $(uname -sr), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
# /sys/module rather than lsmod: it exists even where kmod is not installed.
kvm_mod=$(find /sys/module -maxdepth 1 -name 'kvm_*' -printf '%f\n' 2>/dev/null | paste -sd, -)
echo "kvm modules: ${kvm_mod:-unknown}"
# Each shared object is a file the dynamic loader opens and relocates before main().
if libs=$(ldd "$UKVM" 2>/dev/null | awk '{ print $1 }'); then
    nlibs=$(printf '%s\n' "$libs" | wc -l)
    echo "shared objects of $UKVM (ldd): $nlibs: $(printf '%s\n' "$libs" | sed 's|.*/||' | paste -sd' ' -)"
else
    nlibs=0
    echo "shared objects of $UKVM (ldd): none (not a dynamic executable)"
fi
echo

# Sanity first: a benchmark of a broken program measures the breakage.
"$UKVM" "$HELLO" >/dev/null 2>"$tmp/err" ||
    die "'$UKVM $HELLO' failed (status $?): $(head -3 "$tmp/err")"
out=$("$UKVM" "$PUTS" 5 2>"$tmp/err") || die "'$UKVM $PUTS 5' failed: $(head -3 "$tmp/err")"
[[ $out == "....." ]] || die "'$UKVM $PUTS 5' printed '$out', expected '.....'"
"$RAW" boot || die "'$RAW boot' failed"

# ---------------------------------------------------------------- boot

echo "-- boot: process start to exit, $boot_runs runs each, interleaved"
timeit "$boot_runs" -- "$UKVM" "$HELLO" -- "$RAW" boot -- true
boot_ukvm=$(line_for 0)
boot_raw=$(line_for 1)
boot_true=$(line_for 2)
b_med=$(field median_us "$boot_ukvm")
r_med=$(field median_us "$boot_raw")
t_med=$(field median_us "$boot_true")
printf '  %-34s median %9s us   p10 %9s   p90 %9s\n' \
    "ukvm $(basename "$HELLO")" "$b_med" "$(field p10_us "$boot_ukvm")" "$(field p90_us "$boot_ukvm")" \
    "host_raw_kvm boot" "$r_med" "$(field p10_us "$boot_raw")" "$(field p90_us "$boot_raw")" \
    "true (empty process, context)" "$t_med" "$(field p10_us "$boot_true")" "$(field p90_us "$boot_true")"
boot_ratio=$(ratio "$b_med" "$r_med")
echo "  ratio ukvm / raw KVM: $boot_ratio"

echo "-- boot split: ukvm --stats and host_raw_kvm --stats, $stats_runs runs each, interleaved"
split_note=""
st=0
"$UKVM" --stats "$HELLO" >/dev/null 2>"$tmp/err" || st=$?
if ((st != 0)); then
    split_note="skipped: 'ukvm --stats' exited with status $st: $(head -1 "$tmp/err")"
elif ! grep -q '^ukvm: stats: ' "$tmp/err"; then
    split_note="skipped: 'ukvm --stats' printed no 'ukvm: stats:' line on stderr"
fi
if [[ -z $split_note ]]; then
    : >"$tmp/setup"
    : >"$tmp/run"
    : >"$tmp/raw_setup"
    : >"$tmp/raw_run"
    # Interleaved like the timed runs; these runs are not timed from outside, so bash's
    # own fork cost does not matter here.
    for ((i = 0; i < stats_runs; i++)); do
        "$UKVM" --stats "$HELLO" >/dev/null 2>"$tmp/err" ||
            die "'$UKVM --stats $HELLO' failed: $(head -3 "$tmp/err")"
        line=$(grep -m1 '^ukvm: stats: ' "$tmp/err") || die "no ukvm stats line on run $i"
        field setup_us "$line" >>"$tmp/setup"
        field run_us "$line" >>"$tmp/run"
        "$RAW" --stats boot 2>"$tmp/err" || die "'$RAW --stats boot' failed: $(head -3 "$tmp/err")"
        line=$(grep -m1 '^host_raw_kvm: stats: ' "$tmp/err") || die "no raw stats line on run $i"
        field setup_us "$line" >>"$tmp/raw_setup"
        field run_us "$line" >>"$tmp/raw_run"
    done
    s_med=$(median "$tmp/setup")
    g_med=$(median "$tmp/run")
    o_med=$(calc "$b_med - $s_med - $g_med")
    rs_med=$(median "$tmp/raw_setup")
    rg_med=$(median "$tmp/raw_run")
    ro_med=$(calc "$r_med - $rs_med - $rg_med")
    printf '  %-34s %12s %12s %8s\n' "median, us" "ukvm" "raw KVM" "ratio" \
        "set-up (main -> first KVM_RUN)" "$s_med" "$rs_med" "$(ratio "$s_med" "$rs_med")" \
        "guest run (KVM_RUN -> guest exit)" "$g_med" "$rg_med" "$(ratio "$g_med" "$rg_med")" \
        "process/loader (the rest)" "$o_med" "$ro_med" "$(ratio "$o_med" "$ro_med")"
    echo "  the rest = boot median - set-up - run: exec, dynamic loader ($nlibs shared objects"
    echo "  for ukvm), exit and KVM's teardown of the VM. Medians of separate distributions:"
    echo "  approximate."
else
    echo "  $split_note"
fi

# ---------------------------------------------------------------- hypercall

echo "-- hypercall round trip: N=$hc_n, $hc_runs runs each, interleaved"
timeit "$hc_runs" -- "$UKVM" "$PUTS" "$hc_n" -- "$UKVM" "$PUTS" 0 \
    -- "$RAW" portloop "$hc_n" -- "$RAW" portloop 0
p_n=$(field median_us "$(line_for 0)")
p_0=$(field median_us "$(line_for 1)")
l_n=$(field median_us "$(line_for 2)")
l_0=$(field median_us "$(line_for 3)")
hc_ukvm=$(awk -v a="$p_n" -v b="$p_0" -v n="$hc_n" 'BEGIN { printf "%.2f", (a - b) / n }')
hc_raw=$(awk -v a="$l_n" -v b="$l_0" -v n="$hc_n" 'BEGIN { printf "%.2f", (a - b) / n }')
printf '  %-34s T(N) %11s us   T(0) %9s us   per call %8s us\n' \
    "ukvm bench_puts (console write)" "$p_n" "$p_0" "$hc_ukvm" \
    "host_raw_kvm portloop (out)" "$l_n" "$l_0" "$hc_raw"
hc_ratio=$(ratio "$hc_ukvm" "$hc_raw")
echo "  ratio ukvm / raw KVM: $hc_ratio"

# ---------------------------------------------------------------- summary

echo
echo "== summary (medians; ratio = ukvm / raw KVM, same invocation)"
printf '%-36s %14s %14s %8s\n' "benchmark" "ukvm" "raw KVM" "ratio"
printf '%-36s %14s %14s %8s\n' "boot: process start to exit" "$b_med us" "$r_med us" "$boot_ratio"
printf '%-36s %14s %14s %8s\n' "hypercall: 1-byte console write" "$hc_ukvm us" "$hc_raw us" "$hc_ratio"
if [[ -z $split_note ]]; then
    printf '%-36s %14s %14s %8s\n' \
        "  boot: set-up" "$s_med us" "$rs_med us" "$(ratio "$s_med" "$rs_med")" \
        "  boot: guest run" "$g_med us" "$rg_med us" "$(ratio "$g_med" "$rg_med")" \
        "  boot: process/loader (rest)" "$o_med us" "$ro_med us" "$(ratio "$o_med" "$ro_med")"
else
    echo "  boot split: $split_note"
fi
printf '%-36s %14s\n' "empty process (true), context" "$t_med us"
printf '%-36s %14s\n' "shared objects of ukvm (ldd)" "$nlibs"
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
    echo "note: this CPU shows no vmx/svm flag, so KVM runs CPL-0 guest code in its instruction"
    echo "  emulator (about 1000x slower than hardware): the hypercall figure includes the guest's"
    echo "  own call path at emulated speed, the raw loop only three instructions per exit; and"
    echo "  the guest-run part of boot is inflated alike (on hardware KVM, set-up and process"
    echo "  costs would dominate)."
fi
