#!/usr/bin/env bash
# tests/solo5/suite.sh: Solo5's own test suite, built and run against ukvm
# (`make solo5-suite SOLO5=DIR`; docs/solo5.md).
#
#   tests/solo5/suite.sh [DIR]
#   tests/solo5/suite.sh --hvt [DIR]
#
# DIR is a Solo5 source tree. Every test program DIR/tests/test_X/test_X.c is built,
# unchanged, with ukvm's installed app.mk (make install into a temporary DESTDIR, then a
# two-line Makefile per program), and then the hvt cases of DIR/tests/tests.bats are run
# with build/ukvm in place of solo5-hvt, with the same arguments, and checked by the rules
# in docs/solo5.md. Output: one PASS/FAIL/SKIP line per case, a build table, a case table,
# and "N passed, N failed, N skipped"; the case table also goes to
# $BUILD/solo5-suite-<version>.md. Exit status 0 when no applicable case failed, 1 when
# one did, 2 for a bad DIR or a failed install.
#
# With --hvt, the programs are instead the .hvt binaries Solo5's own toolchain builds from
# DIR (tests/solo5/build_solo5.sh: configure.sh and make in a copy), run unchanged under
# ukvm by the same cases and rules; the table goes to $BUILD/solo5-suite-<version>-hvt.md.
#
# The network cases (net, net_2if, net_mtu, net_ring) each run in a network namespace of
# their own (ip netns add), with the tap interfaces of Solo5's tests/setup-tests.sh in it,
# and ping -f from inside it: no traffic and no interface ever reaches the host's own
# network. They need root and /dev/net/tun; without them they are SKIP lines that say why.
#
# Without DIR: one SKIP line and status 0 (CI has no Solo5 tree).
# Environment: BUILD (default build), MAKE (default make), SOLO5_SUITE_KEEP=1 keeps the
# temporary folder (builds, block images, outputs) and prints where it is,
# SOLO5_SUITE_NET_TIMEOUT=300 bounds each network case (and its pings), in seconds.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
MONITOR=$BUILD/ukvm
RUN_TIMEOUT=60s      # tests.bats: timeout --foreground 60s
KILL_AFTER=10s       # then SIGKILL, so a monitor that ignores SIGTERM cannot hang us
BUILD_TIMEOUT=120s   # one test program's compile and link
# tests.bats gives a network case 60 s too, but 100,000 flood pings take a guest whose
# code KVM emulates (no VMX/SVM) about 80 s: a generous bound, not a speed check.
NET_TIMEOUT=${SOLO5_SUITE_NET_TIMEOUT:-300}
mode=source
if [ "${1:-}" = --hvt ]; then
    mode=hvt
    shift
fi
dir=${1:-}

if [ -z "$dir" ]; then
    echo "SKIP solo5-suite: no Solo5 source tree given (make solo5-suite SOLO5=DIR); CI has none"
    exit 0
fi

die() { # die MESSAGE: a bad DIR or a broken set-up, not a test result
    echo "solo5-suite: $1" >&2
    exit 2
}

