#!/usr/bin/env bash
# The pcap files of ukvm/devices/pcap_writer.c are what tcpdump reads: the unit test
# (build/unit/test_pcap_writer) writes a sample with UKVM_PCAP_SAMPLE=FILE, an ARP request
# and an ICMP echo request cut at a 64-byte snaplen, and tcpdump must print both, with
# their nanosecond timestamps and full wire lengths. The unit test checks the bytes; this
# checks that a real reader agrees with them.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
bin=$BUILD/unit/test_pcap_writer

if ! command -v tcpdump >/dev/null; then
    echo "SKIP pcap-tcpdump: tcpdump is not installed (make deps installs it)"
    exit 0
fi
if [ ! -x "$bin" ]; then
    fail pcap-tcpdump "$bin was not built"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The unit test's own PASS lines are not this script's: keep them out of its output.
if ! UKVM_PCAP_SAMPLE=$tmp/sample.pcap "$bin" >"$tmp/unit.log" 2>&1 ||
    [ ! -s "$tmp/sample.pcap" ]; then
    fail pcap-tcpdump "$bin did not write the sample: $(grep -v '^PASS ' "$tmp/unit.log" |
        head -c 600)"
    exit 0
fi
out=$(tcpdump -nn -e -tt --time-stamp-precision=nano -r "$tmp/sample.pcap" 2>"$tmp/err")
status=$?
if [ $status -ne 0 ] || ! grep -qF 'link-type EN10MB (Ethernet), snapshot length 64' "$tmp/err"; then
    fail pcap-tcpdump-reads "tcpdump exit status $status: $(head -c 600 "$tmp/err")"
    exit 0
fi
pass pcap-tcpdump-reads

want_arp='1700000000.123456789 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28'
want_icmp='1700000001.000000042 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64'
lines=$(wc -l <<<"$out")
[ "$lines" -eq 2 ] && pass pcap-tcpdump-two-records ||
    fail pcap-tcpdump-two-records "tcpdump printed $lines lines: $out"
grep -qxF -- "$want_arp" <<<"$out" && pass pcap-tcpdump-arp-request ||
    fail pcap-tcpdump-arp-request "no line '$want_arp' in: $out"
grep -qxF -- "$want_icmp" <<<"$out" && pass pcap-tcpdump-icmp-echo ||
    fail pcap-tcpdump-icmp-echo "no line '$want_icmp' in: $out"
