#!/usr/bin/env bash
# Inlined functions in backtraces, as gdb shows them: test_inline faults inside read_slot,
# inlined into lookup, inlined into walk_table (-O2). The crash report, the shell's `bt`
# and gdb's `monitor bt` must list the same frames, function names and file:line, as
# gdb's own `bt` on the same state: on the core written in the same run (--core, the
# shell's `core`), and live over --gdb. With build/ukvm and build/asan/ukvm.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if [ ! -w /dev/kvm ]; then
    echo "SKIP inline-frames: /dev/kvm is missing or not writable here"
    exit 0
fi
if ! command -v gdb >/dev/null; then
    echo "SKIP inline-frames: gdb is not installed (make deps installs it)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kernel=$BUILD/test_inline.ukvm

# frames KIND FILE: the first backtrace in FILE, one "function file:line" per frame.
frames() { python3 tests/lib/frames.py "$1" "$2"; }

# gdb_core_bt CORE OUT: gdb's `bt` on CORE into OUT (without the frame gdb prints on
# opening the core).
gdb_core_bt() {
    timeout -s KILL 120 gdb -nx -batch -ex 'set width 0' -ex 'echo ---bt---\n' -ex bt \
        "$kernel" "$1" </dev/null 2>&1 | sed -n '/^---bt---/,$p' >"$2"
}

# same NAME UKVM_FILE GDB_FILE: the two backtraces agree, and they hold the inline chain.
same() {
    local name=$1 mine theirs
    mine=$(frames ukvm "$2")
    theirs=$(frames gdb "$3")
    if ! grep -q '^read_slot .*lookup .*walk_table ' <<<"$(tr '\n' ' ' <<<"$theirs")"; then
        fail "$name" "gdb's bt lacks the inline chain read_slot, lookup, walk_table: $(head -c 800 "$3")"
    elif [ "$mine" != "$theirs" ]; then
        fail "$name" "ukvm's frames [$(tr '\n' ',' <<<"$mine")] differ from gdb's [$(tr '\n' ',' <<<"$theirs")]"
    else
        pass "$name"
    fi
}

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    # The crash report, and gdb on the core of the same crash.
    timeout -s KILL 60 "$m" --core="$tmp/$f.core" "$kernel" fault >"$tmp/$f.out" 2>"$tmp/$f.err" </dev/null
    if [ ! -f "$tmp/$f.core" ]; then
        fail "$f/crash-report-vs-gdb-core" "no core written: $(tail -c 600 "$tmp/$f.err")"
    else
        gdb_core_bt "$tmp/$f.core" "$tmp/$f.gdb"
        same "$f/crash-report-vs-gdb-core" "$tmp/$f.err" "$tmp/$f.gdb"
    fi
    grep -q "at read_slot (test_inline.c:[0-9]*), inlined into walk_table+0x" "$tmp/$f.err" &&
        pass "$f/crash-headline-names-inlined-function" ||
        fail "$f/crash-headline-names-inlined-function" "$(grep -m1 'guest crashed' "$tmp/$f.err")"

    # The shell at the fault: its bt, and gdb on the core the shell writes there.
    printf 'continue\nbt\ncore %s\n' "$tmp/$f-shell.core" |
        timeout -s KILL 60 "$m" --shell "$kernel" fault >"$tmp/$f-shell.out" 2>&1
    if [ ! -f "$tmp/$f-shell.core" ]; then
        fail "$f/shell-bt-vs-gdb-core" "the shell wrote no core: $(tail -c 600 "$tmp/$f-shell.out")"
    else
        gdb_core_bt "$tmp/$f-shell.core" "$tmp/$f-shell.gdb"
        same "$f/shell-bt-vs-gdb-core" "$tmp/$f-shell.out" "$tmp/$f-shell.gdb"
    fi

    # `bt 2` counts frames as gdb's `bt 2` does, inlined ones included.
    printf 'continue\nbt 2\n' | timeout -s KILL 60 "$m" --shell "$kernel" fault >"$tmp/$f-bt2.out" 2>&1
    mine=$(frames ukvm "$tmp/$f-bt2.out")
    theirs=$(frames gdb "$tmp/$f.gdb" | sed -n 1,2p)
    [ "$mine" = "$theirs" ] && pass "$f/shell-bt-N-counts-inlined-frames" ||
        fail "$f/shell-bt-N-counts-inlined-frames" "bt 2 gave [$(tr '\n' ',' <<<"$mine")], gdb's first two [$(tr '\n' ',' <<<"$theirs")]"

    # Live: gdb stopped at the fault over --gdb, its own bt then `monitor bt`.
    "$m" --gdb=127.0.0.1:0 "$kernel" fault >"$tmp/$f-live.out" 2>"$tmp/$f-live.err" </dev/null &
    pid=$!
    port=$(gdb_port_of "$tmp/$f-live.err" $pid)
    if [ -z "$port" ]; then
        fail "$f/live-monitor-bt-vs-gdb-bt" "ukvm never said where it listens: $(head -c 600 "$tmp/$f-live.err")"
    else
        timeout -s KILL 120 gdb -nx -batch -ex 'set width 0' -ex "target remote 127.0.0.1:$port" \
            -ex continue -ex 'echo ---gdb-bt---\n' -ex bt -ex 'echo ---monitor-bt---\n' \
            -ex 'monitor bt' -ex kill "$kernel" >"$tmp/$f-live.gdb" 2>&1 </dev/null
        sed -n '/^---gdb-bt---/,/^---monitor-bt---/p' "$tmp/$f-live.gdb" >"$tmp/$f-live.theirs"
        sed -n '/^---monitor-bt---/,$p' "$tmp/$f-live.gdb" >"$tmp/$f-live.mine"
        same "$f/live-monitor-bt-vs-gdb-bt" "$tmp/$f-live.mine" "$tmp/$f-live.theirs"
    fi
    wait_exit $pid 30 || fail "$f/live-exit" "ukvm still running 30 s after gdb finished"
    sanitizer_clean "$tmp/$f.err" && sanitizer_clean "$tmp/$f-shell.out" &&
        sanitizer_clean "$tmp/$f-live.err" && sanitizer_clean "$tmp/$f-bt2.out" && pass "$f/no-sanitizer-report" ||
        fail "$f/no-sanitizer-report" "$(cat "$tmp/$f.err" "$tmp/$f-shell.out" "$tmp/$f-live.err" |
            grep -A 20 -m1 -E 'Sanitizer|runtime error')"
done
