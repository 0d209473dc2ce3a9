#!/usr/bin/env bash
# tests/solo5/ocaml_session.sh DIR: the two sessions of docs/ocaml.md, made again with
# the OCaml unikernels DIR/hello.hvt and DIR/fib.hvt (built by the user's ocaml-solo5
# toolchain; ukvm ships none). tests/scripts/doc_samples.sh compares the output with the
# documented sessions when OCAML_HVT_DIR=DIR is given, and skips them otherwise.
#
#   run   hello.hvt and its exit status, then the last lines of fib.hvt's output
#   gdb   fib.hvt under ukvm --gdb, gdb's commands echoed as at its prompt
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
dir=${1:?usage: ocaml_session.sh DIR run|gdb}
ukvm=$PWD/$BUILD/ukvm
# The default mode, as a user runs it (user mode where KVM emulates kernel code).
export UKVM_GUEST_MODE=auto
case ${2:-} in
run)
    cd "$dir" || exit 2
    "$ukvm" hello.hvt 2>&1
    echo $?
    "$ukvm" fib.hvt 2>&1 | tail -n 3
    ;;
gdb)
    cd "$dir" || exit 2
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$ukvm" --gdb=127.0.0.1:0 fib.hvt >"$tmp/stdout" 2>"$tmp/stderr" </dev/null &
    pid=$!
    port=$(gdb_port_of "$tmp/stderr" $pid)
    [ -n "$port" ] || { echo "ukvm never said where it listens: $(head -3 "$tmp/stderr")"; exit 1; }
    cmds=("target remote 127.0.0.1:$port" "break camlFib__fib_81" "continue" "bt"
        "info registers rax" "stepi" "x/2i \$pc" "step" "delete" "finish" "continue")
    args=()
    for c in "${cmds[@]}"; do args+=(-ex "echo (gdb) $c\\n" -ex "$c"); done
    {
        head -n 1 "$tmp/stderr"
        timeout -s KILL 120 gdb -nx -q -batch -ex 'set pagination off' "${args[@]}" fib.hvt \
            </dev/null 2>&1
    } | sed "s/127\.0\.0\.1:$port/127.0.0.1:1234/g"
    wait_exit $pid 30 || kill -KILL $pid
    ;;
*)
    echo "usage: ocaml_session.sh DIR run|gdb" >&2
    exit 2
    ;;
esac
