#!/usr/bin/env bash
# `make install` into a temporary prefix, then build apps outside the tree with the
# installed app.mk and run them with the installed monitor: what a user does. Covers
# README's two-line Makefile (objects listed, no NAME.c), NAME.o added when NAME.c exists,
# a .ukvm with nothing to link, and flags coming only from the installed app_flags.mk.
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
for f in bin/ukvm lib/ukvm/ukvm_kernel.o lib/ukvm/libukvm_string.a lib/ukvm/kernel.ld \
    lib/ukvm/app.mk lib/ukvm/app_flags.mk include/ukvm/solo5.h include/ukvm/ukvm_abi.h \
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

# README's two lines, word for word but for the prefix: myapp.ukvm from main.o and util.o,
# with no myapp.c. util.c copies and zeroes a 16 KiB struct, which GCC compiles into
# memcpy and memset calls that only the installed libukvm_string.a satisfies.
two=$tmp/two
mkdir -p "$two"
printf 'include %s/lib/ukvm/app.mk\nmyapp.ukvm: main.o util.o\n' "$prefix" >"$two/Makefile"
cat >"$two/main.c" <<'C'
#include "solo5.h"
const char *util_message(void);
/* Weak: defined only when myapp.c is there and linked. */
__attribute__((weak)) const char *extra_message(void);
static void puts(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}
int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    puts(util_message());
    if (extra_message)
        puts(extra_message());
    return 3;
}
C
cat >"$two/util.c" <<'C'
struct big {
    unsigned long w[2048];
};
static struct big a, b;
const char *util_message(void)
{
    a.w[2047] = 42;
    b = a;            /* memcpy */
    a = (struct big){0}; /* memset */
    return b.w[2047] == 42 && a.w[2047] == 0 ? "util.o linked\n" : "struct copy broken\n";
}
C
if make -s -C "$two" >"$tmp/two.log" 2>&1 && [ -f "$two/myapp.ukvm" ]; then
    pass two-line-makefile-builds
    out=$("$prefix/bin/ukvm" "$two/myapp.ukvm" 2>&1)
    status=$?
    if [ $status = 3 ] && [[ $out == *"util.o linked"* ]] && [[ $out != *"myapp.o linked"* ]]; then
        pass two-line-makefile-runs
    else
        fail two-line-makefile-runs "status $status, output: $out"
    fi
else
    fail two-line-makefile-builds "make failed or made no myapp.ukvm: $(tail -n 20 "$tmp/two.log")"
fi

# With a myapp.c as well, myapp.o is linked in besides the listed objects.
cat >"$two/myapp.c" <<'C'
const char *extra_message(void)
{
    return "myapp.o linked\n";
}
C
if make -s -C "$two" >"$tmp/two.log" 2>&1; then
    out=$("$prefix/bin/ukvm" "$two/myapp.ukvm" 2>&1)
    status=$?
    if [ $status = 3 ] && [[ $out == *"util.o linked"* ]] && [[ $out == *"myapp.o linked"* ]]; then
        pass two-line-makefile-adds-myapp.o
    else
        fail two-line-makefile-adds-myapp.o "status $status, output: $out"
    fi
else
    fail two-line-makefile-adds-myapp.o "make failed: $(tail -n 20 "$tmp/two.log")"
fi

# A .ukvm with no NAME.c and no listed objects: nothing to link, a clear error.
mkdir -p "$tmp/none"
printf 'include %s/lib/ukvm/app.mk\nall: lonely.ukvm\n' "$prefix" >"$tmp/none/Makefile"
make -s -C "$tmp/none" >"$tmp/none.log" 2>&1
status=$?
if [ $status -ne 0 ] && grep -q "nothing to link into lonely.ukvm" "$tmp/none.log" &&
    [ ! -e "$tmp/none/lonely.ukvm" ]; then
    pass nothing-to-link-fails
else
    fail nothing-to-link-fails "status $status, output: $(cat "$tmp/none.log")"
fi

# The compiler flags come from the installed app_flags.mk alone: a flag added there
# reaches the compiler (a second, hard-coded copy in app.mk would override it).
flags=$tmp/flags
mkdir -p "$flags/prefix"
cp -a "$prefix/." "$flags/prefix/"
sed -i 's/^UKVM_APP_CFLAGS := /UKVM_APP_CFLAGS := -DFLAGS_FROM_APP_FLAGS_MK /' \
    "$flags/prefix/lib/ukvm/app_flags.mk"
printf 'UKVM_PREFIX := %s\ninclude %s/lib/ukvm/app.mk\nprobe.ukvm:\n' "$flags/prefix" \
    "$flags/prefix" >"$flags/Makefile"
cat >"$flags/probe.c" <<'C'
#ifndef FLAGS_FROM_APP_FLAGS_MK
#error "app.mk did not compile with the flags of app_flags.mk"
#endif
#include "solo5.h"
int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    return 0;
}
C
if make -s -C "$flags" >"$tmp/flags.log" 2>&1 && [ -f "$flags/probe.ukvm" ]; then
    pass app-flags-from-app_flags.mk
else
    fail app-flags-from-app_flags.mk "$(tail -n 5 "$tmp/flags.log")"
fi

# UKVM_DEBUG=1: a debug build, where -O2 inlines nothing away: test_inline's static
# functions read_slot and lookup are inlined at -O2 (no symbol of their own) and are
# functions of their own at -O0. Switching the mode either way recompiles without a
# clean, and a build in the same mode does nothing; a wrong value is refused.
dbg=$tmp/dbg
mkdir -p "$dbg"
printf 'include %s/lib/ukvm/app.mk\ninl.ukvm:\n' "$prefix" >"$dbg/Makefile"
cp tests/test_inline/test_inline.c "$dbg/inl.c"
# has_lookup: "yes" when inl.ukvm has lookup as a function of its own.
has_lookup() { nm "$dbg/inl.ukvm" 2>/dev/null | grep -qw lookup && echo yes || echo no; }
seen=''
for mode in '' UKVM_DEBUG=1 UKVM_DEBUG=1 UKVM_DEBUG=0; do
    make -C "$dbg" $mode >"$tmp/dbg.log" 2>&1 || seen="$seen [make $mode failed: $(tail -n 3 "$tmp/dbg.log")]"
    grep -q -- ' -c -o inl.o' "$tmp/dbg.log" && compiled=compiled || compiled=kept
    seen="$seen ${mode:-default}:$(has_lookup):$compiled"
done
want=' default:no:compiled UKVM_DEBUG=1:yes:compiled UKVM_DEBUG=1:yes:kept UKVM_DEBUG=0:no:compiled'
[ "$seen" = "$want" ] && pass app-mk-debug-build ||
    fail app-mk-debug-build "got '$seen', expected '$want'"
if [ -x "$prefix/bin/ukvm" ] && [ -w /dev/kvm ]; then
    make -s -C "$dbg" UKVM_DEBUG=1 >/dev/null 2>&1
    expect_run app-mk-debug-build-runs 0 '' "$prefix/bin/ukvm" "$dbg/inl.ukvm"
fi
if ! make -C "$dbg" UKVM_DEBUG=yes >"$tmp/dbg.log" 2>&1 &&
    grep -q "UKVM_DEBUG=yes: use 1 for a debug build" "$tmp/dbg.log"; then
    pass app-mk-debug-bad-value
else
    fail app-mk-debug-bad-value "$(tail -n 3 "$tmp/dbg.log")"
fi
