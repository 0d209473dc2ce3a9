/*
 * hvt_fault: CPU exceptions and aborts, the way a Solo5 guest ends on them: its exception
 * handler builds the trap frame (struct hvt_trap_regs) and halts with status 255 and the
 * frame's address as the HALT cookie; an abort halts with status 255 and cookie 0. The
 * monitor reports where the guest stopped from the frame (under ukvm: the exception, the
 * faulting function and its source line). The first command-line word selects the case:
 *
 *   null_write   a write through a NULL pointer: #PF (page 0 is never mapped)
 *   ud2          an invalid opcode: #UD
 *   div0         an integer division by zero: #DE
 *   abort        "ABORT: hvt_fault.c:LINE: ..." on the console, HALT 255 with cookie 0
 *   trap_flag    sets the trap flag itself (popf): #DB after the next instruction, the
 *                guest's own, which its handler gets and reports like any trap
 *
 * If the fault does not end the guest, it prints "FAIL: ..." and exits 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

__attribute__((noinline)) static void null_write(void)
{
    volatile int *volatile p = 0;

    *p = 1;
}

__attribute__((noinline)) static void invalid_opcode(void)
{
    __asm__ __volatile__("ud2");
}

__attribute__((noinline)) static uint64_t divide_by_zero(uint64_t a)
{
    volatile uint64_t zero = 0;

    return a / zero;
}

__attribute__((noinline)) static void abort_here(void)
{
    HVT_ABORT("deliberate abort");
}

__attribute__((noinline)) static void trap_flag(void)
{
    __asm__ __volatile__("pushfq; orq $0x100, (%%rsp); popfq; nop" : : : "memory", "cc");
}

int hvt_main(const struct hvt_boot_info *bi)
{
    hvt_printf("fault: %s\n", (const char *)(uintptr_t)bi->cmdline);
    if (hvt_has_word("null_write"))
        null_write();
    else if (hvt_has_word("ud2"))
        invalid_opcode();
    else if (hvt_has_word("div0"))
        hvt_printf("%lu\n", divide_by_zero(42));
    else if (hvt_has_word("abort"))
        abort_here();
    else if (hvt_has_word("trap_flag"))
        trap_flag();
    else
        hvt_fail("usage: hvt_fault null_write|ud2|div0|abort|trap_flag");
    hvt_fail("the fault did not end the guest");
}
