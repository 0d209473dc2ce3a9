/*
 * hvt_xnow: a guest that writes to its own code. Its text segment is PF_X only (hvt.ld,
 * as Solo5 links it), so the monitor maps it read-only: the write must end the guest.
 * solo5-hvt protects the pages on the host side (the write is a KVM "host/guest
 * translation fault"); a monitor that maps the segment read-only in the guest's page
 * tables gets a #PF instead, which the guest's handler turns into HALT 255 with the trap
 * frame. Either way the guest ends; if the write succeeds it prints "FAIL: ..." and
 * exits 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

__attribute__((noinline)) static void write_text(volatile uint8_t *code)
{
    *code = 0xcc; /* int3 over the first byte of hvt_main */
}

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    hvt_printf("xnow: writing to code at %p\n", (void *)hvt_main);
    write_text((volatile uint8_t *)(uintptr_t)hvt_main);
    hvt_fail("a write to the text segment succeeded");
}
