#!/usr/bin/env bash
# build/ukvm_kernel.o exports exactly the Solo5 API, the entry point and the stack
# protector's guard and failure function; everything else in it is local, so that an
# application may define any other name (Solo5's test programs define memcpy, memmove,
# strcmp, ... as global functions). Its only undefined symbols are solo5_app_main and
# the three symbols kernel/kernel.ld defines for the TLS segment (kernel/tls.c).
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
kobj=$BUILD/ukvm_kernel.o

# The Solo5 calls the kernel implements (kernel/solo5.h).
SOLO5_API=(solo5_exit solo5_abort solo5_console_write solo5_clock_monotonic solo5_clock_wall
    solo5_yield solo5_block_acquire solo5_block_read solo5_block_write solo5_net_acquire
    solo5_net_read solo5_net_write solo5_set_tls_base)
# Thread-local storage set-up in kernel/tls.c, part of the same API. Required like the
# rest: kernel-exports-tls-api fails until kernel/tls.c defines all three.
SOLO5_TLS_API=(solo5_tls_size solo5_tls_init solo5_tls_tp_offset)
# The ELF entry, and what -fstack-protector code compiled outside the kernel refers to.
ENTRY_AND_SSP=(_start __stack_chk_guard __stack_chk_fail)
ALLOWED=("${SOLO5_API[@]}" "${SOLO5_TLS_API[@]}" "${ENTRY_AND_SSP[@]}")

if [ ! -f "$kobj" ]; then
    fail kernel-exports "$kobj was not built"
    exit 0
fi
# "ADDRESS TYPE NAME" of every global (or weak) defined symbol.
defined=$(nm -g --defined-only "$kobj" | awk '{print $3}' | sort)

leaks=''
for name in $defined; do
    ok=0
    for a in "${ALLOWED[@]}"; do [ "$name" = "$a" ] && ok=1 && break; done
    [ $ok = 1 ] || leaks="$leaks $name"
done
[ -z "$leaks" ] && pass kernel-exports-nothing-else ||
    fail kernel-exports-nothing-else "global symbols outside the Solo5 API:$leaks"

# missing_from NAME...: the names that are not global functions (T) of the kernel object.
missing_from() {
    local name out=''
    for name in "$@"; do
        nm -g --defined-only "$kobj" | grep -qE " T $name\$" || out="$out $name"
    done
    echo "$out"
}
missing=$(missing_from "${SOLO5_API[@]}")
[ -z "$missing" ] && pass kernel-exports-solo5-api ||
    fail kernel-exports-solo5-api "not exported:$missing"
missing=$(missing_from "${SOLO5_TLS_API[@]}")
[ -z "$missing" ] && pass kernel-exports-tls-api ||
    fail kernel-exports-tls-api "not exported:$missing (kernel/tls.c)"
missing=$(missing_from _start __stack_chk_fail)
nm -g --defined-only "$kobj" | grep -qE " [BD] __stack_chk_guard\$" ||
    missing="$missing __stack_chk_guard"
[ -z "$missing" ] && pass kernel-exports-entry-and-ssp ||
    fail kernel-exports-entry-and-ssp "not exported:$missing"

undefined=$(nm -u "$kobj" | awk '{print $2}' | LC_ALL=C sort | tr '\n' ' ')
want='_ukvm_tdata_size _ukvm_tdata_start _ukvm_tls_size solo5_app_main '
[ "$undefined" = "$want" ] && pass kernel-needs-only-solo5_app_main-and-tls-layout ||
    fail kernel-needs-only-solo5_app_main-and-tls-layout "undefined symbols: $undefined (want $want)"
# Each of those layout symbols is defined by the linker script.
for sym in _ukvm_tdata_size _ukvm_tdata_start _ukvm_tls_size; do
    grep -q "^ *$sym = " kernel/kernel.ld || fail "kernel-ld-defines-$sym" "kernel/kernel.ld lacks $sym"
done

# The kernel keeps its own string functions, local: it never calls an application's.
notlocal=''
for name in memcpy memmove memset memcmp strlen; do
    nm "$kobj" | grep -qE " t $name\$" || notlocal="$notlocal $name"
done
[ -z "$notlocal" ] && pass kernel-string-functions-local ||
    fail kernel-string-functions-local "not a local function of the kernel:$notlocal"
