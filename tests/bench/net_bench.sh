#!/usr/bin/env bash
# tests/bench/net_bench.sh: the "net" section of tests/bench/run.sh: network devices,
# measured with ping from the host against guests that answer it. Every figure is taken
# in this same invocation, runs interleaved server by server; ratios are ukvm / solo5-hvt.
# It asserts nothing about time.
#
#   [SOLO5=DIR] tests/bench/net_bench.sh [SUMMARY_FILE]
#
#   namespace  the whole script runs in a network namespace of its own (unshare -n), with
#              tap100 10.0.0.1/24 in it as Solo5's tests/setup-tests.sh makes it; every
#              guest is 10.0.0.2 on tap100. No interface or packet of the host's own is
#              touched, and the namespace, its tap and any guest left in it go when the
#              script ends. Needs root and /dev/net/tun: without them the section is
#              skipped in one line saying why.
#   servers    each run starts one server, waits until it answers a ping, measures, stops
#              it; the servers take turns, run after run:
#              - Solo5's test_net.hvt under ukvm and under Solo5's own solo5-hvt, both
#                built from SOLO5=DIR by Solo5's toolchain (tests/solo5/build_solo5.sh,
#                cached under build/solo5-build/); --mem=64 for both;
#              - the same test_net.c built against ukvm's kernel, as `make solo5-suite`
#                builds it (make install into a temporary DESTDIR, the installed app.mk),
#                as test_net.ukvm;
#              - ukvm's own ping server, build/test_ping.ukvm, and the same with
#                --pcap:service0=FILE.
#              Without SOLO5 only the last two run, with a line saying that the
#              comparison needs SOLO5=DIR.
#   rtt        ping -c N -i 0.01: every reply's round trip, median and 99th percentile
#              (nearest rank) over BENCH_NET_RTT_N pings per server, split evenly over the
#              runs. 0.01 s apart, so that no ping waits behind another.
#   flood      ping -fq -c BENCH_NET_FLOOD_N: the time ping reports for it (first request
#              to last reply), median of the runs; pings/s. ping -f sends the next request
#              as soon as a reply comes, so this is the server's round trip under load.
#   pcap       test_ping.ukvm's flood with and without --pcap:service0=FILE: frames/s
#              (2 x pings / s: each ping is a request and a reply) and what writing the
#              capture costs, as a percentage.
#
# A guest emulated in software (a KVM without VMX/SVM) answers a ping in about 1 ms, so
# 100,000 flood pings take it 1 to 3 minutes per run: the defaults (2 runs of each of 5
# servers) take about a quarter of an hour there. BENCH_QUICK=1 or the variables below
# make a quick run.
#
# Exit status: 0, or 1 when a server cannot be started or never answers (a benchmark of a
# broken run measures the breakage), 2 for a bad setting or SOLO5. SUMMARY_FILE gets the
# lines run.sh repeats in its summary; without it they are printed at the end.
#
# Environment (run.sh passes BENCH_QUICK on):
#   SOLO5=DIR                a Solo5 source tree (469c1a8 and v0.9.3 are known to work)
#   BENCH_NET=1              0 skips the section
#   BENCH_QUICK=1            a fast smoke run
#   BENCH_NET_RTT_N=1000     round trips measured per server (quick: 100)
#   BENCH_NET_FLOOD_N=100000 flood pings per run (quick: 2000)
#   BENCH_NET_RUNS=2         runs per server, interleaved (quick: 1)
#   BENCH_NET_TIMEOUT=600    seconds one ping command may take
#   BUILD=build
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.bash
BUILD=${BUILD:-build}
summary=${1:-}

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
    rtt_n=${BENCH_NET_RTT_N:-100}
    flood_n=${BENCH_NET_FLOOD_N:-2000}
    runs=${BENCH_NET_RUNS:-1}
