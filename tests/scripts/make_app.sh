#!/usr/bin/env bash
# `make app APP=DIR` builds every .c file in DIR, linked with the kernel, into
# build/<basename of DIR>.ukvm, as README documents; `make app` without APP is a usage error.
# Exactly the named folder is built: two folders of one name each get their own code, a
# moved folder builds from its new place, and a folder named like one of the tree's test
# unikernels is refused (its .ukvm would be the test's).
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
app=$tmp/myapp
mkdir -p "$app"
cat >"$app/main.c" <<'C'
#include "solo5.h"
int twice(int);
int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    solo5_console_write("myapp ran\n", 10);
    return twice(21);
}
C
cat >"$app/helper.c" <<'C'
int twice(int x) { return 2 * x; }
C
build=$tmp/build
if make -s app APP="$app" BUILD="$build" >"$tmp/log" 2>&1 && [ -f "$build/myapp.ukvm" ]; then
    pass make-app-builds
    expect_run make-app-runs 42 "myapp ran" "$BUILD/ukvm" "$build/myapp.ukvm"
else
    fail make-app-builds "$(tail -n 20 "$tmp/log")"
fi
make -s app BUILD="$build" >"$tmp/log" 2>&1
status=$?
if [ $status -ne 0 ] && grep -q "usage: make app APP=DIR" "$tmp/log"; then
    pass make-app-without-APP
else
    fail make-app-without-APP "status $status: $(cat "$tmp/log")"
fi
mkdir -p "$tmp/empty"
if ! make -s app APP="$tmp/empty" BUILD="$build" >"$tmp/log" 2>&1 && grep -q "no .c files" "$tmp/log"; then
    pass make-app-empty-dir
else
    fail make-app-empty-dir "$(cat "$tmp/log")"
fi

# app_main DIR TEXT STATUS: a one-file app in DIR that prints TEXT and exits with STATUS.
app_main() {
    mkdir -p "$1"
    cat >"$1/main.c" <<C
#include "solo5.h"
int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    solo5_console_write("$2\\n", sizeof("$2\\n") - 1);
    return $3;
}
C
}

# run_out KERNEL: what the kernel prints, with its exit status.
run_out() { "$BUILD/ukvm" "$1" 2>&1; echo "status $?"; }

# Two folders named twin: each build runs its own folder's code, back and forth (the
# second build of the first folder has up-to-date objects, yet must relink).
app_main "$tmp/a/twin" "twin from a" 11
app_main "$tmp/b/twin" "twin from b" 12
outs=''
for d in a b a; do
    if make -s app APP="$tmp/$d/twin" BUILD="$build" >"$tmp/log" 2>&1; then
        outs="$outs[$d: $(run_out "$build/twin.ukvm" | tr '\n' ' ')]"
    else
        outs="$outs[$d: make failed: $(tail -n 5 "$tmp/log")]"
    fi
done
want="[a: twin from a status 11 ][b: twin from b status 12 ][a: twin from a status 11 ]"
[ "$outs" = "$want" ] && pass make-app-same-name-each-own-code ||
    fail make-app-same-name-each-own-code "got $outs, expected $want"

# A folder moved after a build (or a second checkout of it) builds from its new place.
app_main "$tmp/old/mover" "before the move" 0
make -s app APP="$tmp/old/mover" BUILD="$build" >"$tmp/log" 2>&1
mkdir -p "$tmp/new"
mv "$tmp/old/mover" "$tmp/new/mover"
app_main "$tmp/new/mover" "after the move" 0
if make -s app APP="$tmp/new/mover" BUILD="$build" >"$tmp/log" 2>&1; then
    out=$(run_out "$build/mover.ukvm")
    [[ $out == *"after the move"* ]] && pass make-app-moved-folder ||
        fail make-app-moved-folder "runs the old code: $out"
else
    fail make-app-moved-folder "$(tail -n 5 "$tmp/log")"
fi

# A folder with the name of a tree test (or benchmark) is refused, naming the clash and
# the fix; the tree's own test folder itself still builds.
for clash in tests/test_hello tests/bench/bench_loop; do
    name=$(basename "$clash")
    app_main "$tmp/clash/$name" "not the tree's $name" 0
    make -s app APP="$tmp/clash/$name" BUILD="$build" >"$tmp/log" 2>&1
    status=$?
    if [ $status -ne 0 ] && grep -qF "$clash" "$tmp/log" && grep -q "rename the folder" "$tmp/log" &&
        [ ! -e "$build/$name.ukvm" ]; then
        pass "make-app-refuses-tree-name-$name"
    else
        fail "make-app-refuses-tree-name-$name" "status $status: $(cat "$tmp/log")"
    fi
done
if make -s app APP=tests/test_hello BUILD="$build" >"$tmp/log" 2>&1; then
    out=$(run_out "$build/test_hello.ukvm")
    [[ $out == *"Hello, world"* ]] && pass make-app-tree-test-folder ||
        fail make-app-tree-test-folder "$out"
else
    fail make-app-tree-test-folder "$(tail -n 5 "$tmp/log")"
fi
