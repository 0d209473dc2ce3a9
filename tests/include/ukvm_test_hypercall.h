/*
 * ukvm_test_hypercall.h: TEST-ONLY. A raw hypercall with any argument value, for tests
 * that feed the monitor malformed calls. Real code uses the kernel's hypercall().
 *
 * Like the kernel, it makes the call the way the boot information says: a port write
 * in kernel mode, a store to the hypercall page in user mode (include/ukvm_abi.h).
 */
#ifndef UKVM_TEST_HYPERCALL_H
#define UKVM_TEST_HYPERCALL_H

#include <stdint.h>

#include "ukvm_abi.h"

static inline void test_raw_hypercall(unsigned nr, uint64_t arg)
{
    const volatile struct ukvm_boot_info *bi =
        (const volatile struct ukvm_boot_info *)(uintptr_t)UKVM_BOOT_INFO_GPA;
    if (bi->hypercall_mode == UKVM_HC_BY_STORE)
        __asm__ __volatile__("movq %0, (%1)"
                             :
                             : "r"(arg), "r"(UKVM_HC_MMIO_GPA + 8ULL * nr)
                             : "memory");
    else
        __asm__ __volatile__("outl %0, %1"
                             :
                             : "a"((uint32_t)arg), "d"((uint16_t)(UKVM_HC_PORT_BASE + nr))
                             : "memory");
}

#endif /* UKVM_TEST_HYPERCALL_H */
