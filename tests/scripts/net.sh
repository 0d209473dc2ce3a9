#!/usr/bin/env bash
# Network devices end to end: test_ping (the ping server example) on tap interfaces,
# answering ping and arping; a 100,000-ping flood; --pcap read back by tcpdump; --net-mac;
# a 9000-byte MTU; --net:NAME=@FD from a descriptor opened in python3; the refusals (tap
# missing, down, busy, deleted under the guest, another user's, a descriptor with packet
# information) as one line and status 252; ukvm as an unprivileged user in the kvm group
# with a tap created for it; SIGINT and SIGTERM while the guest waits for frames; and
# test_net_hostile's bad calls on a real device.
#
# Every case runs in namespaces of its own (network, mount and PID: unshare -m -n -p
# --kill-child), made here, with its own taps: no frame leaves them and no host interface
# is touched. When a case ends, or its timeout kills it, the kernel ends every process in
# its PID namespace and deletes its network namespace with its taps.
#
# Needs root, /dev/net/tun, /dev/kvm, unshare, ip and ping, else one SKIP line; arping,
# tcpdump, python3 and setpriv (make deps) only for the checks that use them. Timeouts
# are generous bounds against hangs, never assertions: machines are shared and slow.
set -u
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
ping_kernel=$BUILD/test_ping.ukvm
hostile_kernel=$BUILD/test_net_hostile.ukvm
# The unprivileged cases' identities: bare numbers, so that no account is created on the
# host (setpriv, chgrp and ip tuntap take numeric ids): the user, its group, the group
# that owns the namespace's copy of /dev/kvm (as "kvm" does on Debian), another user.
test_uid=64999 test_gid=64999 test_kvm_gid=64998 other_uid=64997

have() { command -v "$1" >/dev/null; }

# ---------------------------------------------------------------- inside a namespace

# add_tap NAME [ip tuntap options]: a tap interface, up.
add_tap() {
    local name=$1
    shift
    ip tuntap add "$name" mode tap "$@" && ip link set "$name" up
}

# ns_setup: loopback up, no IPv6 (the taps carry only the test's own frames), and tap100
# with the host's side at 10.0.0.1/24; the guests answer for 10.0.0.2 (and 10.0.0.3).
ns_setup() {
    ip link set lo up || return 1
    local f
    for f in /proc/sys/net/ipv6/conf/{all,default}/disable_ipv6; do
        [ -w "$f" ] && echo 1 >"$f"
    done
    add_tap tap100 && ip addr add 10.0.0.1/24 dev tap100
}