[ -e "$dir" ] || die "SOLO5=$dir: no such directory"
[ -d "$dir" ] || die "SOLO5=$dir: not a directory"
dir=$(cd "$dir" && pwd -P)
shopt -s nullglob
sources=("$dir"/tests/test_*/test_*.c)
shopt -u nullglob
[ ${#sources[@]} -gt 0 ] ||
    die "SOLO5=$dir is not a Solo5 source tree: it has no tests/test_*/test_*.c"
# make cannot handle blanks in VPATH and include paths.
[[ $dir != *[[:space:]]* ]] || die "SOLO5=$dir: a path with blanks is not supported (make)"
[ -x "$MONITOR" ] || die "$MONITOR is missing: run make first"
[[ $NET_TIMEOUT =~ ^[1-9][0-9]*$ ]] ||
    die "SOLO5_SUITE_NET_TIMEOUT must be a positive whole number of seconds, not '$NET_TIMEOUT'"

# Version for the table: git describe when DIR is the top of a git work tree, else DIR's
# name.
version=$(basename "$dir")
if top=$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$dir" ]; then
    version=$(git -C "$dir" describe --tags --always --dirty 2>/dev/null || echo "$version")
fi
md_file=$BUILD/solo5-suite-${version//\//-}.md
[ $mode = hvt ] && md_file=${md_file%.md}-hvt.md
ukvm_commit=$(git describe --always --dirty 2>/dev/null) && ukvm_commit=" at $ukvm_commit"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ukvm-solo5-suite.XXXXXX") || die "cannot create a temporary folder"
[[ $tmp != *[[:space:]]* ]] || { rm -rf "$tmp"; die "TMPDIR with blanks is not supported (make)"; }
# A network case's namespace and background processes (the monitor, the pings), ended
# on any exit so that ^C leaves no namespace or tap interface behind.
net_ns='' net_pids=()
net_stop() {
    local p
    for p in "${net_pids[@]}"; do
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    net_pids=()
    [ -z "$net_ns" ] || ip netns del "$net_ns" 2>/dev/null
    net_ns=''
}
cleanup() {
    net_stop
    if [ "${SOLO5_SUITE_KEEP:-}" = 1 ]; then
        echo "solo5-suite: kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "solo5-suite: Solo5 $version at $dir ($mode); monitor $MONITOR"

declare -A built=() build_error=()
programs=()
if [ $mode = hvt ]; then
    # ------------------------------------------------------------ Solo5-built binaries
    echo "solo5-suite: building Solo5 with its own toolchain (tests/solo5/build_solo5.sh)"
    solo5_tree=$(tests/solo5/build_solo5.sh "$dir") || die "could not build Solo5 from $dir"
    for src in "${sources[@]}"; do
        prog=$(basename "$src" .c)
        [ "$prog" = "$(basename "$(dirname "$src")")" ] || continue
        programs+=("$prog")
        if [ -f "$solo5_tree/tests/$prog/$prog.hvt" ]; then
            built[$prog]=$solo5_tree/tests/$prog/$prog.hvt
            echo "build $prog: ok (Solo5's $prog.hvt)"
        else
            build_error[$prog]="Solo5's make built no $prog.hvt"
            echo "build $prog: FAILED: ${build_error[$prog]}"
        fi
    done
fi

# ---------------------------------------------------------------- install and build
prefix=$tmp/install/usr/local
if [ $mode = hvt ]; then
    : # nothing to build: Solo5 built the programs
elif ! "$MAKE" -s --no-print-directory install DESTDIR="$tmp/install" PREFIX=/usr/local \
    BUILD="$BUILD" >"$tmp/install.log" 2>&1; then
    echo "solo5-suite: make install failed:" >&2
    tail -n 20 "$tmp/install.log" >&2
    exit 2
fi

# first_error LOG: the first diagnostic of a failed build, on one short line: the compiler's
# "file.c:L:C: error: ..." with the file's folders dropped, or the linker's message without
# its location ("multiple definition of 'memmove'").
first_error() {
    local line
    line=$(grep -m 1 -E 'error:|multiple definition|undefined reference|No such file|No rule to make' "$1")
    [ -n "$line" ] || line=$(grep -m 1 -v '^[[:space:]]*$' "$1")
    line=${line#/usr/bin/ld: }
    line=${line//\`/\'}
    if [[ $line =~ ^[^[:space:]]+:[0-9]+:\ (multiple definition|undefined reference)(.*)$ ]]; then
        line=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
        line=${line%%; *}
    else
        line=$(sed -E 's|^[^[:space:]:]*/||' <<<"$line")
    fi
    printf '%.160s' "${line:-build failed without a message}"
}

for src in "${sources[@]}"; do
    [ $mode = source ] || break
    prog=$(basename "$src" .c)
    [ "$prog" = "$(basename "$(dirname "$src")")" ] || continue # test_X/test_X.c only
    programs+=("$prog")
    work=$tmp/build/$prog
    mkdir -p "$work"
    # What a user writes: include the installed app.mk, name the unikernel's objects.
    printf 'include %s/lib/ukvm/app.mk\n%s.ukvm: %s.o\n' "$prefix" "$prog" "$prog" >"$work/Makefile"
    # The source is compiled where it lies, so that its #include "../../bindings/lib.c"
    # resolves: "vpath %.c" finds it there. Only .c files are searched for: a tree that
    # Solo5's own make has built holds test_X.o files that must not be linked instead.
    # -idirafter lets Solo5-internal headers resolve while ukvm's solo5.h (-I of the
    # install) still wins.
    if timeout -k 5s "$BUILD_TIMEOUT" "$MAKE" -s --no-print-directory -C "$work" \
        --eval="vpath %.c $(dirname "$src")" "$prog.ukvm" VPATH= \
        UKVM_PREFIX="$prefix" CFLAGS="-idirafter $dir/include" \
        >"$work/build.log" 2>&1 </dev/null && [ -f "$work/$prog.o" ] && [ -f "$work/$prog.ukvm" ]; then
        built[$prog]=$work/$prog.ukvm
        echo "build $prog: ok"
    else
        build_error[$prog]=$(first_error "$work/build.log")
        echo "build $prog: FAILED: ${build_error[$prog]}"
    fi
done

# ---------------------------------------------------------------- the cases
# Every hvt case of tests.bats (and "noexec host"), in tests.bats order:
#   NAME|PROGRAM|RULE|SOLO5'S CHECK
# RULE is what run_case does; PROGRAM's directory decides whether the case exists in a tree.
catalog=(
    "noexec host|test_hello|noexec|status 127 and 'No such file or directory' or 'required file not found'"
    "hello hvt|test_hello|hello|status 0, output has SUCCESS"
    "quiet hvt|test_quiet|quiet|status 0, output has SUCCESS and no 'Solo5:'"
    "output hvt|test_output|output|status 0"
    "globals hvt|test_globals|success|status 0, output has SUCCESS"
    "exception hvt|test_exception|crash|status 255, output has ABORT"
    "zeropage hvt|test_zeropage|crash|status 255, output has ABORT"
    "rnow hvt|test_rnow|openbsd|OpenBSD only: status 1, 'host/guest translation fault'"
    "xnow hvt|test_xnow|xnow|status 1, 'host/guest translation fault'"
    "xnor hvt|test_xnor|openbsd|OpenBSD only: status 1, 'host/guest translation fault'"
    "rnox hvt|test_rnox|openbsd|OpenBSD only: status 1, 'host/guest translation fault'"
    "wnox hvt|test_wnox|openbsd|OpenBSD only: status 1, 'host/guest translation fault'"
    "notls hvt|test_notls|crash|status 255, output has ABORT"
    "tls hvt|test_tls|success|status 0, output has SUCCESS"
    "ssp hvt|test_ssp|abort|status 255, output has ABORT"
    "fpu hvt|test_fpu|fpu|status 0, output has SUCCESS"
    "time hvt|test_time|time|status 0, output has SUCCESS ('slept too little' ignored on Debian)"
    "blk hvt|test_blk|blk|status 0, output has SUCCESS"
    "blk block-sector-size=4096 hvt|test_blk|blk4096|status 0, output has SUCCESS"
    "blk misaligned hvt|test_blk|misaligned|status 1, 'Backing storage size must be block aligned'"
    "blk odd hvt|test_blk|odd|status 1, 'Block size must be a multiple of 2'"
    "blk too small hvt|test_blk|toosmall|status 1, 'Block size must be a multiple of 2 greater than or equal 512'"
    "net hvt|test_net|net|status 0, output has SUCCESS (root; tap100; ping -fq -c 100000)"
    "net_2if hvt|test_net_2if|net2if|status 0, output has SUCCESS (root; tap100, tap101; two ping -fq -c 50000)"
    "net_mtu hvt|test_net_mtu|netmtu|status 0, SUCCESS and 'MTU is 9000' (root; tap102, mtu 9000)"
    "net_ring hvt|test_net_ring|netring|status 0, output has SUCCESS (root; tap100; ping -fq -c 10000 -p deadbeef)"
    "dumpcore hvt|test_dumpcore|dumpcore|status 255, core.solo5-hvt.PID in the --dumpcore folder"
    "mft_maxdevices hvt|test_mft_maxdevices|maxdevices|status 0, output has SUCCESS with 63 block devices"
    "buggyelf hvt|test_buggyelf|buggyelf|status 1, 'note does not fall within valid size'"
)

have_kvm=0
[ -c /dev/kvm ] && [ -w /dev/kvm ] && have_kvm=1
# ukvm has no --dumpcore=DIR today; its --core writes core.ukvm.KERNEL.PID in the working
# folder. Use --dumpcore if this monitor has it.
has_dumpcore=0
"$MONITOR" --help 2>/dev/null | grep -q -- '--dumpcore' && has_dumpcore=1

# One ukvm run, as tests.bats's hvt_run: timeout --foreground 60s ukvm --mem=4096 ARGS.
# Sets status, out (stdout) and err (stderr) files, and output (both, as bats's $output).
status=0 out='' err='' output=''
run_timeout=$RUN_TIMEOUT # what describe reports; a network case sets its own
run_in() { # run_in FOLDER CMD...
    local where=$1
    shift
    out=$tmp/run/$n.out err=$tmp/run/$n.err
    mkdir -p "$tmp/run"
    (cd "$where" && timeout --foreground -k "$KILL_AFTER" "$RUN_TIMEOUT" "$@") \
        >"$out" 2>"$err" </dev/null
    status=$?
    output=$(cat "$out" "$err")
}
hvt_run() { run_in "$tmp" "$MONITOR_ABS" --mem=4096 "$@"; }
MONITOR_ABS=$(cd "$(dirname "$MONITOR")" && pwd -P)/$(basename "$MONITOR")

# Helpers that set verdict (PASS/FAIL/SKIP/N-A), why (what happened) and, for a
# failure, want (what ukvm should have done, when the table's note does not say it already).
verdict='' why='' want=''
timed_out() { [ "$status" = 124 ] || [ "$status" = 137 ]; }
first_err_line() { grep -m 1 '^ukvm:' "$err" | cut -c 1-160; }
describe() { # a short account of a run that did not do what was expected
    local line
    if timed_out; then
        echo "timed out after $run_timeout (status $status)"
        return
    fi
    line=$(first_err_line)
    [ -n "$line" ] || line=$(grep -m 1 -v '^[[:space:]]*$' "$err" | cut -c 1-160)
    echo "status $status${line:+; stderr: $line}"
}
expect_success() {
    if [ "$status" = 0 ] && [[ $output == *SUCCESS* ]]; then
        verdict=PASS
    elif [ "$status" = 0 ]; then
        verdict=FAIL why="status 0 but no SUCCESS in the output"
    else
        verdict=FAIL why=$(describe)
    fi
}
expect_report() { # expect_report STATUS LINE_PREFIX: ukvm's report of a fault or refusal
    if [ "$status" = "$1" ] && grep -q "^$2" "$err"; then
        verdict=PASS why=$(first_err_line)
    elif [ "$status" = "$1" ]; then
        verdict=FAIL why="status $1 but no line starting '$2' on stderr"
    else
        verdict=FAIL why=$(describe) want="status $1 and '$2'"
    fi
}
expect_refusal() { # expect_refusal STATUS MESSAGE: refused before the guest ran
    if [ "$status" = "$1" ] && grep -qF -- "$2" "$err" && ! grep -q 'Solo5 standalone' "$out"; then
        verdict=PASS why=$(first_err_line)
    elif [ "$status" = "$1" ] && grep -qF -- "$2" "$err"; then
        verdict=FAIL why="refused only after the guest had started"
    else
        verdict=FAIL why=$(describe) want="status $1 and '$2'"
    fi
}
zeros() { dd if=/dev/zero of="$1" bs="$2" count="$3" status=none; } # as tests.bats

# ---------------------------------------------------------------- network cases
# Whether network cases can run here, and why not: root (tests.bats's skip_unless_root;
# tap interfaces and ping -f need it), /dev/net/tun, ip and ping, and a namespace of our
# own. Checked once, on the first network case.
net_checked=0 net_why=''
net_usable() {
    local e
    if [ $net_checked = 0 ]; then
        net_checked=1
        if [ "$(id -u)" != 0 ]; then
            net_why="needs root (tap interfaces and ping -f; tests.bats skips it too)"
        elif [ ! -c /dev/net/tun ]; then
            net_why="no /dev/net/tun: this host cannot make tap interfaces"
        elif ! command -v ip >/dev/null || ! command -v ping >/dev/null; then
            net_why="needs ip and ping (make deps installs iproute2 and iputils-ping)"
        elif ! e=$(ip netns add "ukvm-solo5-$$-probe" 2>&1); then
            net_why="cannot create a network namespace: ip netns add: ${e:-failed}"
        else
            net_ns=ukvm-solo5-$$-probe
            e=$(ip netns exec "$net_ns" ip tuntap add tap100 mode tap 2>&1) ||
                net_why="cannot create a tap interface in a network namespace: ${e:-failed}"
            net_stop
        fi
    fi
    [ -z "$net_why" ]
}

# net_run PING... -- ARGS...: one network case as tests.bats runs it, in a namespace of
# its own (Solo5's tests/setup-tests.sh's interfaces: tap100 10.0.0.1/24, tap101
# 10.1.0.1/24, tap102 with MTU 9000, all up): ukvm --mem=4096 ARGS in the background, and
# once the guest says it serves, each PING ("ADDR COUNT [PING OPTIONS]": ping -fq -c COUNT
# ADDR) in the background too. tests.bats starts its pings after `sleep 1`; waiting for
# the guest's "Serving ping on" line instead keeps a slow guest's boot from turning into
# lost pings. Sets what run_in sets, plus elapsed (seconds, the guest's run) and
# ping_logs (one file per PING).
net_count=0 elapsed='' ping_logs=()
net_run() {
    local pings=() p i pid start deadline addr count opts
    while [ "$1" != -- ]; do
        pings+=("$1")
        shift
    done
    shift
    run_timeout=${NET_TIMEOUT}s
    net_count=$((net_count + 1))
    net_ns=ukvm-solo5-$$-$net_count
    out=$tmp/run/$n.out err=$tmp/run/$n.err elapsed='' ping_logs=()
    mkdir -p "$tmp/run"
    : >"$out"
    : >"$err"
    if ! ip netns add "$net_ns" 2>"$err"; then
        net_ns='' status=1 output=$(cat "$err")
        return 1
    fi
    # As setup-tests.sh does on Linux; and lo up, which a new namespace has down.
    if ! ip netns exec "$net_ns" sh -e -c '
        ip link set dev lo up
        ip tuntap add tap100 mode tap
        ip addr add 10.0.0.1/24 dev tap100
        ip link set dev tap100 up
        ip tuntap add tap101 mode tap
        ip addr add 10.1.0.1/24 dev tap101
        ip link set dev tap101 up
        ip tuntap add tap102 mode tap
        ip link set dev tap102 up mtu 9000' >"$err" 2>&1; then
        net_stop
        status=1 output=$(cat "$err")
        return 1
    fi
    start=$EPOCHREALTIME
    (cd "$tmp" && exec timeout --foreground -k "$KILL_AFTER" "$NET_TIMEOUT" \
        ip netns exec "$net_ns" "$MONITOR_ABS" --mem=4096 "$@") >"$out" 2>"$err" </dev/null &
    pid=$!
    net_pids=("$pid")
    if [ ${#pings[@]} -gt 0 ]; then
        deadline=$((SECONDS + NET_TIMEOUT))
        while ! grep -q 'Serving ping on' "$out" && kill -0 "$pid" 2>/dev/null &&
            [ $SECONDS -lt $deadline ]; do
            sleep 0.1
        done
        i=0
        for p in "${pings[@]}"; do
            read -r addr count opts <<<"$p"
            ping_logs+=("$tmp/run/$n.ping$i")
            # shellcheck disable=SC2086 # opts: ping's options, word-split on purpose
            timeout "$NET_TIMEOUT" ip netns exec "$net_ns" ping -fq -c "$count" $opts "$addr" \
                >"${ping_logs[i]}" 2>&1 </dev/null &
            net_pids+=($!)
            i=$((i + 1))
        done
    fi
    wait "$pid"
    status=$?
    elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    # A guest that served them all has answered every ping already; give the pings a few
    # seconds to see the last reply, then stop them with SIGINT, on which ping still
    # prints its summary (a guest that died early would leave ping -f sending for ever).
    for pid in "${net_pids[@]:1}"; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -INT "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    net_pids=()
    net_stop
    output=$(cat "$out" "$err")
}

# net_pings_check: after expect_success, every ping must have had all its replies (the
# check that the guest served them, not just counted them): "N packets transmitted, N
# received", "0% packet loss". Adds each ping's summary to why.
net_pings_check() {
    local log i=0 line sent got summary=''
    for log in "${ping_logs[@]}"; do
        line=$(grep -m 1 'packets transmitted' "$log")
        if [[ $line =~ ^([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received,.*\ ([0-9.]+%)\ packet\ loss ]]; then
            sent=${BASH_REMATCH[1]} got=${BASH_REMATCH[2]}
            summary+="${summary:+; }ping ${ping_addrs[i]}: $got of $sent replies (${BASH_REMATCH[3]} loss)"
            if [ "$sent" != "$got" ] || [ "$sent" != "${ping_counts[i]}" ]; then
                [ "$verdict" != PASS ] || verdict=FAIL
            fi
        else
            summary+="${summary:+; }ping ${ping_addrs[i]}: no summary ($(head -c 120 "$log" | tr '\n' ' '))"
            [ "$verdict" != PASS ] || verdict=FAIL
        fi
        i=$((i + 1))
    done
    why="${why:+$why; }$elapsed s${summary:+; $summary}"
}

# net_case PING... -- ARGS...: net_run, then Solo5's check and the pings'.
ping_addrs=() ping_counts=()
net_case() {
    local p addr count
    ping_addrs=() ping_counts=()
    for p in "$@"; do
        [ "$p" != -- ] || break
        read -r addr count _ <<<"$p"
        ping_addrs+=("$addr") ping_counts+=("$count")
    done
    if ! net_run "$@"; then
        verdict=FAIL why="could not set up the network namespace: $(head -n 1 "$err" | cut -c 1-160)"
        return
    fi
    expect_success
    net_pings_check
}

run_case() { # run_case RULE KERNEL: sets verdict and why
    local rule=$1 kernel=$2 img=$tmp/storage.img core_dir i line path
    rm -f "$tmp"/storage*.img
    case $rule in
    noexec)
        # The unikernel run directly on the host, not under ukvm (no --mem, no timeout in
        # tests.bats; a bounded one here).
        run_in "$tmp" "$kernel"
        if [ "$status" = 127 ] && [[ $output == *"No such file or directory"* ||
            $output == *"required file not found"* ]]; then
            verdict=PASS why=''
        else
            verdict=FAIL why=$(describe | cut -c 1-120) want="the host refuses to execute it"
        fi
        ;;
    hello)
        hvt_run "$kernel" Hello_Solo5
        expect_success
        ;;
    success)
        hvt_run "$kernel"
        expect_success
        ;;
    quiet)
        hvt_run -- "$kernel" --solo5:quiet
        expect_success
        if [ "$verdict" = PASS ] && [[ $output == *"Solo5:"* ]]; then
            verdict=FAIL why="output has 'Solo5:'"
        fi
        ;;
    output)
        hvt_run "$kernel" Output_Solo5
        if [ "$status" = 0 ]; then verdict=PASS; else verdict=FAIL why=$(describe); fi
        ;;
    crash)
        hvt_run "$kernel"
        expect_report 255 "ukvm: guest crashed:"
        ;;
    abort)
        hvt_run "$kernel"
        expect_report 255 "ukvm: guest aborted:"
        ;;
    xnow)
        hvt_run "$kernel"
        expect_report 255 "ukvm: guest crashed: Page fault"
        ;;
    fpu)
        hvt_run "$kernel"
        expect_success
        if [ "$verdict" = FAIL ] && [ "$status" = 255 ] &&
            grep -q '^ukvm: guest crashed: KVM internal error 1' "$err" &&
            grep -q 'KVM could not emulate the instruction' "$err"; then
            verdict=SKIP
            line=$(grep -m 1 '^  at ' "$err" | sed 's/^ *//')
            why="this KVM emulates guest code and cannot emulate SSE arithmetic (KVM internal error 1${line:+ $line})"
        fi
        ;;
    time)
        hvt_run "$kernel"
        expect_success
        if [ "$verdict" = FAIL ] && [ "$status" = 1 ] && [[ $output == *"slept too little"* ]] &&
            gcc --version 2>/dev/null | grep -q Debian; then
            verdict=SKIP why="'slept too little' on Debian: a known flake that tests.bats ignores too"
        fi
        ;;
    blk)
        zeros "$img" 4k 1024
        hvt_run "--block:storage=$img" -- "$kernel"
        expect_success
        ;;
    blk4096)
        zeros "$img" 4k 1024
        hvt_run "--block:storage=$img" --block-sector-size:storage=4096 -- "$kernel"
        expect_success
        ;;
    misaligned)
        zeros "$img" 2k 3
        hvt_run "--block:storage=$img" --block-sector-size:storage=4096 -- "$kernel"
        expect_refusal 252 "not a multiple of the block size"
        ;;
    odd)
        zeros "$img" 521 3
        hvt_run "--block:storage=$img" --block-sector-size:storage=521 -- "$kernel"
        expect_refusal 2 "block size must be a power of two of at least 512"
        ;;
    toosmall)
        zeros "$img" 256 1
        hvt_run "--block:storage=$img" --block-sector-size:storage=256 -- "$kernel"
        expect_refusal 2 "block size must be a power of two of at least 512"
        ;;
    maxdevices)
        local devs=()
        for i in $(seq 0 62); do
            zeros "$tmp/storage$i.img" 4k 1
            devs+=("--block:storage$i=$tmp/storage$i.img")
        done
        hvt_run "${devs[@]}" -- "$kernel"
        expect_success
        ;;
    net)
        net_case "10.0.0.2 100000" -- --net:service0=tap100 -- "$kernel" limit
        ;;
    net2if)
        net_case "10.0.0.2 50000" "10.1.0.2 50000" -- --net:service0=tap100 \
            --net:service1=tap101 -- "$kernel" limit
        ;;
    netmtu)
        net_case -- --net:service0=tap102 -- "$kernel"
        if [ "$verdict" = PASS ] && [[ $output != *"MTU is 9000"* ]]; then
            verdict=FAIL why="no 'MTU is 9000' in the output; ${why}"
        fi
        ;;
    netring)
        net_case "10.0.0.2 10000 -p deadbeef" -- --net:service0=tap100 -- "$kernel"
        ;;
    dumpcore)
        # tests.bats runs the debug tender without --mem and without "--".
        core_dir=$tmp/cores
        rm -rf "$core_dir" && mkdir -p "$core_dir"
        if [ $has_dumpcore = 1 ]; then
            run_in "$tmp" "$MONITOR_ABS" --dumpcore="$core_dir" "$kernel"
        else
            run_in "$core_dir" "$MONITOR_ABS" --core "$kernel"
        fi
        line=$(grep -m 1 '^ukvm: core written to ' "$err")
        path=${line#ukvm: core written to }
        path=${path% (*}
        [ -z "$path" ] || [[ $path == /* ]] || path=$core_dir/$path
        if [ "$status" != 255 ]; then
            verdict=FAIL why=$(describe) want="status 255"
        elif [ -z "$line" ]; then
            verdict=FAIL why="no 'ukvm: core written to PATH' line; $(describe)"
        elif [ "$(dirname "$path")" != "$core_dir" ] || [ ! -f "$path" ]; then
            verdict=FAIL why="the core file $path is not in $core_dir"
        else
            verdict=PASS why="core file $(basename "$path" | sed -E 's/\.[0-9]+$/.PID/')"
        fi
        ;;
    buggyelf)
        hvt_run "$kernel"
        local nlines
        nlines=$(grep -c '' "$err")
        line=$(head -n 1 "$err" | sed "s|$kernel|buggyelf.hvt|")
        if [ "$status" = 251 ] && [ "$nlines" = 1 ] && [[ $line == "ukvm: "* ]] && [ ! -s "$out" ]; then
            verdict=PASS why=$(cut -c 1-160 <<<"$line")
        else
            verdict=FAIL why="$(describe) ($nlines lines on stderr)" want="status 251 and one 'ukvm:' line on stderr"
        fi
        ;;
    *)
        verdict=FAIL why="internal error: no rule '$rule'"
        ;;
    esac
}

# What ukvm checks where it differs from tests.bats (first part of the note).
ukvm_check() {
    case $1 in
    crash) echo "ukvm: status 255 and a 'ukvm: guest crashed:' line" ;;
    abort) echo "ukvm: status 255 and a 'ukvm: guest aborted:' line" ;;
    xnow) echo "ukvm: status 255 and 'ukvm: guest crashed: Page fault' (.text is read-only)" ;;
    noexec) echo "run directly on the host, not under ukvm" ;;
    misaligned) echo "ukvm: status 252 and 'not a multiple of the block size', before the guest runs" ;;
    odd | toosmall) echo "ukvm: status 2 and 'block size must be a power of two of at least 512', before the guest runs" ;;
    dumpcore)
        if [ $has_dumpcore = 1 ]; then
            echo "ukvm --dumpcore=DIR: status 255, the core file ukvm names is in DIR"
        else
            echo "ukvm --core in DIR (ukvm has no --dumpcore): status 255, the core file ukvm names is in DIR"
        fi
        ;;
    buggyelf) echo "ukvm: status 251 and one 'ukvm:' line, nothing run" ;;
    net | net2if) echo "ukvm: the same, and ping got every reply; own namespace, timeout ${NET_TIMEOUT} s" ;;
    netmtu) echo "ukvm: the same; own namespace" ;;
    netring) echo "ukvm offers no ring I/O (host features 0): the guest uses hypercalls; ping got every reply; own namespace, timeout ${NET_TIMEOUT} s" ;;
    esac
}

# Which cases: those of tests.bats when the tree has it (a case this runner does not know
# fails, so that a new Solo5 case is not silently left out), else the catalog's cases
# whose program folder exists.
declare -A rule_of=() prog_of=() check_of=()
cases=()
for entry in "${catalog[@]}"; do
    IFS='|' read -r n p r c <<<"$entry"
    rule_of[$n]=$r prog_of[$n]=$p check_of[$n]=$c
done
bats=$dir/tests/tests.bats
if [ -f "$bats" ]; then
    while IFS= read -r n; do
        cases+=("$n")
    done < <(sed -n -E 's/^@test "(.* hvt|noexec host)" *\{.*/\1/p' "$bats")
else
    for entry in "${catalog[@]}"; do
        IFS='|' read -r n p r c <<<"$entry"
        [ -d "$dir/tests/$p" ] && cases+=("$n")
    done
fi

[ ${#cases[@]} -gt 0 ] || die "no hvt cases in $bats: not a tests.bats this runner understands"

passed=0 failed=0 skipped=0 na=0
rows=()
slug() { local s=${1% hvt}; echo "${s// /-}"; }
for n in "${cases[@]}"; do
    verdict='' why='' want=''
    rule=${rule_of[$n]:-}
    prog=${prog_of[$n]:-}
    note=''
    if [ -z "$rule" ]; then
        verdict=FAIL why="a tests.bats case this runner does not know: add a rule to tests/solo5/suite.sh"
    elif [ "$rule" = openbsd ]; then
        verdict=N-A why="not applicable: tests.bats runs it on OpenBSD hosts only"
    elif [ "$rule" = buggyelf ] && [ ! -f "$dir/tests/test_buggyelf/buggyelf.hvt" ]; then
        verdict=FAIL why="$dir/tests/test_buggyelf/buggyelf.hvt is missing"
    elif [ "$rule" != buggyelf ] && [ -z "${built[$prog]:-}" ]; then
        verdict=FAIL
        if [ -n "${build_error[$prog]:-}" ]; then
            why="build failed: ${build_error[$prog]}"
        else
            why="no $prog/$prog.c in this tree"
        fi
    elif [ $have_kvm = 0 ] && [ "$rule" != noexec ]; then
        verdict=SKIP why="no access to /dev/kvm or not present (as tests.bats)"
    elif [[ $rule == net* ]] && ! net_usable; then
        verdict=SKIP why=$net_why
    else
        kernel=${built[$prog]:-$dir/tests/test_buggyelf/buggyelf.hvt}
        run_timeout=$RUN_TIMEOUT elapsed=''
        run_case "$rule" "$kernel"
        [ -z "$elapsed" ] || echo "time solo5/$(slug "$n"): $elapsed s"
    fi
    [ -n "$rule" ] && note=$(ukvm_check "$rule")
    why=${why//$'\n'/ }
    why=${why//$tmp/TMP}
    [ -n "$why" ] && note=${note:+$note; }$why
    [ -z "$want" ] || [ -n "$(ukvm_check "$rule")" ] || note+="; expected $want"
    [ -z "$want" ] || why+="; expected $want"
    case $verdict in
    PASS) passed=$((passed + 1)); echo "PASS solo5/$(slug "$n")" ;;
    FAIL) failed=$((failed + 1)); echo "FAIL solo5/$(slug "$n"): $why" ;;
    SKIP) skipped=$((skipped + 1)); echo "SKIP solo5/$(slug "$n"): $why" ;;
    N-A) skipped=$((skipped + 1)) na=$((na + 1)); echo "SKIP solo5/$(slug "$n"): $why" ;;
    esac
    rows+=("$n|${check_of[$n]:-(unknown)}|$verdict|$note")
done

# Programs that no counted case uses (spt-only, OpenBSD-only) are built and
# listed, but their build failures do not fail the run.
declare -A counted=()
for n in "${cases[@]}"; do
    case ${rule_of[$n]:-} in openbsd | '') ;; *) counted[${prog_of[$n]}]=1 ;; esac
done

# ---------------------------------------------------------------- tables
md_escape() { local s=${1//|/\\|}; echo "${s//\`/\'}"; }
{
    if [ $mode = hvt ]; then
        echo "### Solo5 $version: Solo5-built .hvt binaries"
        how="Solo5's test programs as Solo5's own toolchain built them (.hvt), run unchanged."
    else
        echo "### Solo5 $version: built against ukvm's kernel"
        how="Solo5's test programs built unchanged with the installed app.mk."
    fi
    echo
    echo "ukvm $("$MONITOR" --version 2>/dev/null | head -n 1 | sed 's/^ukvm //')$ukvm_commit;" \
        "$how"
    echo
    echo "| test | Solo5's check | ukvm result | note |"
    echo "| --- | --- | --- | --- |"
    for row in "${rows[@]}"; do
        IFS='|' read -r n c v note <<<"$row"
        echo "| $(md_escape "$n") | $(md_escape "$c") | $v | $(md_escape "$note") |"
    done
    echo
    echo "| program | build | first error |"
    echo "| --- | --- | --- |"
    for p in "${programs[@]}"; do
        if [ -n "${built[$p]:-}" ]; then
            echo "| $p | ok | |"
        else
            extra=''
            [ -n "${counted[$p]:-}" ] || extra=' (no applicable case uses it: not counted)'
            echo "| $p | FAILED | $(md_escape "${build_error[$p]}")$extra |"
        fi
    done
    echo
    echo "$passed passed, $failed failed, $skipped skipped ($na not applicable)."
} >"$tmp/table.md"
mkdir -p "$BUILD"
cp "$tmp/table.md" "$md_file"

# The same tables as aligned text.
print_table() { # print_table NCOLS ROWS... (fields separated by |; the last is not aligned)
    local ncols=$1 r i line rest
    local -a w=() f
    shift
    for r in "$@"; do
        IFS='|' read -r -a f <<<"$r"
        for ((i = 0; i < ncols - 1; i++)); do
            [ ${#f[i]} -le "${w[i]:-0}" ] || w[i]=${#f[i]}
        done
    done
    for r in "$@"; do
        IFS='|' read -r -a f <<<"$r"
        line='' rest=$r
        for ((i = 0; i < ncols - 1; i++)); do
            line+=$(printf '%-*s | ' "${w[i]}" "${f[i]:-}")
            rest=${rest#*|}
        done
        echo "$line$rest"
    done
}
brows=("program|build|first error")
for p in "${programs[@]}"; do
    if [ -n "${built[$p]:-}" ]; then
        brows+=("$p|ok|")
    else
        extra=''
        [ -n "${counted[$p]:-}" ] || extra=' (not counted: no applicable case uses it)'
        brows+=("$p|FAILED|${build_error[$p]}$extra")
    fi
done
echo
print_table 3 "${brows[@]}"
echo
print_table 4 "test|Solo5's check|ukvm result|note" "${rows[@]}"
echo
echo "table written to $md_file"
echo "$na not applicable, counted as skipped"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
