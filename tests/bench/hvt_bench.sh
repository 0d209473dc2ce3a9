#!/usr/bin/env bash
# tests/bench/hvt_bench.sh: the "hvt" section of tests/bench/run.sh: ukvm running Solo5
# hvt-ABI unikernels (.hvt files) next to Solo5's own tender, solo5-hvt, built here from
# the Solo5 source tree SOLO5=DIR (`make bench SOLO5=DIR`). Every figure is a ratio
# ukvm / Solo5 measured in this same invocation, runs interleaved, medians; it asserts
# nothing about time.
#
#   SOLO5=DIR tests/bench/hvt_bench.sh [--prepare] [SUMMARY_FILE]
#
#   Solo5      DIR is copied (without .git) to a folder under build/bench/solo5/, where its
#              configure.sh, `make clean` and `make` build solo5-hvt, solo5-hvt-debug and
#              tests/test_hello/test_hello.hvt from source; a copy without
#              include/version.h.distrib (and so without git) gets one, as a release
#              tarball has. The three files are kept in build/bench/solo5/KEY, KEY from
#              DIR's real path, its mtime and the newest mtime of its sources, so a second
#              run reuses them; a changed tree builds again (libseccomp-dev is needed: make
#              deps). The folder of an older build of the same DIR is removed.
#   boot       process start to exit of Solo5's test_hello.hvt (Hello_Solo5) under ukvm
#              and under solo5-hvt, interleaved run by run (host_timeit), --mem=64 for
#              both; the goal is ukvm / solo5-hvt <= 1.0. Also ukvm's own split from
#              --stats (setup_us, run_us; solo5-hvt prints none).
#   hypercall  one 1-byte HVT_HC_PUTS, (T(N) - T(0)) / N of build/bench_hvt_puts.hvt
#              (tests/bench/bench_hvt_puts/, ukvm's hvt runtime), under each monitor.
#   gdb        ukvm's gdb stub next to solo5-hvt-debug's (--gdb --gdb-port), the same gdb
#              driving both with tests/bench/gdb_bench.py on the same file,
#              build/bench_hvt_loop.hvt (tests/bench/bench_hvt_loop/): stepi per second,
#              `dump binary memory` MiB/s (zeros, then random bytes written with
#              `restore`), continue-to-breakpoint round trips; goals: ukvm >= 4x
#              solo5-hvt-debug on stepi and on memory reads. solo5-hvt-debug's stub sends
#              every byte with a send(2) of its own: it reads about 0.1 MiB/s, so the reads
#              here are BENCH_HVT_MEM_KIB, not run.sh's BENCH_GDB_MEM_MIB. It listens on
#              0.0.0.0 (it has no address option); gdb connects over loopback only.
#
# When ukvm refuses a binary (status 251, "ukvm: ..." on stderr: a Solo5 tree whose hvt
# ABI ukvm does not serve), each ukvm column says so and the Solo5 side is measured
# alone. Any other failure of either monitor ends the script with status 1 (a benchmark
# of a broken run measures the breakage).
#
# Without SOLO5 (or with BENCH_HVT=0) it prints one line saying the section was skipped and
# why (and writes it to SUMMARY_FILE), and exits 0. --prepare builds Solo5 (or finds it cached) and runs the sanity checks
# only, printing nothing when there is nothing to do: run.sh calls it first, so that a bad
# tree fails before the other sections run. SUMMARY_FILE gets the lines run.sh repeats in
# its summary; without it they are printed at the end.
#
# Environment (run.sh passes its own values on; these defaults are run.sh's):
#   SOLO5=DIR              a Solo5 source tree (469c1a8 and v0.9.3 are known to work)
#   BENCH_HVT=1            0 skips the section
#   BENCH_QUICK=1          a fast smoke run
#   BENCH_RUNS=200         boot runs per monitor (quick: 20)
#   BENCH_STATS_RUNS=      ukvm --stats runs (default: BENCH_RUNS)
#   BENCH_HC_N=20000       PUTS per timed run (quick: 1000)
#   BENCH_HC_RUNS=5        timed runs per command (quick: 3)
#   BENCH_GDB=1            0 skips the gdb part
#   BENCH_GDB_STEPS=2000   BENCH_GDB_CONTS=500   BENCH_GDB_MEM_RUNS=3 (quick: 300, 50, 1)
#   BENCH_GDB_TIMEOUT=300  seconds gdb may take per stub
#   BENCH_HVT_MEM_KIB=1024 KiB per memory read and write of the gdb part (quick: 128)
#   BENCH_HVT_UKVM_OPTS=   extra options for every ukvm command line here (word-split)
#   BENCH_HVT_JOBS=        make -j for Solo5's build (default: nproc)
#   BUILD=build
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.bash
BUILD=${BUILD:-build}