tap_mac() { ip -o link show dev "$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
guest_mac() { sed -n 's/^ping server on .*, MAC \([0-9a-f:]*\),.*/\1/p' "$1"; }
# excerpt FILE: its first 600 bytes on one line, for a FAIL line.
excerpt() { head -c 600 "$1" | tr '\n' ' '; }

# start_guest NAME OUT ERR CMD...: runs CMD (ukvm with test_ping) in the background and
# waits, bounded, for the guest's banner. Sets guest_pid. Without a banner: a FAIL line for
# NAME, the guest killed, and status 1.
start_guest() {
    local name=$1 out=$2 err=$3 i
    shift 3
    : >"$out"
    "$@" >"$out" 2>"$err" </dev/null &
    guest_pid=$!
    for ((i = 0; i < 300; i++)); do
        grep -q '^ping server on' "$out" && return 0
        kill -0 $guest_pid 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^ping server on' "$out" && return 0
    kill -KILL $guest_pid 2>/dev/null
    wait $guest_pid 2>/dev/null
    fail "$name" "the guest never printed its banner; stdout: $(excerpt "$out"); stderr: $(excerpt "$err")"
    return 1
}

# end_guest NAME ERR STATUS: waits (up to 60 s) for guest_pid to end with STATUS, its stderr
# clean. Prints nothing and returns 0 when so; else a FAIL line for NAME and status 1.
end_guest() {
    local name=$1 err=$2 want=$3
    if ! wait_exit $guest_pid 60; then
        fail "$name" "the guest was still running 60 s later (killed)"
    elif [ "$status" != "$want" ]; then
        fail "$name" "ukvm's exit status $status, expected $want; stderr: $(excerpt "$err")"
    elif ! sanitizer_clean "$err"; then
        fail "$name" "sanitizer report: $(head -c 1200 "$err")"
    else
        return 0
    fi
    return 1
}

# stop_guest: ends a guest that serves forever (SIGTERM; SIGKILL if it lingers).
stop_guest() {
    kill -TERM $guest_pid 2>/dev/null
    wait_exit $guest_pid 30 || true
}

# pinged NAME COUNT ADDR [ping options]: ping COUNT echo requests to ADDR, all answered.
pinged() {
    local name=$1 n=$2 addr=$3 out
    shift 3
    out=$(ping -c "$n" -i 0.2 -w 30 "$@" "$addr" 2>&1)
    if grep -q "^$n packets transmitted, $n received" <<<"$out"; then
        return 0
    fi
    fail "$name" "ping $* $addr: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
    return 1
}

# arpinged NAME COUNT ADDR MAC: COUNT ARP replies for ADDR, each from MAC.
arpinged() {
    local name=$1 n=$2 addr=$3 mac=$4 out got
    out=$(arping -c "$n" -W 0.2 -w 20 -I tap100 "$addr" 2>&1)
    got=$(grep -c "bytes from $mac ($addr)" <<<"$out")
    [ "$got" = "$n" ] && return 0
    fail "$name" "$got of $n ARP replies for $addr came from $mac (the guest's banner): $(head -n 4 <<<"$out" | tr '\n' ' ')"
    return 1
}

# expect_error NAME STATUS NEEDLE CMD...: CMD (ukvm with test_ping, or python3 executing
# it) ends with STATUS and exactly one line on stderr, holding NEEDLE, and no sanitizer
# report. A guest that starts instead (its banner) is a FAIL at once, not a hang.
expect_error() {
    local name=$1 want=$2 needle=$3 pid i
    shift 3
    : >"$work/err.out"
    "$@" >"$work/err.out" 2>"$work/err.err" </dev/null &
    pid=$!
    for ((i = 0; i < 600; i++)); do
        kill -0 $pid 2>/dev/null || break
        grep -q '^ping server on' "$work/err.out" && break
        sleep 0.1
    done
    if kill -0 $pid 2>/dev/null; then
        kill -KILL $pid
        wait $pid 2>/dev/null
        if grep -q '^ping server on' "$work/err.out"; then
            fail "$name" "accepted: the guest started ($(excerpt "$work/err.out"))"
        else
            fail "$name" "still running 60 s later (killed); stderr: $(excerpt "$work/err.err")"
        fi
        return
    fi
    wait $pid
    status=$?
    if [ $status != "$want" ]; then
        fail "$name" "exit status $status, expected $want; stderr: $(excerpt "$work/err.err")"
    elif ! grep -qF -- "$needle" "$work/err.err"; then
        fail "$name" "stderr lacks '$needle': $(excerpt "$work/err.err")"
    elif [ "$(wc -l <"$work/err.err")" != 1 ]; then
        fail "$name" "stderr has $(wc -l <"$work/err.err") lines, expected one: $(head -c 1200 "$work/err.err")"
    else
        pass "$name"
    fi
}

# 1. The ping server: ping and arping answered, with the MAC the guest prints, for both
# addresses on its command line, and the guest ends by itself after count=N echo replies.
case_ping() {
    local m=$1 f mac
    f=$(flavour "$m")
    start_guest "$f/ping" "$work/out" "$work/err" \
        "$m" --net:service0=tap100 "$ping_kernel" count=6 10.0.0.2 10.0.0.3 || return
    mac=$(guest_mac "$work/out")
    if have arping; then
        arpinged "$f/arping-mac" 3 10.0.0.2 "$mac" && pass "$f/arping-mac"
    else
        echo "SKIP $f/arping-mac: arping is not installed (make deps installs it)"
    fi
    pinged "$f/ping" 3 10.0.0.2 && pass "$f/ping"
    # The second address (its ARP first: the sixth echo reply ends the guest).
    if ! have arping || arpinged "$f/two-addresses" 1 10.0.0.3 "$mac"; then
        pinged "$f/two-addresses" 3 10.0.0.3 && pass "$f/two-addresses"
    fi
    if end_guest "$f/count-exit" "$work/err" 0; then
        if grep -q '^ping server: 6 echo replies sent' "$work/out" && grep -q '^SUCCESS' "$work/out"; then
            pass "$f/count-exit"
        else
            fail "$f/count-exit" "stdout lacks '6 echo replies sent' and SUCCESS: $(excerpt "$work/out")"
        fi
    fi
}

# 2. A flood ping (as fast as the replies come) of N requests, all answered, and the
# guest's count=N ends it. The time taken is information, never a verdict.
case_flood() {
    local m=$1 n=$2 deadline=$3 f t0 t1 ms out name
    f=$(flavour "$m")
    name=$f/flood-$n
    start_guest "$name" "$work/out" "$work/err" \
        "$m" --net:service0=tap100 "$ping_kernel" count="$n" 10.0.0.2 || return
    t0=$(date +%s%N)
    out=$(ping -fq -c "$n" -w "$deadline" 10.0.0.2 2>&1)
    t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000))
    echo "# $name: $n echo requests answered in $((ms / 1000)).$((ms % 1000 / 100)) s"
    if ! grep -q "^$n packets transmitted, $n received, 0% packet loss" <<<"$out"; then
        fail "$name" "ping -f: $(grep -E 'transmitted|rtt' <<<"$out" | tr '\n' ' ')"
        stop_guest
    elif end_guest "$name" "$work/err" 0; then
        grep -q '^SUCCESS' "$work/out" && pass "$name" ||
            fail "$name" "no SUCCESS: $(excerpt "$work/out")"
    fi
}

