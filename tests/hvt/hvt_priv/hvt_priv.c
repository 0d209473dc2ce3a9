/*
 * hvt_priv: the privileged instructions of a kernel built for CPL 0, as a Solo5 guest
 * runs them; in user mode ukvm emulates some and refuses the rest
 * (ukvm/abi/hvt/hvt_privileged.c). The first command-line word selects one case:
 *
 *   cli_sti      cli, sti, then exit 0: no-ops in user mode
 *   fs_base      wrmsr IA32_FS_BASE, then a load through %fs reads the variable it names
 *   cr2          a write to an unmapped address: the runtime's #PF handler reads CR2
 *                with mov %cr2 and prints it (cr2=0x7ff000000)
 *   hlt          cli; hlt: "hlt with interrupts off" in both modes
 *   out_port     a 1-byte out to port 0x80: a guest error in both modes
 *   in_port      a 4-byte in from port 0x500: a guest error in both modes
 *   wrmsr_other  wrmsr to IA32_SYSENTER_CS: kernel mode writes it; user mode refuses it
 *   iretq        iretq to the next instruction: kernel mode returns; user mode refuses it
 *   lidt_bad     lidt from an unmapped address: kernel mode #PF (the runtime's handler);
 *                user mode refuses it
 *
 * A case that goes on when it should not prints "FAIL: ..." and exits 99; a case that
 * completes prints "priv: CASE done" and exits 0.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

#define MSR_FS_BASE     0xc0000100u
#define MSR_SYSENTER_CS 0x174u
#define UNMAPPED        0x7ff000000ull /* above every guest's memory, below 512 GiB */

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static volatile uint64_t tls_word = 0x5eed;

static void iretq_to_next(void)
{
    __asm__ __volatile__("movq %%rsp, %%rax\n\t"
                         "pushq $0x10\n\t" /* ss: the runtime's data segment */
                         "pushq %%rax\n\t"
                         "pushfq\n\t"
                         "pushq $0x08\n\t" /* cs: the runtime's code segment */
                         "leaq 1f(%%rip), %%rax\n\t"
                         "pushq %%rax\n\t"
                         "iretq\n"
                         "1:"
                         :
                         :
                         : "rax", "memory", "cc");
}

int hvt_main(const struct hvt_boot_info *bi)
{
    const char *c = (const char *)(uintptr_t)bi->cmdline;

    hvt_printf("priv: %s\n", c);
    if (hvt_has_word("cli_sti")) {
        __asm__ __volatile__("cli; sti" ::: "memory");
    } else if (hvt_has_word("fs_base")) {
        uint64_t v;
        wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)&tls_word);
        __asm__ __volatile__("movq %%fs:0, %0" : "=r"(v));
        if (v != 0x5eed)
            hvt_fail("a load through %%fs read 0x%lx, not 0x5eed", v);
    } else if (hvt_has_word("cr2")) {
        *(volatile uint64_t *)UNMAPPED = 1;
        hvt_fail("the write to 0x%lx did not fault", (unsigned long)UNMAPPED);
    } else if (hvt_has_word("hlt")) {
        __asm__ __volatile__("cli; hlt" ::: "memory");
        hvt_fail("hlt returned");
    } else if (hvt_has_word("out_port")) {
        /* The labels mark the instructions for tests/scripts/fault_site.sh. */
        __asm__ __volatile__(".globl out_port_insn\nout_port_insn:\n\toutb %%al, $0x80" : : "a"(0));
        hvt_fail("out to port 0x80 went through");
    } else if (hvt_has_word("in_port")) {
        uint32_t v;
        __asm__ __volatile__(".globl in_port_insn\nin_port_insn:\n\tinl %%dx, %%eax"
                             : "=a"(v)
                             : "d"(0x500));
        hvt_fail("in from port 0x500 went through (0x%x)", v);
    } else if (hvt_has_word("wrmsr_other")) {
        wrmsr(MSR_SYSENTER_CS, 0);
    } else if (hvt_has_word("iretq")) {
        iretq_to_next();
    } else if (hvt_has_word("lidt_bad")) {
        struct {
            uint16_t limit;
            uint64_t base;
        } __attribute__((packed)) *bad = (void *)(uintptr_t)UNMAPPED;
        __asm__ __volatile__("lidt %0" : : "m"(*bad) : "memory");
        hvt_fail("lidt from an unmapped address went through");
    } else {
        hvt_fail("usage: hvt_priv CASE (see hvt_priv.c)");
    }
    hvt_printf("priv: %s done\n", c);
    return 0;
}
