#!/usr/bin/env bash
# The monitor's command line: help, version, usage errors (status 2), unusable
# unikernel files (251), unusable device files (252), --trace and --stats.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
hello=$BUILD/test_hello.ukvm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'not an elf at all' >"$tmp/garbage.ukvm"
head -c 100 "$hello" >"$tmp/truncated.ukvm"
truncate -s 4096 "$tmp/disk.img"
truncate -s 100 "$tmp/tiny.img"
: >"$tmp/empty.img"
truncate -s 6K "$tmp/6k.img"
truncate -s 8K "$tmp/8k.img"
printf 'x%.0s' $(seq 1 9000) >"$tmp/long.txt"
long=$(cat "$tmp/long.txt")

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    expect_run "$f/help" 0 "usage: ukvm" "$m" --help
    expect_run "$f/version" 0 "ukvm" "$m" --version
    expect_run "$f/no-arguments" 2 "no unikernel given" "$m"
    expect_run "$f/unknown-option" 2 "unknown option '--frobnicate'" "$m" --frobnicate "$hello"
    expect_run "$f/mem-not-a-number" 2 "bad memory size" "$m" --mem=lots "$hello"
    expect_run "$f/mem-too-small" 2 "bad memory size" "$m" --mem=1 "$hello"
    expect_run "$f/mem-too-large" 2 "bad memory size" "$m" --mem=5000 "$hello"
    expect_run "$f/mem-negative" 2 "bad memory size" "$m" --mem=-64 "$hello"
    expect_run "$f/mem-without-value" 2 "takes a value" "$m" --mem "$hello"
    expect_run "$f/block-bad-name" 2 "bad device name" "$m" "--block:no-dashes=$tmp/disk.img" "$hello"
    expect_run "$f/block-no-equals" 2 "--block:NAME=FILE" "$m" "--block:name" "$hello"
    expect_run "$f/block-twice" 2 "named twice" "$m" "--disk=$tmp/disk.img" "--block:storage=$tmp/disk.img" "$hello"
    expect_run "$f/cmdline-too-long" 2 "command line is too long" "$m" "$hello" "$long"
    expect_run "$f/kernel-missing" 251 "$tmp/nonexistent.ukvm" "$m" "$tmp/nonexistent.ukvm"
    expect_run "$f/kernel-not-elf" 251 "ukvm:" "$m" "$tmp/garbage.ukvm"
    expect_run "$f/kernel-truncated" 251 "ukvm:" "$m" "$tmp/truncated.ukvm"
    expect_run "$f/kernel-is-directory" 251 "ukvm:" "$m" "$tmp"
    expect_run "$f/disk-missing" 252 "cannot open" "$m" "--disk=$tmp/none.img" "$hello"
    expect_run "$f/disk-not-whole-blocks" 252 "its size (100 bytes) is not a multiple of the block size (512 bytes)" \
        "$m" "--disk=$tmp/tiny.img" "$hello"
    expect_run "$f/disk-empty" 252 "is empty: a device needs at least one block" \
        "$m" "--disk=$tmp/empty.img" "$hello"
    # solo5-hvt's spellings: the cases Solo5's test suite refuses before the guest runs.
    expect_run "$f/block-misaligned" 252 "not a multiple of the block size (4096 bytes)" \
        "$m" "--block:storage=$tmp/6k.img" --block-sector-size:storage=4096 -- "$hello"
    expect_run "$f/block-sector-odd" 2 "the block size must be a power of two of at least 512" \
        "$m" "--block:storage=$tmp/8k.img" --block-sector-size:storage=521 -- "$hello"
    expect_run "$f/block-sector-too-small" 2 "the block size must be a power of two of at least 512" \
        "$m" "--block:storage=$tmp/8k.img" --block-sector-size:storage=256 -- "$hello"
    expect_run "$f/block-sector-ok" 0 "SUCCESS" \
        "$m" "--block:storage=$tmp/8k.img" --block-sector-size:storage=4096 -- "$hello"
    expect_run "$f/block-sector-no-device" 2 "names no block device" \
        "$m" --block-sector-size:storage=4096 -- "$hello"
    # Network devices: a tap that is not there, not a tap, or a descriptor that is not one
    # is refused before the guest runs (the tests in a namespace of their own: net.sh).
    expect_run "$f/net-no-such-tap" 252 "network device \"service0\": there is no interface ukvmnotap0 (create it first" \
        "$m" --net:service0=ukvmnotap0 -- "$hello"
    expect_run "$f/net-not-a-tap" 252 "network device \"service0\": lo is not a tap interface" \
        "$m" --net:service0=lo -- "$hello"
    expect_run "$f/net-fd-closed" 252 "descriptor 9 is not an attached tap: it is not open" \
        "$m" --net:service0=@9 "$hello"
    expect_run "$f/net-fd-not-tap" 252 "descriptor 0 is not an attached tap" \
        "$m" --net:service0=@0 "$hello" </dev/null
    expect_run "$f/net-mac-no-device" 2 "names no network device" \
        "$m" --net-mac:service0=02:00:00:00:00:01 "$hello"
    expect_run "$f/mem-4096" 0 "SUCCESS" "$m" --mem=4096 "$hello"
    # --info: the guest ABI, and for a Solo5 hvt binary the devices its manifest declares.
    expect_run "$f/info-ukvm" 0 "ABI: ukvm, version 2" "$m" --info "$hello"
    expect_run "$f/info-hvt" 0 "ABI: Solo5 hvt, version 2" "$m" --info "$BUILD/hvt_blk.hvt"
    expect_run "$f/info-hvt-devices" 0 "  scratch              BLOCK_BASIC  --block:scratch=FILE" \
        "$m" --info "$BUILD/hvt_blk.hvt"
    expect_run "$f/info-hvt-net" 0 "uplink               NET_BASIC    --net:uplink=TAP" \
        "$m" --info "$BUILD/hvt_net_absent.hvt"
    expect_run "$f/info-bad-file" 251 "ukvm:" "$m" --info "$tmp/garbage.ukvm"
    # An hvt guest's memory comes in 2 MiB pages, as solo5-hvt lays it out.
    expect_run "$f/hvt-mem-odd" 2 "--mem=3: a Solo5 hvt guest's memory must be a multiple of 2 MiB" \
        "$m" --mem=3 "$BUILD/hvt_hello.hvt"
    expect_run "$f/hvt-mem-even" 0 "SUCCESS" "$m" --mem=4 "$BUILD/hvt_hello.hvt" mem=4
    long_dir=$(printf '/x%.0s' $(seq 1 2100))
    expect_run "$f/dumpcore-path-too-long" 2 "the folder's path is too long" \
        "$m" "--dumpcore=$long_dir" "$hello"
    expect_run "$f/info-foreign-target" 251 "a Solo5 binary for the spt target" \
        "$m" --info "$BUILD/hvt_badnote_abi_target.hvt"
    expect_run "$f/disk-is-directory" 252 "not a regular file" "$m" "--disk=$tmp" "$hello"
    expect_run "$f/trace" 0 "hypercall HALT" "$m" --trace "$hello"
    expect_run "$f/stats" 0 "ukvm: stats: setup_us=" "$m" --stats "$hello"
    expect_run "$f/double-dash" 0 "" "$m" -- "$hello"
    expect_run "$f/guest-args-with-dashes" 0 "cmdline: --mem=3 -x" "$m" "$hello" --mem=3 -x