# 3. --pcap: the capture holds the ARP exchange and the echo requests and replies, with
# their addresses, and frames from both sides.
case_pcap() {
    local m=$1 f mac tmac dump from_guest to_guest
    f=$(flavour "$m")
    if ! have tcpdump; then
        echo "SKIP $f/pcap: tcpdump is not installed (make deps installs it)"
        return
    fi
    start_guest "$f/pcap" "$work/out" "$work/err" "$m" --net:service0=tap100 \
        "--pcap:service0=$work/cap.pcap" "$ping_kernel" count=2 10.0.0.2 || return
    mac=$(guest_mac "$work/out")
    tmac=$(tap_mac tap100)
    pinged "$f/pcap" 2 10.0.0.2 || {
        stop_guest
        return
    }
    end_guest "$f/pcap" "$work/err" 0 || return
    if ! dump=$(tcpdump -nn -r "$work/cap.pcap" 2>"$work/tcpdump.err"); then
        fail "$f/pcap" "tcpdump -r failed: $(excerpt "$work/tcpdump.err")"
        return
    fi
    if grep -q 'ARP, Request who-has 10.0.0.2 tell 10.0.0.1' <<<"$dump" &&
        grep -q "ARP, Reply 10.0.0.2 is-at $mac" <<<"$dump"; then
        pass "$f/pcap-arp"
    else
        fail "$f/pcap-arp" "no ARP request for 10.0.0.2 and reply from $mac in: $(head -n 8 <<<"$dump")"
    fi
    if [ "$(grep -c 'IP 10.0.0.1 > 10.0.0.2: ICMP echo request' <<<"$dump")" = 2 ] &&
        [ "$(grep -c 'IP 10.0.0.2 > 10.0.0.1: ICMP echo reply' <<<"$dump")" = 2 ]; then
        pass "$f/pcap-icmp"
    else
        fail "$f/pcap-icmp" "expected 2 echo requests and 2 replies in: $(head -n 8 <<<"$dump")"
    fi
    # With -e each line starts with the source and destination MACs.
    dump=$(tcpdump -nn -e -r "$work/cap.pcap" 2>/dev/null)
    from_guest=$(grep -c " $mac > $tmac," <<<"$dump")
    to_guest=$(grep -cE " $tmac > ($mac|ff:ff:ff:ff:ff:ff)," <<<"$dump")
    if [ "$from_guest" -ge 3 ] && [ "$to_guest" -ge 3 ]; then
        pass "$f/pcap-both-directions"
    else
        fail "$f/pcap-both-directions" "$from_guest frames $mac > $tmac and $to_guest the other way, expected 3 each: $(head -n 8 <<<"$dump")"
    fi
}

