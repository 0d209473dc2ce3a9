#!/usr/bin/env bash
# `make solo5-suite` (tests/solo5/suite.sh), the runner of Solo5's own test suite: without
# a tree it skips in one line; a bad tree is a clear error; against tiny fake Solo5 trees
# made here, it installs ukvm, builds a test program from its place in the tree with the
# installed app.mk (the tree's include/ reachable, ukvm's solo5.h winning, objects left
# in the tree by Solo5's own build ignored), runs it, records a build failure in the
# table, follows tests.bats when there is one, writes the Markdown table, cleans up and
# leaves the tree as it was.
# A fake lib.c with global memset/memcpy/memmove/memcmp/strlen, as Solo5's, links and
# runs (the kernel keeps its own string functions to itself), and the host refuses to
# execute a unikernel directly (PT_INTERP). A network case (net_mtu, which sends no
# traffic) runs in a namespace of the runner's own with Solo5's tap102 and leaves none
# behind; without root it is a SKIP line saying so.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$BUILD"/solo5-suite-ukvm-fake-solo5-$$-*.md' EXIT
skip_line='SKIP solo5-suite: no Solo5 source tree given (make solo5-suite SOLO5=DIR); CI has none'
have_kvm=1
[ -w /dev/kvm ] || have_kvm=0

# has NAME FILE PATTERN: pass NAME when FILE has a line matching the extended regex.
has() {
    if grep -qE -- "$3" "$2"; then
        pass "$1"
    else
        fail "$1" "no line matching '$3' in the runner's output: $(tail -n 15 "$2")"
    fi
}

# case_passed NAME FILE CASE: the runner's verdict on solo5/CASE must be PASS (SKIP when
# this machine has no /dev/kvm and the runner said so).
case_passed() {
    local line
    line=$(grep -m 1 -E "^(PASS|FAIL|SKIP) solo5/$3(:|$)" "$2")
    if [ "$line" = "PASS solo5/$3" ]; then
        pass "$1"
    elif [ $have_kvm = 0 ] && [[ $line == "SKIP solo5/$3: no access to /dev/kvm"* ]]; then
        echo "SKIP $1: /dev/kvm is missing or not writable here"
    else
        fail "$1" "runner said '${line:-nothing about solo5/$3}'; output: $(grep -v '^build ' "$2" | tail -n 12)"
    fi
}

# ---------------------------------------------------------------- no tree, bad trees
out=$(env -u SOLO5 make -s --no-print-directory solo5-suite BUILD="$BUILD" 2>&1 </dev/null)
status=$?
if [ $status = 0 ] && [ "$out" = "$skip_line" ]; then
    pass no-tree-skips
else
    fail no-tree-skips "status $status, output: $out"
fi

out=$(make -s --no-print-directory solo5-suite SOLO5="$tmp/nonexistent" BUILD="$BUILD" 2>&1 </dev/null)
status=$?
if [ $status != 0 ] && [[ $out == *"solo5-suite: SOLO5=$tmp/nonexistent: no such directory"* ]]; then
    pass bad-dir-missing
else
    fail bad-dir-missing "status $status, output: $out"
fi

mkdir -p "$tmp/not-solo5/tests"
out=$(make -s --no-print-directory solo5-suite SOLO5="$tmp/not-solo5" BUILD="$BUILD" 2>&1 </dev/null)
status=$?
if [ $status != 0 ] && [[ $out == *"SOLO5=$tmp/not-solo5 is not a Solo5 source tree"* ]]; then
    pass bad-dir-not-a-tree
else
    fail bad-dir-not-a-tree "status $status, output: $out"
fi

