#!/usr/bin/env bash
# `make app APP=DIR DEBUG=1` builds DIR for gdb: test_inline's source, copied to a folder
# of another name, built both ways into a temporary BUILD, then debugged with gdb over
# --gdb (tests/gdb/debug_build_check.py): the debug build gives one location for
# `break lookup`, `step` enters it, locals are readable, where the optimized build has
# lookup inlined in two places. Switching modes relinks; a wrong DEBUG value and DEBUG=1
# on a test unikernel's own folder are refused. (The installed app.mk's UKVM_DEBUG=1 is
# tested by install.sh.)
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
app=$tmp/inl
mkdir -p "$app"
cp tests/test_inline/test_inline.c "$app/"
build=$tmp/build

# build_mode MODE: make app in MODE (debug or optimized); the kernel is copied to
# $tmp/inl-MODE.ukvm. Returns 1 when make fails.
build_mode() {
    local debug=''
    [ "$1" = debug ] && debug=DEBUG=1
    if ! make -s app APP="$app" BUILD="$build" $debug >"$tmp/make-$1.log" 2>&1; then
        fail "make-app-$1" "$(tail -n 20 "$tmp/make-$1.log")"
        return 1
    fi
    cp "$build/inl.ukvm" "$tmp/inl-$1.ukvm"
}

# gdb_check MODE: debug_build_check.py against $tmp/inl-MODE.ukvm run with build/ukvm.
gdb_check() {
    local mode=$1 kernel=$tmp/inl-$1.ukvm pid port out
    "$BUILD/ukvm" --gdb=127.0.0.1:0 "$kernel" >"$tmp/$mode.out" 2>"$tmp/$mode.err" </dev/null &
    pid=$!
    port=$(gdb_port_of "$tmp/$mode.err" $pid)
    if [ -z "$port" ]; then
        fail "$mode/gdb" "ukvm never said where it listens: $(head -c 600 "$tmp/$mode.err")"
        kill -KILL $pid 2>/dev/null
        wait $pid 2>/dev/null
        return
    fi
    out=$(UKVM_GDB_PORT=$port UKVM_BUILD_MODE=$mode timeout -s KILL 300 gdb -nx -batch \
        -ex "python import sys; sys.path.insert(0, 'tests/gdb')" \
        -x tests/gdb/debug_build_check.py "$kernel" </dev/null 2>&1)
    grep -E '^(PASS|FAIL) ' <<<"$out" || fail "$mode/gdb" "no result: $(tail -n 15 <<<"$out")"
    if grep -qE '^FAIL |^(Traceback |Python Exception )' <<<"$out"; then
        echo "    --- gdb output"
        tail -n 25 <<<"$out" | sed 's/^/    | /'
        grep -qE '^(Traceback |Python Exception )' <<<"$out" && fail "$mode/gdb-script-completed" \
            "$(grep -A 12 -m1 -E '^(Traceback|Python Exception)' <<<"$out")"
    fi
    if ! wait_exit $pid 30; then
        fail "$mode/ukvm-exit" "ukvm still running 30 s after gdb finished"
    elif [ "$status" = 0 ] && grep -q SUCCESS "$tmp/$mode.out"; then
        pass "$mode/runs-to-success"
    else
        fail "$mode/runs-to-success" "status $status: $(tail -c 600 "$tmp/$mode.err")"
    fi
}

if [ ! -w /dev/kvm ]; then
    echo "SKIP debug-build/gdb: /dev/kvm is missing or not writable here"
elif ! command -v gdb >/dev/null; then
    echo "SKIP debug-build/gdb: gdb is not installed (make deps installs it)"
fi
for mode in optimized debug; do
    build_mode $mode || continue
    [ -w /dev/kvm ] && command -v gdb >/dev/null && gdb_check $mode
done

# Back to the optimized build from the debug one: relinked from the optimized objects
# (the output name is the same), then nothing to do.
if build_mode optimized && cmp -s "$tmp/inl-optimized.ukvm" "$build/inl.ukvm" &&
    ! cmp -s "$tmp/inl-debug.ukvm" "$build/inl.ukvm"; then
    pass make-app-mode-switch-relinks
else
    fail make-app-mode-switch-relinks "build/inl.ukvm is not the optimized build after switching back"
fi
make app APP="$app" BUILD="$build" >"$tmp/again.log" 2>&1
grep -q "Nothing to be done for 'app'" "$tmp/again.log" && pass make-app-same-mode-nothing-to-do ||
    fail make-app-same-mode-nothing-to-do "$(tail -n 5 "$tmp/again.log")"

if ! make -s app APP="$app" BUILD="$build" DEBUG=yes >"$tmp/bad.log" 2>&1 &&
    grep -q "DEBUG=yes: use DEBUG=1" "$tmp/bad.log"; then
    pass make-app-debug-bad-value
else
    fail make-app-debug-bad-value "$(tail -n 5 "$tmp/bad.log")"
fi
if ! make -s app APP=tests/test_inline BUILD="$build" DEBUG=1 >"$tmp/test.log" 2>&1 &&
    grep -q "DEBUG=1 cannot rebuild this tree's test unikernel" "$tmp/test.log"; then
    pass make-app-debug-test-folder-refused
else
    fail make-app-debug-test-folder-refused "$(tail -n 5 "$tmp/test.log")"
fi