else
    rtt_n=${BENCH_NET_RTT_N:-1000}
    flood_n=${BENCH_NET_FLOOD_N:-100000}
    runs=${BENCH_NET_RUNS:-2}
fi
ping_timeout=${BENCH_NET_TIMEOUT:-600}
for pair in BENCH_NET_RTT_N:rtt_n BENCH_NET_FLOOD_N:flood_n BENCH_NET_RUNS:runs \
    BENCH_NET_TIMEOUT:ping_timeout; do
    v=${pair#*:}
    if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
        echo "bench: ${pair%%:*} must be a positive whole number, not '${!v}'" >&2
        exit 2
    fi
done
case ${BENCH_NET:-1} in
0 | 1) ;;
*)
    echo "bench: BENCH_NET must be 0 or 1, not '$BENCH_NET'" >&2
    exit 2
    ;;
esac
if ((rtt_n < runs)); then
    echo "bench: BENCH_NET_RTT_N ($rtt_n) must be at least BENCH_NET_RUNS ($runs)" >&2
    exit 2
fi

UKVM=$BUILD/ukvm
PING_SERVER=$BUILD/test_ping.ukvm
GUEST_MIB=64 # --mem for every server, both monitors
GUEST_IP=10.0.0.2

die() {
    echo "bench: $*" >&2
    exit 1
}

skip() { # skip WHY: the one line of a skipped section (and the summary's, to its file)
    echo "-- net: skipped: $1"
    [[ -n $summary ]] && echo "net: skipped: $1" >"$summary"
    exit 0
}

[[ ${BENCH_NET:-1} == 1 ]] || skip "BENCH_NET=0"
if [[ -n ${SOLO5:-} ]]; then
    [[ -e $SOLO5 ]] || { echo "bench: SOLO5=$SOLO5: no such directory" >&2; exit 2; }
    [[ -d $SOLO5 ]] || { echo "bench: SOLO5=$SOLO5: not a directory" >&2; exit 2; }
    for f in configure.sh tenders/hvt tests/test_net/test_net.c; do
        [[ -e $SOLO5/$f ]] ||
            { echo "bench: SOLO5=$SOLO5 is not a Solo5 source tree: it has no $f" >&2; exit 2; }
    done
fi
for f in "$UKVM" "$PING_SERVER"; do
    [[ -f $f ]] || die "$f is missing: run 'make bench' (it builds everything first)"
done
[[ -r /dev/kvm && -w /dev/kvm ]] ||
    die "/dev/kvm is missing or not readable and writable by $(id -un): these benchmarks need KVM"

# The namespace: this script again, under unshare -n. Everything below runs in it.
if [[ -z ${UKVM_NET_BENCH_NS:-} ]]; then
    [[ $(id -u) == 0 ]] || skip "needs root (tap interfaces, ping -f and a network namespace)"
    [[ -c /dev/net/tun ]] || skip "no /dev/net/tun: this host cannot make tap interfaces"
    if ! command -v ping >/dev/null || ! command -v ip >/dev/null; then
        skip "needs ping and ip (make deps installs iputils-ping and iproute2)"
    fi
    err=$(unshare -n true 2>&1) || skip "cannot create a network namespace: unshare -n: $err"
    UKVM_NET_BENCH_NS=1 exec unshare -n "$0" "$@"
fi

tmp=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n $server_pid ]]; then
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip link set dev lo up
ip tuntap add tap100 mode tap
ip addr add 10.0.0.1/24 dev tap100
ip link set dev tap100 up

# ---------------------------------------------------------------- Solo5, from source

