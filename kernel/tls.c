/*
 * tls.c: solo5_set_tls_base, the %fs base for thread-local storage.
 */
#include "solo5.h"

#define MSR_FS_BASE 0xc0000100

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
    __asm__ __volatile__("wrmsr"
                         :
                         : "c"(MSR_FS_BASE), "a"((uint32_t)base), "d"((uint32_t)(base >> 32)));
    return SOLO5_R_OK;
}
