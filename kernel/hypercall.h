/*
 * hypercall.h: how the kernel calls the monitor.
 *
 * One instruction. In kernel mode `outl %eax, %dx`: the port (UKVM_HC_PORT_BASE + call
 * number) says which call, eax holds the guest-physical address of the call's argument
 * struct. Guest virtual == guest physical, so a pointer is its own physical address, and
 * all guest memory lies below 4 GiB, so it fits in eax. In user mode, where port I/O
 * faults, an 8-byte store of that address to UKVM_HC_MMIO_GPA + 8 * number, a page with
 * no memory behind it. Either way the monitor reads the struct, does the work and
 * writes the results back into it before the guest resumes.
 */
#ifndef KERNEL_HYPERCALL_H
#define KERNEL_HYPERCALL_H

#include <stdint.h>
#include "ukvm_abi.h"

/*
 * Performs hypercall (nr) with the argument struct at (arg). Returns once the monitor has
 * filled in the struct's results; for UKVM_HC_HALT, UKVM_HC_ABORT and UKVM_HC_TRAP the
 * monitor does not resume the guest.
 */
/* enum ukvm_hypercall_mode, copied from the boot information first thing (start.c). */
extern uint64_t kernel_hypercall_mode;

static inline void hypercall(enum ukvm_hypercall nr, volatile void *arg)
{
    /*
     * The "memory" clobber makes the compiler write the struct out before the call and
     * read the results back after it; passing the address makes the struct escape.
     */
    if (kernel_hypercall_mode == UKVM_HC_BY_STORE)
        __asm__ __volatile__("movq %0, (%1)"
                             :
                             : "r"((uint64_t)(uintptr_t)arg), "r"(UKVM_HC_MMIO_GPA + 8 * nr)
                             : "memory");
    else
        __asm__ __volatile__("outl %0, %1"
                             :
                             : "a"((uint32_t)(uintptr_t)arg),
                               "d"((uint16_t)(UKVM_HC_PORT_BASE + nr))
                             : "memory");
}

#endif /* KERNEL_HYPERCALL_H */