# ---------------------------------------------------------------- fake trees
# make_fake DIR LIB_C: a fake Solo5 tree with Solo5's layout but no tests.bats:
# tests/test_hello/test_hello.c including ../../bindings/lib.c (LIB_C), an include/ with
# an internal header lib.c needs and a solo5.h that must not be used, a stale object
# where Solo5's own build leaves one, and tests/test_globals that does not compile.
make_fake() {
    local d=$1
    mkdir -p "$d/include" "$d/bindings" "$d/tests/test_hello" "$d/tests/test_globals"
    cat >"$d/include/solo5.h" <<'C'
#error "the tree's own solo5.h was used: ukvm's installed solo5.h must win"
C
    cat >"$d/include/fake_internal.h" <<'C'
/* Reached only through -idirafter DIR/include. */
#define FAKE_GREETING "fake tree says hello\n"
C
    cat >"$d/bindings/lib.c"
    cat >"$d/tests/test_hello/test_hello.c" <<'C'
#include "solo5.h"
#include "../../bindings/lib.c"

int solo5_app_main(const struct solo5_start_info *si)
{
    say(FAKE_GREETING);
    if (same(si->cmdline, "Hello_Solo5"))
        say("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
C
    # What a Solo5 build leaves next to the source: never to be linked instead of it.
    echo 'not an object file' >"$d/tests/test_hello/test_hello.o"
    touch -d '+1 hour' "$d/tests/test_hello/test_hello.o" 2>/dev/null || true
    cat >"$d/tests/test_globals/test_globals.c" <<'C'
#error "fake build failure"
C
}

# A lib.c with no global string functions: links against today's kernel.
make_fake "$tmp/ukvm-fake-solo5-$$-a" <<'C'
#include "fake_internal.h"

static unsigned long length(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void say(const char *s)
{
    solo5_console_write(s, length(s));
}
C
fake=$tmp/ukvm-fake-solo5-$$-a
(cd "$fake" && find . -type f -exec md5sum {} + | sort) >"$tmp/before.sum"
mkdir -p "$tmp/runner-tmp"
# Only the source mode: Solo5's own toolchain cannot build a fake tree.
TMPDIR=$tmp/runner-tmp make -s --no-print-directory solo5-suite SOLO5="$fake" BUILD="$BUILD" \
    SOLO5_SUITE_MODES=source \
    >"$tmp/a.out" 2>&1 </dev/null
status=$?
has fake-build "$tmp/a.out" '^build test_hello: ok$'
case_passed fake-hello "$tmp/a.out" hello
has fake-build-failure-recorded "$tmp/a.out" \
    "^FAIL solo5/globals: build failed: test_globals.c:1:2: error: #error \"fake build failure\"$"
has fake-build-table "$tmp/a.out" '^test_globals +\| FAILED +\| test_globals.c:1:2: error: #error "fake build failure"$'
has fake-case-table "$tmp/a.out" '^hello hvt +\| status 0, output has SUCCESS +\| (PASS|SKIP) +\|'
if [ $status != 0 ]; then
    pass fake-failure-fails-the-run
else
    fail fake-failure-fails-the-run "status 0 although solo5/globals failed to build"
fi
# make's own line about the failure: "make: ***", or "make[N]: ***" under `make test`.
last=$(grep -vE '^make(\[[0-9]+\])?: \*\*\*' "$tmp/a.out" | tail -n 1)
if [[ $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
    pass fake-summary-line
else
    fail fake-summary-line "last line: $last"
fi
md=$BUILD/solo5-suite-ukvm-fake-solo5-$$-a.md
if [ -f "$md" ] && grep -qE '^\| hello hvt \| status 0, output has SUCCESS \| (PASS|SKIP) \|' "$md" &&
    grep -qF '| test_globals | FAILED | test_globals.c:1:2: error: #error "fake build failure" |' "$md"; then
    pass fake-markdown-table
else
    fail fake-markdown-table "$md: $(head -n 20 "$md" 2>&1)"
fi
if [ -z "$(ls -A "$tmp/runner-tmp")" ]; then
    pass fake-temp-cleaned
else
    fail fake-temp-cleaned "left behind: $(ls -A "$tmp/runner-tmp")"
fi
if (cd "$fake" && find . -type f -exec md5sum {} + | sort) | cmp -s - "$tmp/before.sum"; then
    pass fake-tree-untouched
else
    fail fake-tree-untouched "the runner changed files in $fake"
fi
# Running the unikernel directly on the host: refused by the host (status 127), because
# unikernels carry a PT_INTERP that cannot exist.
case_passed fake-noexec-host "$tmp/a.out" noexec-host

# With a tests.bats, its cases decide: a known one runs, a non-hvt one is not listed, an
# unknown hvt one fails, and a program without a case (test_globals) is built only.
b=$tmp/ukvm-fake-solo5-$$-b
cp -r "$fake" "$b"
cat >"$b/tests/tests.bats" <<'BATS'
@test "hello hvt" {
  hvt_run test_hello/test_hello.hvt Hello_Solo5
  expect_success
}

@test "hello spt" {
  spt_run test_hello/test_hello.spt Hello_Solo5
  expect_success
}

@test "frobnicate hvt" {
  hvt_run test_frobnicate/test_frobnicate.hvt
  expect_success
}
BATS
tests/solo5/suite.sh "$b" >"$tmp/b.out" 2>&1 </dev/null
status=$?
case_passed bats-known-case-runs "$tmp/b.out" hello
has bats-unknown-case-fails "$tmp/b.out" '^FAIL solo5/frobnicate: a tests.bats case this runner does not know'
if ! grep -qE 'solo5/(hello-spt|globals|noexec-host)' "$tmp/b.out" && [ $status = 1 ]; then
    pass bats-lists-only-its-hvt-cases
else
    fail bats-lists-only-its-hvt-cases "status $status: $(grep -E '^(PASS|FAIL|SKIP) ' "$tmp/b.out")"
fi

# A network case, net_mtu (no pings, so cheap): in a namespace of the runner's own with
# Solo5's tap102 (MTU 9000), the guest sees that MTU; the namespace is gone afterwards.
# Without root or /dev/net/tun the runner must say so in a SKIP line.
d=$tmp/ukvm-fake-solo5-$$-d
cp -r "$fake" "$d"
mkdir -p "$d/tests/test_net_mtu"
cat >"$d/tests/test_net_mtu/test_net_mtu.c" <<'C'
#include "solo5.h"
#include "../../bindings/lib.c"

int solo5_app_main(const struct solo5_start_info *si)
{
    solo5_handle_t h;
    struct solo5_net_info info;
    char digits[24];
    int i = sizeof(digits) - 1;
    unsigned long v;

    (void)si;
    if (solo5_net_acquire("service0", &h, &info) != SOLO5_R_OK) {
        say("FAILURE\n");
        return SOLO5_EXIT_FAILURE;
    }
    v = info.mtu;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    say("MTU is ");
    say(&digits[i]);
    say("\nSUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
C
cat >"$d/tests/tests.bats" <<'BATS'
@test "net_mtu hvt" {
  skip_unless_root
  hvt_run --net:service0=${NET2} -- test_net_mtu/test_net_mtu.hvt
  [[ "$output" == *"MTU is 9000"* ]]
  expect_success
}
BATS
tests/solo5/suite.sh "$d" >"$tmp/d.out" 2>&1 </dev/null
status=$?
line=$(grep -m 1 -E '^(PASS|FAIL|SKIP) solo5/net_mtu(:|$)' "$tmp/d.out")
if [ "$line" = "PASS solo5/net_mtu" ] && [ $status = 0 ] &&
    grep -qE '^time solo5/net_mtu: [0-9]+\.[0-9] s$' "$tmp/d.out" &&
    grep -qE '^net_mtu hvt +\| .* \| PASS +\| ukvm: the same; own namespace; [0-9.]+ s$' "$tmp/d.out"; then
    pass fake-net-mtu
elif [ "$(id -u)" != 0 ] && [ "$line" = "SKIP solo5/net_mtu: needs root (tap interfaces and ping -f; tests.bats skips it too)" ]; then
    pass fake-net-mtu-skips-without-root
elif [ $have_kvm = 0 ] && [[ $line == "SKIP solo5/net_mtu: no access to /dev/kvm"* ]]; then
    echo "SKIP fake-net-mtu: /dev/kvm is missing or not writable here"
elif [ ! -c /dev/net/tun ] && [[ $line == "SKIP solo5/net_mtu: no /dev/net/tun"* ]]; then
    echo "SKIP fake-net-mtu: no /dev/net/tun here"
else
    fail fake-net-mtu "status $status, runner said '${line:-nothing about solo5/net_mtu}'; output: $(grep -v '^build ' "$tmp/d.out" | tail -n 12)"
fi
if ! ip netns list 2>/dev/null | grep -q "^ukvm-solo5-"; then
    pass fake-net-namespace-removed
else
    fail fake-net-namespace-removed "left behind: $(ip netns list | grep '^ukvm-solo5-')"
fi
out=$(SOLO5_SUITE_NET_TIMEOUT=soon tests/solo5/suite.sh "$d" 2>&1 </dev/null)
status=$?
if [ $status = 2 ] && [[ $out == *"SOLO5_SUITE_NET_TIMEOUT must be a positive whole number of seconds, not 'soon'"* ]]; then
    pass bad-net-timeout
else
    fail bad-net-timeout "status $status, output: $out"
fi

# The second fake case: a lib.c like Solo5's, with global string functions. It links only
# because the kernel keeps its own to itself (no "multiple definition").
{
    c=$tmp/ukvm-fake-solo5-$$-c
    make_fake "$c" <<'C'
#include "fake_internal.h"

#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALLS void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

NO_LIBCALLS void *memcpy(void *d, const void *s, unsigned long n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

NO_LIBCALLS void *memmove(void *d, const void *s, unsigned long n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    if (p < q)
        return memcpy(d, s, n);
    while (n--)
        p[n] = q[n];
    return d;
}

int memcmp(const void *a, const void *b, unsigned long n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

unsigned long strlen(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static int same(const char *a, const char *b)
{
    char buf[32];
    unsigned long n = strlen(a);
    if (n >= sizeof(buf) || n != strlen(b))
        return 0;
    memset(buf, 0, sizeof(buf));
    memcpy(buf, a, n);
    memmove(buf + 1, buf, n);
    return memcmp(buf + 1, b, n) == 0;
}

static void say(const char *s)
{
    solo5_console_write(s, strlen(s));
}
C
    tests/solo5/suite.sh "$c" >"$tmp/c.out" 2>&1 </dev/null
    case_passed fake-global-string-functions "$tmp/c.out" hello
}