solo5_note=""
if [[ -n ${SOLO5:-} ]]; then
    src=$(cd "$SOLO5" && pwd -P)
    echo "-- net: building Solo5 from $src with its own toolchain (tests/solo5/build_solo5.sh) ..."
    # Solo5's own make must not inherit ours (make bench's MAKEFLAGS carry SOLO5=DIR).
    tree=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES BUILD="$BUILD" \
        tests/solo5/build_solo5.sh "$src") || die "could not build Solo5 from $src (see above)"
    S5_HVT=$tree/tenders/hvt/solo5-hvt
    NET_HVT=$tree/tests/test_net/test_net.hvt
    for f in "$S5_HVT" "$NET_HVT"; do
        [[ -f $f ]] || die "Solo5's build made no $f"
    done
    s5_version=$("$S5_HVT" --version 2>&1 | sed -n 's/.*version //p' | head -n 1)
    s5_version=${s5_version:-unknown}

    # test_net.c against ukvm's kernel, as tests/solo5/suite.sh builds Solo5's tests: the
    # installed app.mk, the source compiled where it lies (its #include
    # "../../bindings/lib.c"), Solo5's internal headers after ukvm's.
    work=$tmp/test_net
    mkdir -p "$work"
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
        make -s --no-print-directory install DESTDIR="$tmp/install" PREFIX=/usr/local \
        BUILD="$BUILD" >"$tmp/install.log" 2>&1 ||
        die "make install failed: $(tail -n 5 "$tmp/install.log")"
    printf 'include %s/lib/ukvm/app.mk\ntest_net.ukvm: test_net.o\n' \
        "$tmp/install/usr/local" >"$work/Makefile"
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
        make -s --no-print-directory -C "$work" --eval="vpath %.c $src/tests/test_net" \
        test_net.ukvm VPATH= UKVM_PREFIX="$tmp/install/usr/local" \
        CFLAGS="-idirafter $src/include" >"$work/build.log" 2>&1 </dev/null ||
        die "building test_net.c against ukvm's kernel failed: $(grep -m 3 -E 'error|Error' "$work/build.log")"
    NET_UKVM=$work/test_net.ukvm
    # The server commands below are split at blanks.
    [[ $tree$tmp != *[[:space:]]* ]] || die "a path with blanks is not supported: $tree, $tmp"
else
    solo5_note="no Solo5 tree given: the comparison with solo5-hvt needs SOLO5=DIR (make bench SOLO5=DIR); ukvm's own ping server only"
fi

# ---------------------------------------------------------------- servers

# name|label|command (word-split; PCAP is the capture file)
servers=()
if [[ -z $solo5_note ]]; then
    servers+=(
        "u_hvt|ukvm test_net.hvt (Solo5-built)|$UKVM --mem=$GUEST_MIB --net:service0=tap100 -- $NET_HVT"
        "s_hvt|solo5-hvt test_net.hvt|$S5_HVT --mem=$GUEST_MIB --net:service0=tap100 -- $NET_HVT"
        "u_src|ukvm test_net.ukvm (from source)|$UKVM --mem=$GUEST_MIB --net:service0=tap100 $NET_UKVM"
    )
fi
servers+=(
    "ping|ukvm test_ping.ukvm|$UKVM --mem=$GUEST_MIB --net:service0=tap100 $PING_SERVER $GUEST_IP"
    "pcap|ukvm test_ping.ukvm --pcap|$UKVM --mem=$GUEST_MIB --net:service0=tap100 --pcap:service0=PCAP $PING_SERVER $GUEST_IP"
)

# start_guest NAME COMMAND: starts it and waits until the guest answers a ping.
start_guest() {
    local name=$1 cmd=$2 i
    local -a argv
    read -r -a argv <<<"${cmd//PCAP/$tmp/$name.pcap}"
    rm -f "$tmp/$name.pcap"
    # A new server has a MAC of its own: forget the last one's.
    ip neigh flush dev tap100
    "${argv[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
    server_pid=$!
    for ((i = SECONDS + 60; SECONDS < i; )); do
        ping -c 1 -W 1 -q "$GUEST_IP" >/dev/null 2>&1 && return
        kill -0 "$server_pid" 2>/dev/null ||
            die "'$cmd' ended before it answered a ping: $(tail -n 3 "$tmp/$name.err")"
        sleep 0.1 # ping fails at once while the tap has no carrier
    done
    die "'$cmd' did not answer a ping within 60 s: $(tail -n 3 "$tmp/$name.err")"
}

