#!/usr/bin/env bash
# The hvt ABI's network calls end to end, without a Solo5 tree: build/hvt_net.hvt (a ping
# server of ukvm's own on Solo5's hvt ABI, tests/hvt/hvt_net/) answers ping in a network
# namespace of this script's own (tap100 at 10.0.0.1/24; nothing leaves it):
#   checks   the calls' rules (EINVAL for a bad handle or length), then ping -c 5
#   flood    ping -f -c 2000, every one answered, the guest exits 0
#   mtu      a tap with MTU 9000: the manifest entry carries it
#   shell    a breakpoint in the answer path while ping runs, and `net`, in --shell
# with build/ukvm and build/asan/ukvm (no sanitizer report allowed).
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
for tool in unshare ip ping; do
    if ! command -v $tool >/dev/null; then
        echo "SKIP hvt-net: $tool is not installed (make deps installs it)"
        exit 0
    fi
done
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || [ ! -w /dev/kvm ]; then
    echo "SKIP hvt-net: needs root, /dev/net/tun and /dev/kvm (for a network namespace and a tap)"
    exit 0
fi
if [ "${1:-}" != --inside ]; then
    # PID and mount namespaces as well: when the timeout kills it, everything started inside
    # ends (and /proc shows the namespace's own processes, as LeakSanitizer needs).
    exec timeout -s KILL 300 unshare -n -m -p -f --mount-proc --kill-child bash "$0" --inside
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
guest=$BUILD/hvt_net.hvt
ip link set lo up
ip tuntap add tap100 mode tap
# No IPv6 on the host's side: the frames the guest sees are the test's own ARP and ICMP.
sysctl -qw net.ipv6.conf.tap100.disable_ipv6=1 2>/dev/null
ip addr add 10.0.0.1/24 dev tap100
ip link set tap100 up

# run_with_ping NAME MONITOR PING_ARGS -- UKVM_ARGS...: ukvm in the background, ping after
# it; PASS when both end well (ping: as many replies as PING_ARGS' -c asks; ukvm: status 0
# and SUCCESS). ping runs with a deadline, so that it sends again when a request is lost
# before it reaches the guest (seen once in many 2,000-ping floods here: ping counted
# 1,999 replies and the guest had seen 1,999 requests); the guest answers exactly the
# count it waits for, and a lost reply still fails the check.
run_with_ping() {
    local name=$1 m=$2 ping_args=$3 pid status
    shift 4
    "$m" --net:service0=tap100 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null &
    pid=$!
    # Ping once the guest runs (its first line): before that the tap has no reader, and
    # the host drops what it sends there.
    for _ in $(seq 1 300); do
        grep -q '^hvt_net: service0' "$tmp/out" 2>/dev/null && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    # shellcheck disable=SC2086
    ping $ping_args -w 60 10.0.0.2 >"$tmp/ping" 2>&1
    wait_exit $pid 60 || { kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; status=timeout; }
    local want
    want=$(sed -n 's/.*-c \([0-9]*\).*/\1/p' <<<"$ping_args")
    # Said when it happens: how often requests are lost is worth knowing.
    grep -q "^$want packets transmitted" "$tmp/ping" ||
        echo "# $name: $(grep transmitted "$tmp/ping")"
    if [ "$status" = 0 ] && grep -q '^SUCCESS' "$tmp/out" && grep -q " $want received" "$tmp/ping"; then
        pass "$name"
    else
        fail "$name" "ukvm status $status; $(tail -n 3 "$tmp/out") $(tail -c 400 "$tmp/err"); ping: $(tail -n 2 "$tmp/ping")"
    fi
    sanitizer_clean "$tmp/err" || fail "$name-sanitizer" "$(head -c 1500 "$tmp/err")"
}

for m in "$BUILD/ukvm" "$BUILD/asan/ukvm"; do
    f=$(flavour "$m")
    run_with_ping "$f/checks-and-ping" "$m" "-c 5 -i 0.2" -- "$guest" checks count=5
    if grep -q '^checks: ok' "$tmp/out"; then
        pass "$f/calls-rules"
    else
        fail "$f/calls-rules" "$(cat "$tmp/out")"
    fi
    run_with_ping "$f/flood-2000" "$m" "-f -q -c 2000" -- "$guest" count=2000
done

ip link set tap100 mtu 9000
run_with_ping plain/mtu-9000 "$BUILD/ukvm" "-c 2 -i 0.2 -s 8000" -- "$guest" count=2
if grep -q 'MTU 9000' "$tmp/out"; then pass plain/mtu-9000-in-manifest; else fail plain/mtu-9000-in-manifest "$(cat "$tmp/out")"; fi
ip link set tap100 mtu 1500

# The debugger on an hvt guest while frames flow.
(
    for _ in $(seq 1 300); do # once the guest runs: its first line
        grep -q '^hvt_net: service0' "$tmp/shell" 2>/dev/null && break
        sleep 0.1
    done
    ping -c 2 -i 0.5 10.0.0.2 >"$tmp/ping" 2>&1
) &
# A software breakpoint, but where KVM does not intercept int3 (ukvm --probe) a Solo5
# kernel's own handler takes it (docs/portability.md): a hardware one there.
bp=break
[ "${KVM_INT3:-}" = guest-idt ] && [ "${UKVM_GUEST_MODE:-}" != user ] && bp=hbreak
printf '%s answer\ncontinue\nnet service0 2\ndelete 1\ncontinue\n' "$bp" |
    timeout -s KILL 60 "$BUILD/ukvm" --shell --net:service0=tap100 "$guest" count=2 >"$tmp/shell" 2>&1
status=$?
wait
if [ $status = 0 ] && grep -qE '^(hardware )?breakpoint 1, .* in answer' "$tmp/shell" &&
    grep -q 'service0: tap tap100' "$tmp/shell" && grep -q 'ARP who-has 10.0.0.2 tell 10.0.0.1' "$tmp/shell" &&
    grep -q ' 2 received' "$tmp/ping"; then
    pass shell-break-and-net-on-hvt
else
    fail shell-break-and-net-on-hvt "status $status: $(cat "$tmp/shell") / $(tail -n 2 "$tmp/ping")"
fi
