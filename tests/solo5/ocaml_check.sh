#!/usr/bin/env bash
# tests/solo5/ocaml_check.sh: run and debug a user-supplied OCaml unikernel built for
# Solo5's hvt target (`make ocaml-check OCAML_HVT=FILE`; docs/ocaml.md).
#
#   tests/solo5/ocaml_check.sh [FILE.hvt]
#
# FILE is an .hvt binary the user's MirageOS / ocaml-solo5 toolchain built (ukvm ships
# none and builds none). Checks, one PASS/FAIL line each:
#   run      build/ukvm FILE in the default guest mode: exit status OCAML_STATUS (default 0),
#            Solo5's banner on stdout, no crash or guest error from ukvm; its output is shown
#   gdb      build/ukvm --gdb FILE with gdb attached: a breakpoint on the program's main
#            module (OCAML_BREAK, default: the first caml<Module>__entry that is not the
#            standard library's) stops there, bt reaches solo5_app_main, stepi moves; finish
#            leaves a runtime function (OCAML_FINISH_IN, default caml_init_gc, OCaml 4); after
#            delete + continue the guest exits with the same status
# Without FILE (and OCAML_HVT unset): one SKIP line, status 0. Exit status 1 when a check
# failed. Environment: BUILD (default build), OCAML_BREAK, OCAML_FINISH_IN, OCAML_STATUS,
# OCAML_ARGS (the unikernel's command line, split on blanks).
set -u
cd "$(dirname "$0")/../.."
# Run as a user would: in the default guest mode unless UKVM_GUEST_MODE says otherwise
# (common.bash makes the test scripts' default kernel mode).
mode=${UKVM_GUEST_MODE:-auto}
source tests/lib/common.bash
export UKVM_GUEST_MODE=$mode
file=${1:-${OCAML_HVT:-}}
if [ -z "$file" ]; then
    echo "SKIP ocaml-check: no OCaml .hvt given (make ocaml-check OCAML_HVT=FILE)"
    exit 0
fi
[ -f "$file" ] || { echo "ocaml-check: $file: no such file" >&2; exit 2; }
[ -x "$BUILD/ukvm" ] || { echo "ocaml-check: $BUILD/ukvm is missing: run make first" >&2; exit 2; }
want=${OCAML_STATUS:-0}
# shellcheck disable=SC2206
args=(${OCAML_ARGS:-})
failed=0
check() { # check NAME CONDITION-STATUS DETAIL
    if [ "$2" = 0 ]; then pass "ocaml-check/$1"; else fail "ocaml-check/$1" "$3"; failed=1; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- run
timeout -s KILL 120 "$BUILD/ukvm" "$file" "${args[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
sed 's/^/    | /' "$tmp/out"
check run/status "$([ "$status" = "$want" ]; echo $?)" \
    "exit status $status, expected $want; stderr: $(head -c 800 "$tmp/err")"
grep -q '^Solo5: Bindings version' "$tmp/out"
check run/solo5-banner $? "no 'Solo5: Bindings version' line on stdout"
! grep -qE '^ukvm: guest (crashed|error)' "$tmp/err"
check run/no-crash $? "$(grep -m 3 '^ukvm: ' "$tmp/err")"

# ---------------------------------------------------------------- gdb
if ! command -v gdb >/dev/null; then
    echo "SKIP ocaml-check/gdb: gdb is not installed"
    exit $failed
fi
sym=${OCAML_BREAK:-}
if [ -z "$sym" ]; then
    sym=$(nm "$file" 2>/dev/null | awk '$3 ~ /^caml[A-Z].*__entry$/ {print $3}' |
        grep -vE '^caml(Stdlib|Std_exit|Camlinternal)' | head -n 1)
fi
if [ -z "$sym" ]; then
    fail ocaml-check/gdb "no caml<Module>__entry symbol in $file: give OCAML_BREAK=SYMBOL"
    exit 1
fi
"$BUILD/ukvm" --gdb=127.0.0.1:0 "$file" "${args[@]}" >"$tmp/gout" 2>"$tmp/gerr" </dev/null &
pid=$!
port=$(gdb_port_of "$tmp/gerr" $pid)
if [ -z "$port" ]; then
    fail ocaml-check/gdb "ukvm --gdb did not listen: $(head -c 600 "$tmp/gerr")"
    kill -KILL $pid 2>/dev/null
    exit 1
fi
# finish out of the runtime's caml_init_gc (OCaml 4's, called before any OCaml code):
# a module's entry function may never return (a program that ends with exit).
fin=${OCAML_FINISH_IN:-caml_init_gc}
timeout -s KILL 120 gdb -nx -q -batch -ex 'set pagination off' -ex 'set confirm off' \
    -ex "target remote 127.0.0.1:$port" -ex "break $fin" -ex "break $sym" -ex continue \
    -ex finish -ex 'echo FINISHED-IN\n' -ex 'info symbol $pc' -ex continue -ex bt \
    -ex 'echo PC-BEFORE\n' -ex 'p/x $pc' -ex stepi -ex 'echo PC-AFTER\n' -ex 'p/x $pc' \
    -ex delete -ex continue "$file" </dev/null >"$tmp/gdb" 2>&1
if wait_exit $pid 30; then gstatus=$status; else gstatus=hung; fi
sed 's/^/    | /' "$tmp/gdb"
grep -q "^Breakpoint 2, .*$sym" "$tmp/gdb"
check gdb/break-stops $? "no stop at $sym"
grep -q "^#0 .*$sym" "$tmp/gdb" && grep -q "solo5_app_main" "$tmp/gdb"
check gdb/bt $? "the backtrace lacks $sym or solo5_app_main"
before=$(sed -n '/^PC-BEFORE/{n;p}' "$tmp/gdb") after=$(sed -n '/^PC-AFTER/{n;p}' "$tmp/gdb")
[ -n "$before" ] && [ -n "$after" ] && [ "$before" != "$after" ]
check gdb/stepi $? "pc before stepi '$before', after '$after'"
grep -q "^Breakpoint 1, .*$fin" "$tmp/gdb" &&
    sed -n '/^FINISHED-IN/{n;p}' "$tmp/gdb" | grep -q . &&
    ! sed -n '/^FINISHED-IN/{n;p}' "$tmp/gdb" | grep -q "^$fin "
check gdb/finish $? "no stop in $fin, or finish did not leave it"
if [ "$want" = 0 ]; then exited="exited normally"; else exited=$(printf 'exited with code %02o' "$want"); fi
grep -q "$exited" "$tmp/gdb"
check gdb/exits $? "gdb did not see the guest exit ('$exited')"
check gdb/ukvm-status "$([ "$gstatus" = "$want" ]; echo $?)" \
    "ukvm --gdb ended with $gstatus, expected $want; $(head -c 600 "$tmp/gerr")"
exit $failed