stop_guest() {
    kill -TERM "$server_pid" 2>/dev/null || true
    stop_server "$server_pid" # lib.bash: waits up to 5 s, then kills
    server_pid=""
}

# rtt NAME COUNT: COUNT pings 0.01 s apart; each reply's time (ms) appended to
# $tmp/NAME.rtt, the replies missing to $tmp/NAME.rttlost.
rtt() {
    local name=$1 count=$2 got
    timeout "$ping_timeout" ping -n -c "$count" -i 0.01 "$GUEST_IP" >"$tmp/ping.out" 2>&1 || true
    sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' "$tmp/ping.out" >>"$tmp/$name.rtt"
    got=$(grep -c ' time=' "$tmp/ping.out" || true)
    ((got > 0)) || die "no reply from $GUEST_IP in the round-trip run: $(tail -n 3 "$tmp/ping.out")"
    echo $((count - got)) >>"$tmp/$name.rttlost"
}

# flood NAME: ping -fq -c flood_n; the seconds ping reports appended to $tmp/NAME.flood,
# the replies missing to $tmp/NAME.floodlost.
flood() {
    local name=$1 line sent got ms
    timeout "$ping_timeout" ping -fq -c "$flood_n" "$GUEST_IP" >"$tmp/ping.out" 2>&1 || true
    line=$(grep -m 1 'packets transmitted' "$tmp/ping.out") ||
        die "flood ping printed no summary: $(tail -n 3 "$tmp/ping.out")"
    [[ $line =~ ^([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received.*\ time\ ([0-9]+)ms ]] ||
        die "cannot read ping's summary: $line"
    sent=${BASH_REMATCH[1]} got=${BASH_REMATCH[2]} ms=${BASH_REMATCH[3]}
    ((got > 0)) || die "no reply to the flood ping: $line"
    awk -v ms="$ms" 'BEGIN { printf "%.3f\n", ms / 1000 }' >>"$tmp/$name.flood"
    echo $((sent - got)) >>"$tmp/$name.floodlost"
}

sum() { awk '{ s += $1 } END { print s + 0 }' "$1"; }

# ---------------------------------------------------------------- runs

echo "-- net: ping from the host (10.0.0.1, tap100) to a guest serving $GUEST_IP, in a network" \
    "namespace of this script's own"
[[ -z $solo5_note ]] && echo "  Solo5 $s5_version: solo5-hvt and test_net.hvt built from $src ($tree)"
[[ -n $solo5_note ]] && echo "  $solo5_note"
echo "  $runs run(s) per server, servers in turn; per run: $((rtt_n / runs)) pings 0.01 s apart" \
    "(round trip), then ping -fq -c $flood_n (flood)"
for ((r = 1; r <= runs; r++)); do
    # The round trips split evenly; the first run takes what does not divide.
    n=$((rtt_n / runs))
    ((r == 1)) && n=$((n + rtt_n % runs))
    for s in "${servers[@]}"; do
        IFS='|' read -r name label cmd <<<"$s"
        t0=$EPOCHREALTIME
        start_guest "$name" "$cmd"
        rtt "$name" "$n"
        flood "$name"
        stop_guest
        if [[ $name == pcap ]]; then
            [[ -s $tmp/pcap.pcap ]] || die "--pcap:service0=FILE wrote no capture"
            stat -c %s "$tmp/pcap.pcap" >"$tmp/pcap.size"
        fi
        printf '  run %d/%d %-34s flood %8s s  (%s s in all)\n' "$r" "$runs" "$label" \
            "$(tail -n 1 "$tmp/$name.flood")" "$(calc "$EPOCHREALTIME - $t0")"
    done
done

# ---------------------------------------------------------------- results

declare -A med p99 fl pps lost
for s in "${servers[@]}"; do
    IFS='|' read -r name label cmd <<<"$s"
    med[$name]=$(percentile 50 "$tmp/$name.rtt")
    p99[$name]=$(percentile 99 "$tmp/$name.rtt")
    fl[$name]=$(sort -n "$tmp/$name.flood" | awk '{ v[NR] = $1 }
        END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    pps[$name]=$(awk -v n="$flood_n" -v t="${fl[$name]}" 'BEGIN { printf "%.0f", n / t }')
    lost[$name]="$(sum "$tmp/$name.rttlost")/$(sum "$tmp/$name.floodlost")"
done

table=()
hdr=$(printf '%-34s %11s %11s %12s %9s %10s' "" "rtt median" "rtt p99" "flood" "pings/s" "lost")
for s in "${servers[@]}"; do
    IFS='|' read -r name label cmd <<<"$s"
    table+=("$(printf '%-34s %8s ms %8s ms %10s s %9s %10s' "$label" "${med[$name]}" "${p99[$name]}" \
        "${fl[$name]}" "${pps[$name]}" "${lost[$name]}")")
done
if [[ -z $solo5_note ]]; then
    for u in u_hvt u_src; do
        label="ratio $([[ $u == u_hvt ]] && echo ukvm || echo "from source") / solo5-hvt"
        table+=("$(printf '%-34s %11s %11s %12s %9s' "$label" "$(ratio "${med[$u]}" "${med[s_hvt]}")" \
            "$(ratio "${p99[$u]}" "${p99[s_hvt]}")" "$(ratio "${fl[$u]}" "${fl[s_hvt]}")" \
            "$(ratio "${pps[$u]}" "${pps[s_hvt]}")")")
    done
fi
fps_off=$(awk -v n="$flood_n" -v t="${fl[ping]}" 'BEGIN { printf "%.0f", 2 * n / t }')
fps_on=$(awk -v n="$flood_n" -v t="${fl[pcap]}" 'BEGIN { printf "%.0f", 2 * n / t }')
pcap_cost=$(awk -v a="${fl[pcap]}" -v b="${fl[ping]}" 'BEGIN { printf "%+.1f", (a / b - 1) * 100 }')
pcap_mib=$(awk -v s="$(cat "$tmp/pcap.size")" 'BEGIN { printf "%.1f", s / 1048576 }')

echo "  round trips over $rtt_n pings per server; flood = ping -fq -c $flood_n, median of $runs" \
    "run(s); lost = replies missing, round trip/flood"
echo "  $hdr"
printf '  %s\n' "${table[@]}"
[[ -z $solo5_note ]] &&
    echo "  ratio: of times (lower is better for ukvm), of pings/s (higher is better)"
echo "-- net pcap: test_ping.ukvm, ping -fq -c $flood_n, --pcap:service0=FILE off and on"
pcap_rows=(
    "$(printf '%-34s %10s s %12s frames/s' "pcap off" "${fl[ping]}" "$fps_off")"
    "$(printf '%-34s %10s s %12s frames/s' "pcap on" "${fl[pcap]}" "$fps_on")"
    "pcap cost: $pcap_cost% time per frame (frames/s = 2 x pings / s; last capture $pcap_mib MiB)"
)
printf '  %s\n' "${pcap_rows[@]}"

# ---------------------------------------------------------------- summary lines

{
    if [[ -z $solo5_note ]]; then
        echo "net (Solo5 $s5_version; ratio = ukvm / solo5-hvt, same invocation; ping -fq -c $flood_n)"
    else
        echo "net (ping -fq -c $flood_n; $solo5_note)"
    fi
    echo "  $hdr"
    printf '  %s\n' "${table[@]}" "${pcap_rows[@]}"
} >"$tmp/summary"
if [[ -n $summary ]]; then
    cp "$tmp/summary" "$summary"
else
    echo
    echo "== net summary"
    cat "$tmp/summary"
fi