done

# --gdb addresses: malformed values are usage errors; a port in use is a clear error.
for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    expect_run "$f/gdb-bad-port" 2 "bad address in '--gdb=notaport'" "$m" --gdb=notaport "$hello"
    expect_run "$f/gdb-port-too-big" 2 "bad address" "$m" --gdb=70000 "$hello"
    expect_run "$f/gdb-empty-host" 2 "bad address" "$m" --gdb=:1234 "$hello"
    # Hold a port with a first ukvm, then ask a second one for the same port.
    err1=$(mktemp)
    "$m" --gdb=127.0.0.1:0 "$hello" 2>"$err1" >/dev/null </dev/null &
    pid=$!
    port=$(gdb_port_of "$err1" $pid)
    if [ -z "$port" ]; then
        fail "$f/gdb-port-zero-prints-port" "no port printed: $(cat "$err1")"
    else
        pass "$f/gdb-port-zero-prints-port"
        expect_run "$f/gdb-port-in-use" 2 "is in use" "$m" "--gdb=127.0.0.1:$port" "$hello"
    fi
    kill -TERM $pid 2>/dev/null
    wait $pid 2>/dev/null
    status=$?
    [ $status = 143 ] && pass "$f/gdb-sigterm-while-waiting" ||
        fail "$f/gdb-sigterm-while-waiting" "status $status, expected 143"
    rm -f "$err1"
done

# The default run path loads no debugging library: libdw, Capstone and readline are opened
# on first use (ukvm/process/lazy_lib.h), since loading them cost more than the guest's
# whole boot. The dynamic loader's own log lists every object mapped, dlopen included.
m=$BUILD/ukvm
LD_DEBUG=files "$m" "$hello" >/dev/null 2>"$tmp/ld.log"
loaded=$(grep -oE 'file=lib(dw|capstone|readline)[^ ]*' "$tmp/ld.log" | sort -u | tr '\n' ' ')
[ -z "$loaded" ] && pass "plain/run-loads-no-debug-library" ||
    fail "plain/run-loads-no-debug-library" "loaded: $loaded"
# ... and a crash report does load libdw, for its symbols.
LD_DEBUG=files "$m" "$BUILD/test_exception.ukvm" >/dev/null 2>"$tmp/ld.log"
grep -q 'file=libdw' "$tmp/ld.log" && grep -q 'fault_here+0x' "$tmp/ld.log" &&
    pass "plain/crash-report-loads-libdw" ||
    fail "plain/crash-report-loads-libdw" "$(grep -E 'file=|fault_here' "$tmp/ld.log" | head -5)"
