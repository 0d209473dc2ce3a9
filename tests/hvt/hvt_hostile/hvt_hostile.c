/*
 * hvt_hostile: hypercalls with arguments a monitor must refuse by ending the guest (status
 * 255 and a message naming the call under ukvm), never by crashing and never by touching
 * memory outside the guest. Each ends the guest, so the first command-line word selects
 * one case:
 *
 *   arg_oob          PUTS whose argument struct lies outside guest memory (0xfffffff8)
 *   arg_end          PUTS whose 16-byte argument struct straddles the end of memory
 *   puts_oob         PUTS whose data starts at mem_size
 *   puts_wrap        PUTS whose data + len wraps around 2^64 (data 1 MiB, len ~0)
 *   puts_huge        PUTS of 1 TiB from 1 MiB: no wrap, far past the end of memory
 *   block_read_oob   BLOCK_READ of one valid block into a buffer straddling the end
 *   block_write_oob  BLOCK_WRITE of one valid block from a buffer at mem_size
 *   unknown_hc       hypercall 9 (HVT_HC_MAX), which does not exist
 *   hc0              hypercall 0, reserved
 *   net_write        NET_WRITE of a frame at mem_size, outside guest memory
 *   cookie_oob       HALT (status 7) whose cookie lies outside guest memory
 *   cookie_end       HALT (status 7) whose cookie has fewer than 512 bytes of memory above
 *   rep_outs         rep outsl of two PUTS argument addresses to the PUTS port: a hypercall
 *                    is one 4-byte out; serving the first alone would drop the second
 *
 * The manifest declares block device "storage" (handle 1), which every spec attaches.
 * If the monitor lets a call through, the guest prints "FAIL: ..." and exits 99; no or an
 * unknown case word: usage, exit 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(2, HVT_MFT_RESERVED, HVT_MFT_BLOCK("storage"));

#define STORAGE 1

static uint32_t addr32(volatile void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static void puts_raw(uint64_t data, uint64_t len)
{
    volatile struct hvt_hc_puts call;

    call.data = data;
    call.len = len;
    hvt_hypercall(HVT_HC_PUTS, &call);
}

static void block_raw(enum hvt_hypercall nr, uint64_t data)
{
    volatile struct hvt_hc_block_io call;

    call.handle = STORAGE;
    call.offset = 0;
    call.data = data;
    call.len = 512;
    call.ret = -1;
    hvt_hypercall(nr, &call);
    hvt_printf("(ret %d)\n", call.ret);
}

static void halt_raw(uint64_t cookie)
{
    volatile struct hvt_hc_halt call;

    call.cookie = cookie;
    call.exit_status = 7;
    call.pad = 0;
    hvt_hypercall(HVT_HC_HALT, &call);
}

int hvt_main(const struct hvt_boot_info *bi)
{
    uint64_t mem = bi->mem_size;
    const char *c = (const char *)(uintptr_t)bi->cmdline;

    hvt_printf("hostile: %s\n", c);
    if (hvt_has_word("arg_oob")) {
        hvt_hypercall_raw(HVT_HC_PUTS, 0xfffffff8u);
    } else if (hvt_has_word("arg_end")) {
        hvt_hypercall_raw(HVT_HC_PUTS, (uint32_t)(mem - 8));
    } else if (hvt_has_word("puts_oob")) {
        puts_raw(mem, 16);
    } else if (hvt_has_word("puts_wrap")) {
        puts_raw(HVT_GUEST_MIN_BASE, ~0ull);
    } else if (hvt_has_word("puts_huge")) {
        puts_raw(HVT_GUEST_MIN_BASE, 1ull << 40);
    } else if (hvt_has_word("block_read_oob")) {
        block_raw(HVT_HC_BLOCK_READ, mem - 256);
    } else if (hvt_has_word("block_write_oob")) {
        block_raw(HVT_HC_BLOCK_WRITE, mem);
    } else if (hvt_has_word("unknown_hc")) {
        volatile struct hvt_hc_puts call;
        call.data = 0;
        call.len = 0;
        hvt_hypercall_raw(HVT_HC_MAX, addr32(&call));
    } else if (hvt_has_word("hc0")) {
        volatile struct hvt_hc_puts call;
        call.data = 0;
        call.len = 0;
        hvt_hypercall_raw(0, addr32(&call));
    } else if (hvt_has_word("net_write")) {
        volatile struct hvt_hc_net_io call;
        call.handle = STORAGE;
        call.data = mem;
        call.len = 64;
        call.ret = -1;
        hvt_hypercall(HVT_HC_NET_WRITE, &call);
        hvt_printf("(ret %d)\n", call.ret);
    } else if (hvt_has_word("rep_outs")) {
        static const char msg[] = "FAIL: rep outs served\n";
        volatile struct hvt_hc_puts call;
        volatile uint32_t args[2];
        call.data = (uint64_t)(uintptr_t)msg;
        call.len = sizeof(msg) - 1;
        args[0] = addr32(&call);
        args[1] = addr32(&call);
        const volatile uint32_t *src = args;
        uint64_t count = 2;
        __asm__ __volatile__("rep outsl"
                             : "+S"(src), "+c"(count)
                             : "d"((uint16_t)(HVT_HYPERCALL_PIO_BASE + HVT_HC_PUTS))
                             : "memory");
    } else if (hvt_has_word("cookie_oob")) {
        halt_raw(mem + 0x1000);
    } else if (hvt_has_word("cookie_end")) {
        halt_raw(mem - HVT_HALT_COOKIE_MAX / 2);
    } else {
        hvt_fail("usage: hvt_hostile CASE (see hvt_hostile.c)");
    }
    hvt_fail("the monitor let the call through: %s", c);
}