# 4. --net-mac: the guest prints the address and answers ARP with it. A tap with MTU 9000:
# the guest prints it and answers a ping of 9000-byte packets (DF set: not fragmented).
case_mac_mtu() {
    local m=$1 f mac=02:00:00:00:00:2a
    f=$(flavour "$m")
    start_guest "$f/net-mac" "$work/out" "$work/err" "$m" --net:service0=tap100 \
        "--net-mac:service0=$mac" "$ping_kernel" count=1 10.0.0.2 || return
    if [ "$(guest_mac "$work/out")" != $mac ]; then
        fail "$f/net-mac" "the guest's banner: $(cat "$work/out")"
        stop_guest
    elif have arping && ! arpinged "$f/net-mac" 1 10.0.0.2 $mac; then
        stop_guest
    elif pinged "$f/net-mac" 1 10.0.0.2 && end_guest "$f/net-mac" "$work/err" 0; then
        pass "$f/net-mac"
    else
        stop_guest
    fi
    # The next guest has another MAC: the host forgets the old one.
    ip neigh flush dev tap100
    ip link set tap100 mtu 9000
    start_guest "$f/mtu-9000" "$work/out" "$work/err" \
        "$m" --net:service0=tap100 "$ping_kernel" count=1 10.0.0.2 || return
    if ! grep -q '^ping server on service0, MAC .*, MTU 9000, answering 10.0.0.2$' "$work/out"; then
        fail "$f/mtu-9000" "the guest's banner: $(cat "$work/out")"
        stop_guest
    elif pinged "$f/mtu-9000" 1 10.0.0.2 -s 8972 -M "do" && end_guest "$f/mtu-9000" "$work/err" 0; then
        pass "$f/mtu-9000"
    else
        stop_guest
    fi
}

# Opens /dev/net/tun, attaches it to tap100 with the flags in argv[1] and executes argv[2:]
# with the descriptor inherited, "@FD" in an argument replaced by @ and its number.
tap_fd_py='
import fcntl, os, struct, sys
TUNSETIFF = 0x400454CA
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", b"tap100", int(sys.argv[1], 0)))
os.set_inheritable(fd, True)
argv = [a.replace("@FD", "@%d" % fd) for a in sys.argv[2:]]
os.execv(argv[0], argv)
'
IFF_TAP=0x0002 IFF_NO_PI=0x1000 IFF_VNET_HDR=0x4000

# 5. --net:NAME=@FD: a descriptor attached by the caller (IFF_TAP | IFF_NO_PI) serves as well
# as an interface name; one with packet information or virtio headers is refused.
case_fd() {
    local m=$1 f
    f=$(flavour "$m")
    if ! have python3; then
        echo "SKIP $f/fd: python3 is not installed (make deps installs it)"
        return
    fi
    if start_guest "$f/fd-tap" "$work/out" "$work/err" python3 -c "$tap_fd_py" \
        $((IFF_TAP | IFF_NO_PI)) "$m" --net:service0=@FD "$ping_kernel" count=2 10.0.0.2; then
        if pinged "$f/fd-tap" 2 10.0.0.2 && end_guest "$f/fd-tap" "$work/err" 0; then
            pass "$f/fd-tap"
        else
            stop_guest
        fi
    fi
    expect_error "$f/fd-without-no-pi" 252 "must be a tap opened with IFF_TAP | IFF_NO_PI" \
        python3 -c "$tap_fd_py" $((IFF_TAP)) "$m" --net:service0=@FD "$ping_kernel" 10.0.0.2
    expect_error "$f/fd-with-vnet-hdr" 252 "and no IFF_VNET_HDR" python3 -c "$tap_fd_py" \
        $((IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)) "$m" --net:service0=@FD "$ping_kernel" 10.0.0.2
}

