#!/usr/bin/env bash
# The network quick start (README.md, docs/networking.md): the ping server example
# answering ping and arping over a tap device, run in a private network namespace that
# disappears with the script, so it changes nothing on the host. Needs root (or
# CAP_NET_ADMIN and access to /dev/kvm and /dev/net/tun) and a built tree (make).
#
#   tests/net/ping_demo.sh        (make ping-demo)
#
# Prints each command before its output, as a terminal would show it.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
if [ "${1:-}" != --inside ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "ping-demo: needs root for a network namespace and a tap device (try: sudo $0)" >&2
        exit 1
    fi
    [ -x "$BUILD/ukvm" ] && [ -f "$BUILD/test_ping.ukvm" ] || {
        echo "ping-demo: $BUILD/ukvm or $BUILD/test_ping.ukvm is missing: run make first" >&2
        exit 1
    }
    # A PID namespace too: whatever the demo started ends with it, even when interrupted.
    exec unshare -n -m -p -f --mount-proc --kill-child bash "$0" --inside
fi

show() { # show CMD...: print the command, then run it
    echo "\$ $*"
    "$@"
}

ip link set lo up
show ip tuntap add tap100 mode tap
show ip addr add 10.0.0.1/24 dev tap100
show ip link set tap100 up
echo "\$ $BUILD/ukvm --net:service0=tap100 --net-mac:service0=02:00:00:00:00:2a $BUILD/test_ping.ukvm count=3 10.0.0.2 &"
# The guest's output goes to a file, shown in order: its banner once it is up (a tap with
# no reader yet drops what the host sends), the rest once it has ended.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$BUILD/ukvm" --net:service0=tap100 --net-mac:service0=02:00:00:00:00:2a \
    "$BUILD/test_ping.ukvm" count=3 10.0.0.2 >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    [ -s "$log" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
head -n 1 "$log"
# Round-trip times vary from run to run: they are cut off the lines shown.
echo "\$ arping -c 1 -w 5 -I tap100 10.0.0.2"
arping -c 1 -w 5 -I tap100 10.0.0.2 | sed -n 's/ *time=.*//p'
echo "\$ ping -c 3 -i 0.2 10.0.0.2"
summary=$(ping -c 3 -i 0.2 10.0.0.2 | sed -n 's/, time .*//p')
status=0
wait $pid || status=$?
tail -n +2 "$log"
echo "$summary"
echo "\$ wait; echo \$?   # ukvm's status: the guest's exit status"
echo $status