prepare_only=0
if [[ ${1:-} == --prepare ]]; then
    prepare_only=1
    shift
fi
summary=${1:-}

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
    boot_runs=${BENCH_RUNS:-20}
    hc_n=${BENCH_HC_N:-1000}
    hc_runs=${BENCH_HC_RUNS:-3}
    gdb_steps=${BENCH_GDB_STEPS:-300}
    gdb_conts=${BENCH_GDB_CONTS:-50}
    gdb_mem_runs=${BENCH_GDB_MEM_RUNS:-1}
    mem_kib=${BENCH_HVT_MEM_KIB:-128}
else
    boot_runs=${BENCH_RUNS:-200}
    hc_n=${BENCH_HC_N:-20000}
    hc_runs=${BENCH_HC_RUNS:-5}
    gdb_steps=${BENCH_GDB_STEPS:-2000}
    gdb_conts=${BENCH_GDB_CONTS:-500}
    gdb_mem_runs=${BENCH_GDB_MEM_RUNS:-3}
    mem_kib=${BENCH_HVT_MEM_KIB:-1024}
fi
stats_runs=${BENCH_STATS_RUNS:-$boot_runs}
gdb_timeout=${BENCH_GDB_TIMEOUT:-300}
jobs=${BENCH_HVT_JOBS:-$(nproc)}
for pair in BENCH_RUNS:boot_runs BENCH_HC_N:hc_n BENCH_HC_RUNS:hc_runs BENCH_STATS_RUNS:stats_runs \
    BENCH_GDB_STEPS:gdb_steps BENCH_GDB_CONTS:gdb_conts BENCH_GDB_MEM_RUNS:gdb_mem_runs \
    BENCH_GDB_TIMEOUT:gdb_timeout BENCH_HVT_MEM_KIB:mem_kib BENCH_HVT_JOBS:jobs; do
    v=${pair#*:}
    if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
        echo "bench: ${pair%%:*} must be a positive whole number, not '${!v}'" >&2
        exit 2
    fi
done
# The reads start at 2 MiB in a 64 MiB guest; keep them well below the top.
if ((mem_kib > 60 * 1024)); then
    echo "bench: BENCH_HVT_MEM_KIB must be at most 61440 (the guests have 64 MiB), not $mem_kib" >&2
    exit 2
fi
for pair in BENCH_HVT:${BENCH_HVT:-1} BENCH_GDB:${BENCH_GDB:-1}; do
    case ${pair#*:} in
    0 | 1) ;;
    *)
        echo "bench: ${pair%%:*} must be 0 or 1, not '${pair#*:}'" >&2
        exit 2
        ;;
    esac
done
# Extra ukvm options, for a monitor that needs one to run .hvt files.
read -r -a ukvm_opts <<<"${BENCH_HVT_UKVM_OPTS:-}"

GUEST_MIB=64 # --mem for every run of this section, both monitors
UKVM=$BUILD/ukvm
TIMEIT=$BUILD/bench/host_timeit
PUTS=$BUILD/bench_hvt_puts.hvt
LOOP=$BUILD/bench_hvt_loop.hvt
GDB_BENCH=tests/bench/gdb_bench.py
CACHE_ROOT=$BUILD/bench/solo5
# Part of the cache key: bump it when the way Solo5 is built here changes.
RECIPE=ukvm-hvt-bench-1

die() {
    echo "bench: $*" >&2
    exit 1
}

# say LINE: a summary line, to SUMMARY_FILE or kept for the end.
summary_lines=()
say() {
    summary_lines+=("$1")
}
flush_summary() {
    if [[ -n $summary ]]; then
        printf '%s\n' "${summary_lines[@]}" >"$summary"
    else
        echo
        echo "== hvt summary"
        printf '%s\n' "${summary_lines[@]}"
    fi
}

