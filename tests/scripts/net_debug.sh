#!/usr/bin/env bash
# Debugging a guest while network traffic flows, in a network namespace of the script's
# own (tap100 at 10.0.0.1/24; nothing leaves the namespace):
#   gdb      tests/gdb/net_traffic.py against test_ping while ping runs: a breakpoint in
#            the packet path, stepping, `monitor net`, a watchpoint, Ctrl-C, and a long stop
#            whose frames wait in the tap and are answered late, none lost (build/ukvm and
#            build/asan/ukvm)
#   session  a shell session as docs/networking.md shows it: compared with
#            docs/sessions/net-shell.txt (normalised: clock times, ping ids and the MAC of
#            the host's side vary), and that file with the block in docs/networking.md.
#            UKVM_UPDATE_SESSIONS=1 rewrites the transcript and the block from this run.
#   capture  `tcpdump -r` of a real capture, as docs/networking.md shows it
#   demo     tests/net/ping_demo.sh (make ping-demo) prints what README.md and
#            docs/networking.md show after "<!-- root-sample: tests/net/ping_demo.sh -->"
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
for tool in unshare ip ping gdb; do
    if ! command -v $tool >/dev/null; then
        echo "SKIP net-debug: $tool is not installed (make deps installs it)"
        exit 0
    fi
done
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || [ ! -w /dev/kvm ]; then
    echo "SKIP net-debug: needs root, /dev/net/tun and /dev/kvm (for a network namespace and a tap)"
    exit 0
fi

if [ "${1:-}" != --inside ]; then
    # The quick start's output, as README.md and docs/networking.md show it after a line
    # "<!-- root-sample: tests/net/ping_demo.sh -->" (it runs in a namespace of its own).
    timeout -s KILL 120 tests/net/ping_demo.sh >"${TMPDIR:-/tmp}/ukvm-ping-demo.$$" 2>&1
    for doc in README.md docs/networking.md; do
        if python3 - "$doc" "${TMPDIR:-/tmp}/ukvm-ping-demo.$$" <<'PY'; then
import sys
doc = open(sys.argv[1]).read()
out = open(sys.argv[2]).read()
mark = '<!-- root-sample: tests/net/ping_demo.sh -->\n```\n'
i = doc.find(mark)
sys.exit(0 if i >= 0 and doc[i + len(mark):].startswith(out + '```\n') else 1)
PY
            pass "$doc-shows-ping-demo-output"
        else
            fail "$doc-shows-ping-demo-output" "the block after '<!-- root-sample: tests/net/ping_demo.sh -->' is not what tests/net/ping_demo.sh prints:
$(cat "${TMPDIR:-/tmp}/ukvm-ping-demo.$$")"
        fi
    done
    rm -f "${TMPDIR:-/tmp}/ukvm-ping-demo.$$"
    # PID and mount namespaces as well: when the timeout kills it, everything started inside
    # ends (and /proc shows the namespace's own processes, as LeakSanitizer needs).
    exec timeout -s KILL 600 unshare -n -m -p -f --mount-proc --kill-child bash "$0" --inside
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ip link set lo up
# The host's side gets a fixed MAC and no IPv6, so that the frames the guest sees are the
# test's own ARP and ICMP, in the same order every run.
ip tuntap add tap100 mode tap
sysctl -qw net.ipv6.conf.tap100.disable_ipv6=1 2>/dev/null
ip link set tap100 address 02:00:00:00:00:01
ip addr add 10.0.0.1/24 dev tap100
ip link set tap100 up

# ---------------------------------------------------------------- gdb while frames flow
for m in "$BUILD/ukvm" "$BUILD/asan/ukvm"; do
    f=$(flavour "$m")
    "$m" --gdb=127.0.0.1:0 --net:service0=tap100 "$BUILD/test_ping.ukvm" 10.0.0.2 \
        >"$tmp/stdout" 2>"$tmp/stderr" </dev/null &
    pid=$!
    port=$(gdb_port_of "$tmp/stderr" $pid)
    if [ -z "$port" ]; then
        fail "$f/gdb-listening" "$(head -c 600 "$tmp/stderr")"
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        continue
    fi
    ping -c 60 -i 0.2 -W 10 10.0.0.2 >"$tmp/ping" 2>&1 &
    ping_pid=$!
    out=$(UKVM_GDB_PORT=$port timeout -s KILL 300 gdb -nx -batch \
        -ex "python import sys; sys.path.insert(0, 'tests/gdb')" \
        -x tests/gdb/net_traffic.py "$BUILD/test_ping.ukvm" </dev/null 2>&1)
    grep -E '^(PASS|FAIL) ' <<<"$out" | sed -E "s#^(PASS|FAIL) #\1 $f/#"
    grep -qE '^(PASS|FAIL) ' <<<"$out" || fail "$f/gdb" "gdb printed no result: $(tail -n 15 <<<"$out")"
    wait $ping_pid
    if grep -q ' 60 received, 0% packet loss' "$tmp/ping"; then
        pass "$f/frames-wait-in-the-tap-while-stopped"
    else
        fail "$f/frames-wait-in-the-tap-while-stopped" "$(tail -n 3 "$tmp/ping")"
    fi
    kill -TERM $pid 2>/dev/null
    wait $pid 2>/dev/null
    if sanitizer_clean "$tmp/stderr"; then
        pass "$f/no-sanitizer-report"
    else
        fail "$f/no-sanitizer-report" "$(head -c 2000 "$tmp/stderr")"
    fi