# 6. Unusable taps: one line and status 252, before the guest runs or, for a tap deleted
# under a waiting guest, as soon as the host reports it.
case_errors() {
    local m=$1 f
    f=$(flavour "$m")
    expect_error "$f/tap-missing" 252 'network device "service0": there is no interface tap109' \
        "$m" --net:service0=tap109 "$ping_kernel" 10.0.0.2
    ip tuntap add tap102 mode tap
    expect_error "$f/tap-down" 252 "interface tap102 is down (bring it up: ip link set tap102 up)" \
        "$m" --net:service0=tap102 "$ping_kernel" 10.0.0.2
    if start_guest "$f/tap-busy" "$work/out" "$work/err" \
        "$m" --net:service0=tap100 "$ping_kernel" 10.0.0.2; then
        expect_error "$f/tap-busy" 252 "tap tap100 is in use by another process" \
            "$m" --net:service0=tap100 "$ping_kernel" 10.0.0.2
        stop_guest
    fi
    start_guest "$f/tap-deleted" "$work/out" "$work/err" \
        "$m" --net:service0=tap100 "$ping_kernel" 10.0.0.2 || return
    pinged "$f/tap-deleted" 1 10.0.0.2 # the guest is in its serving loop
    ip link del tap100
    if end_guest "$f/tap-deleted" "$work/err" 252; then
        if ! grep -q 'was the interface deleted?' "$work/err"; then
            fail "$f/tap-deleted" "stderr lacks 'was the interface deleted?': $(excerpt "$work/err")"
        elif [ "$(wc -l <"$work/err")" != 1 ]; then
            fail "$f/tap-deleted" "stderr has $(wc -l <"$work/err") lines, expected one: $(head -c 1200 "$work/err")"
        else
            pass "$f/tap-deleted"
        fi
    fi
}