skip() { # skip WHY: the one line of a skipped section (and the summary's, to its file)
    ((prepare_only)) && exit 0
    echo "-- hvt: skipped: $1"
    [[ -n $summary ]] && echo "hvt: skipped: $1" >"$summary"
    exit 0
}

[[ ${BENCH_HVT:-1} == 1 ]] || skip "BENCH_HVT=0"
[[ -n ${SOLO5:-} ]] || skip "no Solo5 tree given (make bench SOLO5=DIR builds Solo5's solo5-hvt from DIR to compare with)"

[[ -e $SOLO5 ]] || { echo "bench: SOLO5=$SOLO5: no such directory" >&2; exit 2; }
[[ -d $SOLO5 ]] || { echo "bench: SOLO5=$SOLO5: not a directory" >&2; exit 2; }
src=$(cd "$SOLO5" && pwd -P)
for f in configure.sh GNUmakefile tenders/hvt tests/test_hello/test_hello.c; do
    [[ -e $src/$f ]] || { echo "bench: SOLO5=$SOLO5 is not a Solo5 source tree: it has no $f" >&2; exit 2; }
done
for f in "$UKVM" "$TIMEIT" "$PUTS" "$LOOP"; do
    [[ -f $f ]] || die "$f is missing: run 'make bench' (it builds everything first)"
done
if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
    die "/dev/kvm is missing or not readable and writable by $(id -un): these benchmarks need KVM"
fi