done

# ---------------------------------------------------------------- the documented session
committed=docs/sessions/net-shell.txt
cmds='break answer_echo\ncontinue\nnet service0 4\nbt 2\ndelete 1\ncontinue\n'
shown="build/ukvm --shell --net:service0=tap100 --net-mac:service0=02:00:00:00:00:2a build/test_ping.ukvm count=2 10.0.0.2"
# ping once the guest runs (its banner): a tap with no reader drops what the host sends.
(
    for _ in $(seq 1 300); do
        grep -q '^ping server on' "$tmp/session" 2>/dev/null && break
        sleep 0.1
    done
    ping -c 2 -i 0.5 10.0.0.2 >"$tmp/session-ping" 2>&1
) &
{
    echo "\$ printf '$cmds' | $shown"
    # shellcheck disable=SC2059
    printf "$cmds" | timeout -s KILL 60 "$BUILD/ukvm" --shell --net:service0=tap100 \
        --net-mac:service0=02:00:00:00:00:2a "$BUILD/test_ping.ukvm" count=2 10.0.0.2 2>&1
    echo "\$ echo \$?"
    echo $?
} >"$tmp/session"
wait

# Clock times, ping's identifier and sequence-independent volatile numbers vary by run.
normalise() {
    sed -E -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}/HH:MM:SS.USEC/g' -e 's/ id [0-9]+/ id ID/g' \
        -e 's/[[:space:]]+$//'
}
if [ "${UKVM_UPDATE_SESSIONS:-0}" = 1 ]; then
    cp "$tmp/session" "$committed"
    python3 - "$committed" <<'PY'
import re, sys
path = sys.argv[1]
doc = open('docs/networking.md').read()
body = open(path).read()
mark = '<!-- session: %s -->\n' % path
start = doc.index(mark) + len(mark)
end = doc.index('```\n', doc.index('```', start) + 3) + 4
doc = doc[:start] + '```\n' + body + '```\n' + doc[end:]
open('docs/networking.md', 'w').write(doc)
PY
    echo "SKIP session: UKVM_UPDATE_SESSIONS=1 rewrote $committed and its block in docs/networking.md"
elif diff <(normalise <"$committed") <(normalise <"$tmp/session") >"$tmp/diff"; then
    pass "session-matches-$committed"
else
    fail "session-matches-$committed" "the session's output changed (< committed, > this run):
$(head -n 30 "$tmp/diff")"
fi
if python3 - "$committed" <<'PY'; then
import sys
path = sys.argv[1]
doc = open('docs/networking.md').read()
mark = '<!-- session: %s -->\n```\n' % path
i = doc.find(mark)
sys.exit(0 if i >= 0 and doc[i + len(mark):].startswith(open(path).read() + '```\n') else 1)
PY
    pass "docs/networking.md-shows-$committed"
else
    fail "docs/networking.md-shows-$committed" "the block after '<!-- session: $committed -->' differs from the file"
fi
if grep -q ' 2 received' "$tmp/session-ping"; then
    pass "session-ping-answered"
else
    fail "session-ping-answered" "$(cat "$tmp/session-ping")"
fi

# ---------------------------------------------------------------- the documented capture
# docs/networking.md shows `tcpdump -nn -r s0.pcap` after "<!-- pcap-sample -->": the
# capture of one ping, made here the same way (normalised as the session is).
if command -v tcpdump >/dev/null; then
    (
        cd "$tmp" || exit 1
        "$OLDPWD/$BUILD/ukvm" --net:service0=tap100 --net-mac:service0=02:00:00:00:00:2a \
            --pcap:service0=s0.pcap "$OLDPWD/$BUILD/test_ping.ukvm" count=1 10.0.0.2 >pcap.out 2>&1 &
        for _ in $(seq 1 300); do
            grep -q '^ping server on' pcap.out && break
            sleep 0.1
        done
        ping -c 1 -W 5 10.0.0.2 >/dev/null 2>&1
        wait
        echo '$ tcpdump -nn -r s0.pcap'
        tcpdump -nn -r s0.pcap 2>&1
    ) >"$tmp/pcap-sample"
    if python3 - "$tmp/pcap-sample" <<'PY'; then
import re, sys
def norm(t):
    t = re.sub(r'[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}', 'HH:MM:SS.USEC', t)
    return re.sub(r'id [0-9]+', 'id ID', t)
doc = open('docs/networking.md').read()
mark = '<!-- pcap-sample -->\n```\n'
i = doc.find(mark)
if i < 0:
    sys.exit(1)
block = doc[i + len(mark):doc.index('```\n', i + len(mark))]
sys.exit(0 if norm(block) == norm(open(sys.argv[1]).read()) else 1)
PY
        pass "docs/networking.md-shows-a-real-capture"
    else
        fail "docs/networking.md-shows-a-real-capture" "the block after '<!-- pcap-sample -->' differs from this run:
$(cat "$tmp/pcap-sample")"
    fi
else
    echo "SKIP docs/networking.md-shows-a-real-capture: tcpdump is not installed (make deps installs it)"
fi
