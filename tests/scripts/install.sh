#!/usr/bin/env bash
# `make install` into a temporary prefix, then build a two-file app outside the tree with
# the installed app.mk and run it with the installed monitor: what a user does.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

if ! make -s install PREFIX="$prefix" BUILD="$BUILD" >"$tmp/install.log" 2>&1; then
    fail install "make install failed: $(tail -n 20 "$tmp/install.log")"
    exit 0
fi
missing=''
for f in bin/ukvm lib/ukvm/ukvm_kernel.o lib/ukvm/kernel.ld lib/ukvm/app.mk \
    lib/ukvm/app_flags.mk include/ukvm/solo5.h include/ukvm/ukvm_abi.h \
    share/ukvm/gdbinit/solo5.gdb; do
    [ -e "$prefix/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && pass install-files || fail install-files "missing:$missing"

# DESTDIR stages the same tree under another root.
make -s install PREFIX=/usr/local DESTDIR="$tmp/stage" BUILD="$BUILD" >/dev/null 2>&1
[ -x "$tmp/stage/usr/local/bin/ukvm" ] && pass install-destdir ||
    fail install-destdir "no $tmp/stage/usr/local/bin/ukvm"

mkdir -p "$tmp/app"
cat >"$tmp/app/Makefile" <<MK
include $prefix/lib/ukvm/app.mk
all: greet.ukvm
greet.ukvm: words.o
MK
cat >"$tmp/app/words.c" <<'C'
const char *greeting(void) { return "installed app says hi\n"; }
C
cat >"$tmp/app/greet.c" <<'C'
#include "solo5.h"
const char *greeting(void);
int solo5_app_main(const struct solo5_start_info *si)
{
    const char *g = greeting();
    size_t n = 0;
    while (g[n])
        n++;
    solo5_console_write(g, n);
    return si->cmdline[0] == 'x' ? 7 : 0;
}
C
if ! make -s -C "$tmp/app" >"$tmp/app.log" 2>&1; then
    fail app-build "building with the installed app.mk failed: $(tail -n 20 "$tmp/app.log")"
    exit 0
fi
pass app-build
out=$("$prefix/bin/ukvm" "$tmp/app/greet.ukvm" x 2>&1)
status=$?
if [ $status = 7 ] && [[ $out == *"installed app says hi"* ]]; then
    pass app-run
else
    fail app-run "status $status, output: $out"
fi
