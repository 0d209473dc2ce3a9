/*
 * tls.c: thread-local storage: the TLS block helpers of solo5.h and solo5_set_tls_base.
 *
 * The kernel has no threads: the application makes its own TLS blocks and switches
 * between them. These helpers only need the program's TLS segment, which kernel.ld
 * describes with three symbols (absolute values, read through their addresses):
 *
 *   _ukvm_tdata_start   where the initial values of .tdata sit in the image
 *   _ukvm_tdata_size    bytes of .tdata
 *   _ukvm_tls_size      bytes of .tdata + .tbss, rounded up to the segment's alignment:
 *                       the linker computes every %fs-relative offset from that rounded
 *                       size, so the thread pointer must sit exactly that far up
 */
#include "hypercall.h"
#include "lib.h"
#include "solo5.h"

#define MSR_FS_BASE 0xc0000100

extern const char _ukvm_tdata_start[];
extern const char _ukvm_tdata_size[];
extern const char _ukvm_tls_size[];

/* The TCB of x86_64 variant II: the word at the thread pointer holds its own address. */
struct tls_tcb {
    uintptr_t self;
};

size_t solo5_tls_size(void)
{
    return (size_t)(uintptr_t)_ukvm_tls_size + sizeof(struct tls_tcb);
}

uintptr_t solo5_tls_tp_offset(uintptr_t tls)
{
    return tls + (uintptr_t)_ukvm_tls_size;
}

solo5_result_t solo5_tls_init(uintptr_t tls)
{
    if (tls == 0)
        return SOLO5_R_EINVAL;
    size_t tdata = (size_t)(uintptr_t)_ukvm_tdata_size;
    size_t tls_size = (size_t)(uintptr_t)_ukvm_tls_size;

    memcpy((void *)tls, _ukvm_tdata_start, tdata);
    memset((void *)(tls + tdata), 0, tls_size - tdata);
    struct tls_tcb *tcb = (struct tls_tcb *)solo5_tls_tp_offset(tls);
    tcb->self = (uintptr_t)tcb;
    return SOLO5_R_OK;
}

/*
 * True if (addr) is canonical for 48-bit virtual addresses: bits 63..47 all equal.
 * Writing a non-canonical FS base raises #GP.
 */
static bool is_canonical(uint64_t addr)
{
    return (uint64_t)((int64_t)(addr << 16) >> 16) == addr;
}

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    if (!is_canonical(base))
        return SOLO5_R_EINVAL;
    if (kernel_hypercall_mode == UKVM_HC_BY_STORE) {
        /* wrmsr faults at CPL 3: the monitor sets the base. */
        struct ukvm_hc_tls_base call = {.base = base};
        hypercall(UKVM_HC_SET_TLS_BASE, &call);
        return SOLO5_R_OK;
    }
    __asm__ __volatile__("wrmsr"
                         :
                         : "c"(MSR_FS_BASE), "a"((uint32_t)base), "d"((uint32_t)(base >> 32)));
    return SOLO5_R_OK;
}