# mknod_like NODE DEVICE MODE [GROUP]: NODE, a device node with DEVICE's numbers.
mknod_like() {
    local t
    read -r -a t < <(stat -c '%t %T' "$2")
    mknod -m "$3" "$1" c $((16#${t[0]})) $((16#${t[1]})) && { [ -z "${4:-}" ] || chgrp "$4" "$1"; }
}

# 7. ukvm as an unprivileged user, the setup the documentation gives: /dev/kvm for group
# kvm, /dev/net/tun for everyone (most distributions' default), and a tap created for the
# user (ip tuntap add ... user NAME). The host's own nodes are 0600 and stay so: this
# namespace gets copies of them on a tmpfs, bind-mounted over /dev/kvm and /dev/net/tun.
case_unpriv() {
    local m=$1 f d=$work/dev uid=$test_uid gid=$test_gid kvmgid=$test_kvm_gid
    f=$(flavour "$m")
    chmod 0711 "$NET_TMP" "$work"
    mkdir "$d"
    if ! mount -t tmpfs -o mode=0755 ukvm-net-test "$d" ||
        ! mknod_like "$d/kvm" /dev/kvm 0660 "$kvmgid" || ! mknod_like "$d/tun" /dev/net/tun 0666 ||
        ! mknod_like "$d/tun-root" /dev/net/tun 0600 ||
        ! mount --bind "$d/kvm" /dev/kvm || ! mount --bind "$d/tun" /dev/net/tun; then
        fail "$f/unpriv" "could not make the device nodes in the namespace"
        return
    fi
    # The monitor and guest are copied where the user can surely read them: the checkout
    # may lie below a folder only its owner can enter.
    cp "$m" "$d/ukvm" && cp "$ping_kernel" "$d/test_ping.ukvm" && chmod 0755 "$d/ukvm"
    local as_user=(setpriv --reuid="$uid" --regid="$gid" --groups="$kvmgid" --)
    ip tuntap del tap100 mode tap
    add_tap tap100 user "$uid" && ip addr add 10.0.0.1/24 dev tap100
    if start_guest "$f/unpriv-ping" "$work/out" "$work/err" \
        "${as_user[@]}" "$d/ukvm" --net:service0=tap100 "$d/test_ping.ukvm" count=2 10.0.0.2; then
        if pinged "$f/unpriv-ping" 2 10.0.0.2 && end_guest "$f/unpriv-ping" "$work/err" 0; then
            pass "$f/unpriv-ping"
        else
            stop_guest
        fi
    fi
    # A tap created for another user or owned by root refuses this one. (A tap
    # created with no user at all is open to anyone who may open /dev/net/tun: the kernel's
    # rule, so the root-owned one needs "user root".)
    add_tap tap101 user "$other_uid"
    expect_error "$f/tap-other-user" 252 "this user may not attach to tap tap101" \
        "${as_user[@]}" "$d/ukvm" --net:service0=tap101 "$d/test_ping.ukvm" 10.0.0.2
    add_tap tap102 user root
    expect_error "$f/unpriv-tap-owned-by-root" 252 "this user may not attach to tap tap102" \
        "${as_user[@]}" "$d/ukvm" --net:service0=tap102 "$d/test_ping.ukvm" 10.0.0.2
    # Outside the kvm group: no /dev/kvm (250). Without access to /dev/net/tun: 252.
    expect_error "$f/unpriv-no-kvm-group" 250 "cannot open /dev/kvm: Permission denied" \
        setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
        "$d/ukvm" --net:service0=tap100 "$d/test_ping.ukvm" 10.0.0.2
    mount --bind "$d/tun-root" /dev/net/tun
    expect_error "$f/unpriv-no-tun" 252 "cannot open /dev/net/tun: Permission denied" \
        "${as_user[@]}" "$d/ukvm" --net:service0=tap100 "$d/test_ping.ukvm" 10.0.0.2
}

# 7b. The link goes down and up while the guest serves: replies it sends while the tap is
# down are dropped (the tap's EIO is transient, Solo5's rule), and it serves on afterwards.
# Frames on a device the guest never acquired do not end its waits: it sleeps on, it does
# not spin (a spin would make tens of thousands of exits; an idle second makes a few).
case_link_events() {
    local m=$1 f n
    f=$(flavour "$m")
    add_tap tap101 || return
    start_guest "$f/link-down-up" "$work/out" "$work/err" \
        "$m" --stats --net:service0=tap100 --net:spare=tap101 "$ping_kernel" 10.0.0.2 || return
    pinged "$f/link-down-up" 1 10.0.0.2 || { stop_guest; return; }
    # Frames wait in the tap while the guest is stopped; its replies go out into a down link.
    kill -STOP $guest_pid
    ping -c 2 -i 0.2 -W 1 10.0.0.2 >/dev/null 2>&1
    ip link set tap100 down
    kill -CONT $guest_pid
    sleep 1
    ip link set tap100 up
    ip addr replace 10.0.0.1/24 dev tap100
    if kill -0 $guest_pid 2>/dev/null && pinged "$f/link-down-up" 3 10.0.0.2; then
        pass "$f/link-down-up"
    fi
    # 2 s of broadcasts on the device the guest never acquired.
    ip addr add 10.1.0.1/24 dev tap101
    ping -b -c 20 -i 0.1 -W 1 10.1.0.255 >/dev/null 2>&1
    kill -TERM $guest_pid
    wait_exit $guest_pid 30 || true
    n=$(sed -n 's/.* exits=\([0-9]*\).*/\1/p' "$work/err")
    if grep -q 'a write on tap' "$work/err"; then
        fail "$f/link-down-up" "a write to a down tap ended the guest: $(excerpt "$work/err")"
    elif [ -n "$n" ] && [ "$n" -lt 2000 ]; then
        pass "$f/unacquired-device-does-not-wake"
    else
        fail "$f/unacquired-device-does-not-wake" "${n:-no} exits (a spin?): $(excerpt "$work/err")"
    fi
}

# 7c. While the guest is stopped (here by SIGSTOP; a debugger's stop is the same for the
# tap: nobody reads it), frames wait in the tap's queue up to its length (txqueuelen, 50
# here); the host drops the rest and counts them as TX drops; the guest gets the queued
# ones when it runs again (docs/networking.md, Stops and traffic).
tx_stat() { # tx_stat FIELD: packets or dropped of tap100's TX counters
    ip -s link show tap100 | awk -v f="$1" '/TX:/ {getline; print (f == "packets" ? $2 : $4); exit}'
}
case_queue_limit() {
    local m=$1 f before_pk before_drop after_pk after_drop
    f=$(flavour "$m")
    ip link set tap100 txqueuelen 50
    start_guest "$f/queue-limit" "$work/out" "$work/err" \
        "$m" --net:service0=tap100 "$ping_kernel" 10.0.0.2 || return
    pinged "$f/queue-limit" 1 10.0.0.2 || { stop_guest; return; }
    kill -STOP $guest_pid
    before_pk=$(tx_stat packets) before_drop=$(tx_stat dropped)
    ping -f -c 200 -w 3 10.0.0.2 >/dev/null 2>&1
    after_drop=$(tx_stat dropped)
    kill -CONT $guest_pid
    # Once it answers again it has read the queue (the first reply may drown in the
    # backlog's replies: any one answer will do).
    ping -c 5 -i 0.2 -w 10 10.0.0.2 >/dev/null 2>&1
    after_pk=$(tx_stat packets)
    stop_guest
    # The guest took at most the queue's 50 (plus the last pings and an ARP); the host
    # dropped most of the other 150.
    if [ $((after_drop - before_drop)) -ge 100 ] && [ $((after_pk - before_pk)) -le 62 ] &&
        [ $((after_pk - before_pk)) -ge 40 ]; then
        pass "$f/queue-limit"
    else
        fail "$f/queue-limit" "TX packets +$((after_pk - before_pk)), dropped +$((after_drop - before_drop)) (expected about 50 and 150)"
    fi
}

# 8. SIGINT and SIGTERM while the guest sleeps in solo5_yield() waiting for frames.
case_signals() {
    local m=$1 f sig want name
    f=$(flavour "$m")
    for sig in INT:130 TERM:143; do
        want=${sig#*:} sig=${sig%:*}
        name=$f/sig${sig,,}-while-waiting
        start_guest "$name" "$work/out" "$work/err" \
            "$m" --net:service0=tap100 "$ping_kernel" 10.0.0.2 || continue
        pinged "$name" 1 10.0.0.2 # served one: it waits in its loop now
        kill -"$sig" $guest_pid
        if end_guest "$name" "$work/err" "$want"; then
            grep -q "^ukvm: guest ended by" "$work/err" && pass "$name" ||
                fail "$name" "no 'ukvm: guest ended by' line: $(excerpt "$work/err")"
        fi
    done
}

# 9. test_net_hostile's variants that need a device, on tap100 (the others: .spec files).
case_hostile() {
    local m=$1 f v
    f=$(flavour "$m")
    for v in write_long write_short read_small acquire_twice bad_handle raw_write_long \
        raw_write_short raw_read_small raw_bad_handle; do
        timeout -s KILL 60 "$m" --net:service0=tap100 "$hostile_kernel" $v \
            >"$work/out" 2>"$work/err" </dev/null
        status=$?
        if [ $status != 0 ] || ! grep -q '^OK: ' "$work/out" || grep -q FAIL "$work/out" ||
            [ -s "$work/err" ]; then
            fail "$f/hostile-$v" "status $status; stdout: $(excerpt "$work/out"); stderr: $(excerpt "$work/err")"
        else
            pass "$f/hostile-$v"
        fi
    done
    for v in raw_write_oob:NET_WRITE raw_read_oob:NET_READ; do
        timeout -s KILL 60 "$m" --net:service0=tap100 "$hostile_kernel" ${v%:*} \
            >"$work/out" 2>"$work/err" </dev/null
        status=$?
        if [ $status != 255 ] || grep -q FAIL "$work/out" ||
            ! grep -q "^ukvm: guest error: hypercall ${v#*:}: buffer 0x.* is outside guest memory" "$work/err" ||
            ! sanitizer_clean "$work/err"; then
            fail "$f/hostile-${v%:*}" "status $status; stdout: $(excerpt "$work/out"); stderr: $(excerpt "$work/err")"
        else
            pass "$f/hostile-${v%:*}"
        fi
    done
}

# The script runs itself in each namespace: net.sh --in-namespace CASE MONITOR [ARGS].
if [ "${1:-}" = --in-namespace ]; then
    shift
    work=$(mktemp -d "$NET_TMP/ns.XXXXXX")
    if ! ns_setup >"$work/setup.log" 2>&1; then
        fail "$(flavour "$2")/$1" "the namespace's setup failed: $(cat "$work/setup.log")"
        exit 0
    fi
    "$@"
    exit 0
fi

# ---------------------------------------------------------------- the host side

skip_all() {
    echo "SKIP net: $1"
    exit 0
}
[ "$(id -u)" = 0 ] || skip_all "not root (the tests make network namespaces and taps)"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
[ -w /dev/kvm ] || skip_all "/dev/kvm is missing or not writable here"
for c in unshare ip ping; do
    have $c || skip_all "$c is not installed (make deps installs it)"
done
if ! out=$(unshare -m -n -p -f --mount-proc --kill-child true 2>&1); then
    skip_all "cannot make namespaces here (unshare -m -n -p: $out)"
fi

NET_TMP=$(mktemp -d)
ns_pid=
# Killing the namespace's first process (unshare, which ignores SIGTERM) ends everything in
# it (--kill-child), also when this script is interrupted.
trap 'if [ -n "$ns_pid" ]; then kill -KILL "$ns_pid" 2>/dev/null; fi; rm -rf "$NET_TMP"' EXIT

# in_namespace LIMIT CASE MONITOR [ARGS]: CASE in fresh namespaces, killed (and with it
# everything it started) after LIMIT seconds.
in_namespace() {
    local limit=$1
    shift
    unshare -m -n -p -f --mount-proc --kill-child \
        env BUILD="$BUILD" NET_TMP="$NET_TMP" bash "$self" --in-namespace "$@" </dev/null &
    ns_pid=$!
    if ! wait_exit "$ns_pid" "$limit"; then
        fail "$(flavour "$2")/$1" "hung: killed after ${limit}s"
    elif [ "$status" != 0 ]; then
        fail "$(flavour "$2")/$1" "the namespace ended with status $status"
    fi
    ns_pid=
}

unpriv_skip=
if ! have setpriv; then
    unpriv_skip="setpriv is not installed"
fi

for m in "${MONITORS[@]}"; do
    in_namespace 120 case_ping "$m"
    in_namespace 120 case_pcap "$m"
    in_namespace 120 case_mac_mtu "$m"
    in_namespace 120 case_fd "$m"
    in_namespace 120 case_errors "$m"
    if [ -z "$unpriv_skip" ]; then
        in_namespace 120 case_unpriv "$m"
    else
        echo "SKIP $(flavour "$m")/unpriv: $unpriv_skip"
    fi
    in_namespace 120 case_link_events "$m"
    in_namespace 120 case_queue_limit "$m"
    in_namespace 120 case_signals "$m"
    in_namespace 120 case_hostile "$m"
done
# 100,000 pings take about 35 s on a KVM that emulates the guest; ASan slows the monitor
# down: 5,000 there. NET_FLOOD_N sets the first (make test-nested: its whole machine is
# emulated).
in_namespace 300 case_flood "$BUILD/ukvm" "${NET_FLOOD_N:-100000}" 240
in_namespace 120 case_flood "$BUILD/asan/ukvm" 5000 100
