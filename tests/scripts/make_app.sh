#!/usr/bin/env bash
# `make app APP=DIR` builds every .c file in DIR, linked with the kernel, into
# build/<basename of DIR>.ukvm, as README documents; `make app` without APP is a usage error.
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