tmp=$(mktemp -d)
bg_pids=()
work=""
cleanup() {
    local p
    for p in "${bg_pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    ((${#bg_pids[@]} == 0)) || sleep 0.1
    for p in "${bg_pids[@]}"; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [[ -n $work ]] && rm -rf "$work"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers (as run.sh's)

timeit() { "$TIMEIT" "$@" >"$tmp/timeit.out" || die "host_timeit failed (see above)"; }
per_call() { # per_call T_N T_0 N: (T_N - T_0) / N, two decimals
    awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.2f", (a - b) / n }'
}
with_unit() { # with_unit VALUE UNIT: "VALUE UNIT", or n/a
    [[ $1 == n/a ]] && echo n/a || echo "$1 $2"
}
no_figure() { # why a goal has no figure
    echo "not met (no figure${ukvm_note:+: ukvm side $ukvm_note})"
}
goal_min() { # goal_min VALUE MIN
    if [[ $1 == n/a ]]; then
        no_figure
    elif awk -v v="$1" -v m="$2" 'BEGIN { exit !(v >= m) }'; then
        echo "met ($1 >= $2)"
    else
        echo "not met ($1 < $2)"
    fi
}
goal_max() { # goal_max VALUE MAX
    if [[ $1 == n/a ]]; then
        no_figure
    elif awk -v v="$1" -v m="$2" 'BEGIN { exit !(v <= m) }'; then
        echo "met ($1 <= $2)"
    else
        echo "not met ($1 > $2)"
    fi
}

# refused STATUS ERRFILE: whether ukvm refused the file as it does before it runs .hvt
# files: status 251 (an unusable unikernel file) with its "ukvm:" message.
refused() {
    [[ $1 == 251 ]] && grep -q '^ukvm:' "$2"
}

# ---------------------------------------------------------------- Solo5, from source

# The newest mtime of DIR's sources (not what its own build generates), for the key.
newest=$(find "$src" \( -name .git -o -path "$src/toolchain" \) -prune -o -type f \
    \( -name '*.[chS]' -o -name '*.lds' -o -name '*.sh' -o -name '*.json' -o -name 'GNUmakefile' \
    -o -name 'Makefile*' \) ! -name 'version.h' ! -name 'noexecstack.*' ! -name 'manifest.c' \
    ! -name 'Makeconf.sh' -printf '%T@\n' | sort -n | tail -n 1)
key=$(printf '%s\n' "$RECIPE" "$src" "$(stat -c %Y "$src")" "${newest:-none}" | sha256sum | cut -c 1-16)
cache=$CACHE_ROOT/$key
S5_HVT=$cache/solo5-hvt
S5_DEBUG=$cache/solo5-hvt-debug
S5_HELLO=$cache/test_hello.hvt

if [[ -f $cache/complete && -x $S5_HVT && -x $S5_DEBUG && -f $S5_HELLO ]]; then
    solo5_how="cached in $cache (built $(cat "$cache/complete"))"
else
    mkdir -p "$CACHE_ROOT"
    work=$(mktemp -d "$CACHE_ROOT/build.XXXXXX")
    [[ $(cd "$work" && pwd -P) != *[[:space:]]* ]] ||
        die "$work: a build folder path with blanks is not supported (Solo5's make)"
    echo "-- hvt: building Solo5 from $src in $work (configure.sh, make clean, make -j$jobs) ..."
    mkdir "$work/src"
    # Without .git: it may be big, and a worktree's .git file points into the user's repo.
    tar -C "$src" --exclude=./.git -cf - . | tar -C "$work/src" -xf - ||
        die "cannot copy $src to $work/src"
    if [[ ! -f $work/src/include/version.h.distrib ]]; then
        # What a release tarball has (scripts/gen_version_h.sh takes it outside git).
        # Solo5's own script asks git only at the top of a git tree, and so does this.
        v=""
        if [[ -e $src/.git ]]; then
            v=$(git -C "$src" describe --tags --always --dirty 2>/dev/null) || v=""
        fi
        v=${v:-unknown-$(basename "$src")}
        printf '%s\n' "/* Automatically generated, do not edit */" "" "#ifndef __VERSION_H__" \
            "#define __VERSION_H__" "" "#define SOLO5_VERSION \"$v\"" "" "#endif" \
            >"$work/src/include/version.h.distrib"
    fi
    t0=$EPOCHREALTIME
    # Solo5's own make must not inherit ours (make bench's MAKEFLAGS carry SOLO5=DIR and
    # the jobserver). The copy may hold DIR's build products: make clean, and the three
    # files this needs removed, so that what is used was built here.
    st=0
    (
        cd "$work/src"
        # shellcheck disable=SC2016 # $1 is bash -c's, not ours
        env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u SOLO5 bash -c '
            set -e
            ./configure.sh
            make clean
            rm -f tenders/hvt/solo5-hvt tenders/hvt/solo5-hvt-debug tests/test_hello/test_hello.hvt
            make -j"$1"' _ "$jobs"
    ) >"$work/build.log" 2>&1 </dev/null || st=$?
    cp "$work/build.log" "$CACHE_ROOT/last-build.log"
    if ((st != 0)); then
        tail -n 25 "$work/build.log" | sed 's/^/  | /' >&2
        if grep -q 'seccomp' "$work/build.log"; then
            echo "  (libseccomp-dev is missing? 'make deps' installs it)" >&2
        fi
        die "Solo5's build failed (status $st); whole log: $CACHE_ROOT/last-build.log"
    fi
    for f in tenders/hvt/solo5-hvt tenders/hvt/solo5-hvt-debug tests/test_hello/test_hello.hvt; do
        [[ -f $work/src/$f ]] || die "Solo5's build made no $f; log: $CACHE_ROOT/last-build.log"
    done
    secs=$(calc "$EPOCHREALTIME - $t0")
    # An older build of the same tree is out of date now: remove it.
    for old in "$CACHE_ROOT"/*/source; do
        [[ -f $old && $(cat "$old") == "$src" ]] && rm -rf "$(dirname "$old")"
    done
    rm -rf "$cache" "$cache.new"
    mkdir "$cache.new"
    cp "$work/src/tenders/hvt/solo5-hvt" "$work/src/tenders/hvt/solo5-hvt-debug" \
        "$work/src/tests/test_hello/test_hello.hvt" "$work/build.log" "$cache.new/"
    printf '%s\n' "$src" >"$cache.new/source"
    printf '%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC') in $secs s" >"$cache.new/complete"
    mv "$cache.new" "$cache"
    rm -rf "$work"
    work=""
    solo5_how="built from source in $secs s, cached in $cache"
fi
s5_version=$("$S5_HVT" --version 2>&1 | sed -n 's/.*version //p' | head -n 1)
s5_version=${s5_version:-unknown}

# ---------------------------------------------------------------- sanity

# Solo5's side must work: it is the baseline.
"$S5_HVT" --mem=$GUEST_MIB "$S5_HELLO" Hello_Solo5 >"$tmp/out" 2>"$tmp/err" ||
    die "'$S5_HVT $S5_HELLO Hello_Solo5' failed (status $?): $(tail -3 "$tmp/err")"
grep -q '^SUCCESS' "$tmp/out" || die "Solo5's test_hello printed no SUCCESS under solo5-hvt: $(tail -3 "$tmp/out")"
out=$("$S5_HVT" --mem=$GUEST_MIB "$PUTS" 5 2>"$tmp/err") ||
    die "'$S5_HVT $PUTS 5' failed: $(tail -3 "$tmp/err")"
[[ $out == "....." ]] || die "'$S5_HVT $PUTS 5' printed '$out', expected '.....'"

# ukvm's side: available, refused (not there yet), or broken (fatal).
ukvm_note=""
st=0
"$UKVM" "${ukvm_opts[@]}" --mem=$GUEST_MIB "$S5_HELLO" Hello_Solo5 >"$tmp/out" 2>"$tmp/err" || st=$?
if refused "$st" "$tmp/err"; then
    ukvm_note="refused by ukvm"
    ukvm_why="ukvm refused the binary (status 251): $(grep -m1 '^ukvm:' "$tmp/err")"
elif ((st != 0)); then
    die "'$UKVM ${ukvm_opts[*]} --mem=$GUEST_MIB $S5_HELLO Hello_Solo5' failed (status $st): $(tail -3 "$tmp/err")"
elif ! grep -q '^SUCCESS' "$tmp/out"; then
    die "Solo5's test_hello printed no SUCCESS under ukvm: $(tail -3 "$tmp/out")"
else
    out=$("$UKVM" "${ukvm_opts[@]}" --mem=$GUEST_MIB "$PUTS" 5 2>"$tmp/err") ||
        die "'$UKVM $PUTS 5' failed (status $?): $(tail -3 "$tmp/err")"
    [[ $out == "....." ]] || die "'$UKVM $PUTS 5' printed '$out', expected '.....'"
fi

((prepare_only)) && exit 0

# ---------------------------------------------------------------- boot

echo "-- hvt: ukvm vs Solo5 $s5_version (solo5-hvt $solo5_how; from $src)"
[[ -n $ukvm_note ]] && echo "  ukvm side: $ukvm_note; $ukvm_why"
echo "-- hvt boot: test_hello.hvt Hello_Solo5 (Solo5's), process start to exit, --mem=$GUEST_MIB," \
    "$boot_runs runs$([[ -z $ukvm_note ]] && echo ' each, interleaved')"
if [[ -z $ukvm_note ]]; then
    timeit "$boot_runs" -- "$UKVM" "${ukvm_opts[@]}" --mem=$GUEST_MIB "$S5_HELLO" Hello_Solo5 \
        -- "$S5_HVT" --mem=$GUEST_MIB "$S5_HELLO" Hello_Solo5
    u_line=$(line_for 0)
    s_line=$(line_for 1)
    bu_med=$(field median_us "$u_line")
else
    timeit "$boot_runs" -- "$S5_HVT" --mem=$GUEST_MIB "$S5_HELLO" Hello_Solo5
    s_line=$(line_for 0)
    bu_med=n/a
fi
bs_med=$(field median_us "$s_line")
row() { # row LABEL LINE
    if [[ -z $2 ]]; then
        printf '  %-34s %s\n' "$1" "n/a (ukvm side $ukvm_note)"
    else
        printf '  %-34s median %9s us   p10 %9s   p90 %9s\n' "$1" "$(field median_us "$2")" \
            "$(field p10_us "$2")" "$(field p90_us "$2")"
    fi
}
row "ukvm test_hello.hvt" "${u_line:-}"
row "solo5-hvt test_hello.hvt" "$s_line"
boot_ratio=$(ratio "$bu_med" "$bs_med")
boot_goal=$(goal_max "$boot_ratio" 1.0)
echo "  ratio ukvm / solo5-hvt: $boot_ratio; goal <= 1.0: $boot_goal"

split_note=""
if [[ -n $ukvm_note ]]; then
    split_note="n/a (ukvm side $ukvm_note)"
else
    st=0
    "$UKVM" "${ukvm_opts[@]}" --stats --mem=$GUEST_MIB "$S5_HELLO" Hello_Solo5 >/dev/null 2>"$tmp/err" || st=$?
    if ((st != 0)); then
        split_note="skipped: 'ukvm --stats' exited with status $st: $(head -1 "$tmp/err")"
    elif ! grep -q '^ukvm: stats: ' "$tmp/err"; then
        split_note="skipped: 'ukvm --stats' printed no 'ukvm: stats:' line on stderr"
    fi
fi
echo "-- hvt boot split: ukvm --stats, $stats_runs runs (solo5-hvt has no such figures)"
if [[ -z $split_note ]]; then
    : >"$tmp/setup"
    : >"$tmp/run"
    for ((i = 0; i < stats_runs; i++)); do
        "$UKVM" "${ukvm_opts[@]}" --stats --mem=$GUEST_MIB "$S5_HELLO" Hello_Solo5 >/dev/null 2>"$tmp/err" ||
            die "'$UKVM --stats $S5_HELLO' failed: $(head -3 "$tmp/err")"
        line=$(grep -m1 '^ukvm: stats: ' "$tmp/err") || die "no ukvm stats line on run $i"
        field setup_us "$line" >>"$tmp/setup"
        field run_us "$line" >>"$tmp/run"
    done
    s_med=$(median "$tmp/setup")
    g_med=$(median "$tmp/run")
    o_med=$(calc "$bu_med - $s_med - $g_med")
    printf '  %-34s %12s us\n' "set-up (main -> first KVM_RUN)" "$s_med" \
        "guest run (KVM_RUN -> guest exit)" "$g_med" "process/loader (the rest)" "$o_med"
    split_summary="setup_us $s_med, run_us $g_med, rest $o_med us"
else
    echo "  $split_note"
    split_summary=$split_note
fi

# ---------------------------------------------------------------- hypercall

echo "-- hvt hypercall round trip: bench_hvt_puts.hvt, 1-byte PUTS, N=$hc_n, $hc_runs runs each$(
    [[ -z $ukvm_note ]] && echo ', interleaved')"
if [[ -z $ukvm_note ]]; then
    timeit "$hc_runs" -- "$UKVM" "${ukvm_opts[@]}" --mem=$GUEST_MIB "$PUTS" "$hc_n" \
        -- "$UKVM" "${ukvm_opts[@]}" --mem=$GUEST_MIB "$PUTS" 0 \
        -- "$S5_HVT" --mem=$GUEST_MIB "$PUTS" "$hc_n" -- "$S5_HVT" --mem=$GUEST_MIB "$PUTS" 0
    u_n=$(field median_us "$(line_for 0)")
    u_0=$(field median_us "$(line_for 1)")
    s_n=$(field median_us "$(line_for 2)")
    s_0=$(field median_us "$(line_for 3)")
    hc_ukvm=$(per_call "$u_n" "$u_0" "$hc_n")
    printf '  %-34s T(N) %11s us   T(0) %9s us   per call %8s us\n' "ukvm" "$u_n" "$u_0" "$hc_ukvm"
else
    timeit "$hc_runs" -- "$S5_HVT" --mem=$GUEST_MIB "$PUTS" "$hc_n" -- "$S5_HVT" --mem=$GUEST_MIB "$PUTS" 0
    s_n=$(field median_us "$(line_for 0)")
    s_0=$(field median_us "$(line_for 1)")
    hc_ukvm=n/a
    printf '  %-34s %s\n' "ukvm" "n/a (ukvm side $ukvm_note)"
fi
hc_solo5=$(per_call "$s_n" "$s_0" "$hc_n")
printf '  %-34s T(N) %11s us   T(0) %9s us   per call %8s us\n' "solo5-hvt" "$s_n" "$s_0" "$hc_solo5"
hc_ratio=$(ratio "$hc_ukvm" "$hc_solo5")
echo "  ratio ukvm / solo5-hvt: $hc_ratio (lower is better)"

# ---------------------------------------------------------------- gdb

run_gdb_bench() { # run_gdb_bench NAME PORT: gdb_bench.py on the loop guest, to $tmp/gdb_NAME.out
    local name=$1 port=$2
    env BENCH_GDB_PORT="$port" BENCH_FILE="$LOOP" BENCH_LABEL="$name" \
        BENCH_STEPS="$gdb_steps" BENCH_CONTS="$gdb_conts" BENCH_MEM_RUNS="$gdb_mem_runs" \
        BENCH_MEM_ADDR=0x200000 BENCH_MEM_SIZE=$((mem_kib << 10)) \
        timeout -s KILL "$gdb_timeout" gdb -nx -batch -x "$GDB_BENCH" </dev/null \
        >"$tmp/gdb_$name.out" 2>&1 &
    local gdb_pid=$!
    bg_pids+=("$gdb_pid")
    wait "$gdb_pid" || true
    if ! grep -q '^bench: done=' "$tmp/gdb_$name.out"; then
        echo "  gdb against $name did not finish; the end of its output:"
        tail -n 12 "$tmp/gdb_$name.out" | sed 's/^/  | /'
    fi
}

gdb_note=""
if [[ ${BENCH_GDB:-1} == 0 ]]; then
    gdb_note="skipped: BENCH_GDB=0"
elif ! command -v gdb >/dev/null; then
    gdb_note="skipped: gdb is not installed (make deps installs it)"
fi
uf=$tmp/gdb_ukvm.out
sf=$tmp/gdb_solo5.out
: >"$uf"
: >"$sf"
if [[ -z $gdb_note ]]; then
    echo "-- hvt gdb: ukvm vs solo5-hvt-debug on bench_hvt_loop.hvt ($(gdb --version | head -1)):" \
        "stepi N=$gdb_steps, memory $mem_kib KiB x $gdb_mem_runs, continue N=$gdb_conts per kind"

    # ukvm: the port it picked is on its stderr; a refusal ends it before it listens.
    ukvm_gdb_note=$ukvm_note
    if [[ -z $ukvm_gdb_note ]]; then
        "$UKVM" "${ukvm_opts[@]}" --gdb=127.0.0.1:0 --mem=$GUEST_MIB "$LOOP" \
            >"$tmp/ukvm_gdb.out" 2>"$tmp/ukvm_gdb.err" </dev/null &
        srv_pid=$!
        bg_pids+=("$srv_pid")
        port=""
        for ((i = 0; i < 100; i++)); do
            port=$(sed -n 's/.*waiting for gdb on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' \
                "$tmp/ukvm_gdb.err" | head -n 1)
            [[ -n $port ]] && break
            kill -0 "$srv_pid" 2>/dev/null || break
            sleep 0.1
        done
        if [[ -n $port ]]; then
            run_gdb_bench ukvm "$port"
            stop_server "$srv_pid"
        else
            st=0
            kill -0 "$srv_pid" 2>/dev/null && kill -KILL "$srv_pid"
            wait "$srv_pid" 2>/dev/null || st=$?
            if refused "$st" "$tmp/ukvm_gdb.err"; then
                ukvm_gdb_note="refused by ukvm --gdb (status 251): $(grep -m1 '^ukvm:' "$tmp/ukvm_gdb.err")"
            else
                die "'$UKVM --gdb=127.0.0.1:0 --mem=$GUEST_MIB $LOOP' never said 'waiting for gdb on 127.0.0.1:PORT' (status $st): $(head -c 400 "$tmp/ukvm_gdb.err")"
            fi
        fi
    fi
    [[ -n $ukvm_gdb_note ]] && echo "  ukvm side $ukvm_gdb_note"

    # solo5-hvt-debug: --gdb-port takes no 0, so a port is asked from the kernel and
    # checked in /proc; a lost race (another process took it) retries.
    s5_pid=""
    for _ in 1 2 3; do
        port=$(free_port) || die "python3 could not find a free TCP port"
        "$S5_DEBUG" --mem=$GUEST_MIB --gdb --gdb-port="$port" "$LOOP" \
            >"$tmp/s5_gdb.out" 2>"$tmp/s5_gdb.err" </dev/null &
        s5_pid=$!
        bg_pids+=("$s5_pid")
        for ((i = 0; i < 100; i++)); do
            listening "$port" && break
            kill -0 "$s5_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$s5_pid" 2>/dev/null && listening "$port" && break
        stop_server "$s5_pid"
        s5_pid=""
        grep -qi 'address already in use' "$tmp/s5_gdb.err" || break
    done
    [[ -n $s5_pid ]] ||
        die "'$S5_DEBUG --gdb --gdb-port=$port $LOOP' did not listen: $(head -c 400 "$tmp/s5_gdb.err")"
    run_gdb_bench solo5 "$port"
    stop_server "$s5_pid"

    gdb_rows=(
        "stepi (one 'stepi N')|stepi_per_s|/s"
        "stepi (N 'stepi' commands)|stepi_cmd_per_s|/s"
        "memory read, untouched (zeros)|mem_mib_per_s|MiB/s"
        "memory write, random (restore)|mem_write_mib_per_s|MiB/s"
        "memory read, random bytes|mem_rand_mib_per_s|MiB/s"
        "continue to hbreak (round trips)|cont_hbreak_per_s|/s"
        "continue to break (round trips)|cont_break_per_s|/s"
    )
    gdb_hdr=$(printf '%-34s %13s %16s %8s' "" "ukvm" "solo5-hvt-debug" "ratio")
    echo "  $gdb_hdr"
    gdb_table=""
    gdb_whys=""
    for r in "${gdb_rows[@]}"; do
        IFS='|' read -r label metric unit <<<"$r"
        u=$(gdb_metric "$metric" "$uf")
        s=$(gdb_metric "$metric" "$sf")
        rt=$(ratio "$u" "$s")
        line=$(printf '%-34s %13s %16s %8s' "$label" "$(with_unit "$u" "$unit")" \
            "$(with_unit "$s" "$unit")" "$rt")
        echo "  $line"
        gdb_table+="  $line"$'\n'
        [[ $u == n/a && -z $ukvm_gdb_note ]] && gdb_whys+="    ukvm, $label: $(gdb_why "$metric" "$uf")"$'\n'
        [[ $s == n/a ]] && gdb_whys+="    solo5-hvt-debug, $label: $(gdb_why "$metric" "$sf")"$'\n'
        case $metric in
        stepi_per_s) g_step_r=$rt ;;
        mem_mib_per_s) g_mem_r=$rt ;;
        mem_rand_mib_per_s) g_rand_r=$rt ;;
        esac
    done
    printf '%s' "$gdb_whys"
    echo "  ratio = ukvm / solo5-hvt-debug, higher is better. Memory: $mem_kib KiB from 2 MiB,"
    echo "  zeros as the guest left them, then random bytes written with restore, read back."
    echo "  solo5-hvt-debug answers with one send(2) per byte and has no qSupported (gdb's"
    echo "  default packet size), no X packets (gdb writes with M), no vCont (gdb uses s/c)."
    gdb_goals=$(
        printf '%-34s %s\n' "goal: stepi >= 4x solo5-hvt-debug" "$(goal_min "$g_step_r" 4)"
        printf '%-34s %s\n' "goal: memory >= 4x (zeros)" "$(goal_min "$g_mem_r" 4)"
        printf '%-34s %s\n' "goal: memory >= 4x (random)" "$(goal_min "$g_rand_r" 4)"
    )
    echo "  ${gdb_goals//$'\n'/$'\n  '}"
fi

# ---------------------------------------------------------------- summary lines

say "hvt (Solo5 $s5_version; ratio = ukvm / Solo5, same invocation)"
[[ -n $ukvm_note ]] && say "  ukvm side: $ukvm_note; $ukvm_why"
say "$(printf '  %-34s %14s %16s %8s' "" "ukvm" "solo5-hvt" "ratio")"
say "$(printf '  %-34s %14s %16s %8s' "boot: test_hello.hvt (process)" "$(with_unit "$bu_med" us)" \
    "$bs_med us" "$boot_ratio")"
say "$(printf '  %-34s %14s %16s %8s' "hypercall: 1-byte PUTS" "$(with_unit "$hc_ukvm" us)" \
    "$hc_solo5 us" "$hc_ratio")"
say "  goal: boot ukvm / solo5-hvt <= 1.0: $boot_goal"
say "  ukvm --stats split: $split_summary"
if [[ -z $gdb_note ]]; then
    say "  gdb, $mem_kib KiB memory reads (ratio = ukvm / solo5-hvt-debug, higher is better)"
    [[ -z $ukvm_note && -n $ukvm_gdb_note ]] && say "  ukvm side $ukvm_gdb_note"
    say "  $gdb_hdr"
    say "${gdb_table%$'\n'}"
    say "  ${gdb_goals//$'\n'/$'\n  '}"
else
    say "  gdb: $gdb_note"
fi
flush_summary
