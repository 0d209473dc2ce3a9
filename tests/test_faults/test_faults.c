/*
 * test_faults: one way for the guest to die per variant (first command-line word), each
 * of which ukvm must report precisely:
 *
 *   write_text  write to the kernel's own code: text is mapped read-only
 *   exec_data   call into a data array: data is mapped no-execute
 *   ud          ud2: invalid opcode
 *   div0        divide by zero
 *   gp          load from a non-canonical address: general protection
 *   triple      load an empty IDT, then fault: nothing can be delivered, triple fault
 *   hlt         cli; hlt without solo5_exit
 *   bad_port    a 1-byte write to port 0x80 (no such device)
 *   icebp       icebp (int1, 0xf1): a debug exception the guest raises itself, not the
 *               debugger's; the kernel reports it as a fatal trap
 *   trap_flag   sets the trap flag in rflags itself (popf): a single-step #DB after the
 *               next instruction, again not the debugger's
 *   rep_outs    rep outsl of two PUTS argument addresses to the PUTS port: a hypercall is
 *               one 4-byte out, so the monitor must refuse it (not serve only the first)
 *   bad_hypercall  PUTS whose argument struct lies outside guest memory, made as the boot
 *               info says (a port write in kernel mode, a store in user mode)
 *
 * Every faulting function is noinline so the report can name it.
 */
#include "solo5.h"
#include "ukvm_abi.h"

/* noipa: no inlining, cloning or interprocedural changes, so names stay as written */
#define NOINLINE __attribute__((noipa))

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

/* A "ret" instruction in writable, no-execute data. */
static unsigned char data_code[16] = {0xc3};

NOINLINE static void write_text(void)
{
    volatile unsigned char *p = (volatile unsigned char *)(uintptr_t)&solo5_app_main;
    *p = 0x90;
}

NOINLINE static void exec_data(void)
{
    void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;
    __asm__ __volatile__("" : "+r"(fn)); /* keep the call: the compiler cannot see through */
    fn();
}

NOINLINE static void invalid_opcode(void)
{
    __asm__ __volatile__("ud2");
}

NOINLINE static int divide(volatile int divisor)
{
    return 100 / divisor;
}

NOINLINE static void non_canonical(void)
{
    volatile unsigned long *p = (volatile unsigned long *)0x8000000000000000UL;
    (void)*p;
}

NOINLINE static void triple(void)
{
    struct {
        unsigned short limit;
        unsigned long base;
    } __attribute__((packed)) empty = {0, 0};
    __asm__ __volatile__("lidt %0; ud2" : : "m"(empty));
}

NOINLINE static void halt(void)
{
    __asm__ __volatile__("cli; hlt");
}

/* The global labels mark the faulting instructions for tests/scripts/fault_site.sh. */
NOINLINE static void bad_port(void)
{
    __asm__ __volatile__(".globl bad_port_insn\nbad_port_insn:\n\toutb %%al, $0x80" : : "a"(0));
}

/* PUTS with its argument struct outside guest memory, as the boot info says to call. */
NOINLINE static void bad_hypercall(void)
{
    const volatile struct ukvm_boot_info *bi =
        (const volatile struct ukvm_boot_info *)(uintptr_t)UKVM_BOOT_INFO_GPA;
    if (bi->hypercall_mode == UKVM_HC_BY_STORE)
        __asm__ __volatile__(".globl bad_hypercall_store\nbad_hypercall_store:\n\tmovq %0, (%1)"
                             :
                             : "r"(0xfffffff8ULL), "r"(UKVM_HC_MMIO_GPA + 8ULL * UKVM_HC_PUTS)
                             : "memory");
    else
        __asm__ __volatile__(".globl bad_hypercall_out\nbad_hypercall_out:\n\toutl %0, %1"
                             :
                             : "a"(0xfffffff8U), "d"((uint16_t)(UKVM_HC_PORT_BASE + UKVM_HC_PUTS))
                             : "memory");
}

NOINLINE static void icebp(void)
{
    __asm__ __volatile__(".byte 0xf1");
}

NOINLINE static void trap_flag(void)
{
    __asm__ __volatile__("pushfq; orq $0x100, (%%rsp); popfq; nop" : : : "memory", "cc");
}

/* Filled field by field: an initializer may be copied with SSE, which emulation refuses. */
static volatile struct ukvm_hc_puts rep_call;
static volatile uint32_t rep_args[2];

NOINLINE static void rep_outs(void)
{
    static const char msg[] = "FAIL: rep outs served\n";
    rep_call.data = (uint64_t)(uintptr_t)msg;
    rep_call.len = sizeof(msg) - 1;
    rep_args[0] = (uint32_t)(uintptr_t)&rep_call;
    rep_args[1] = (uint32_t)(uintptr_t)&rep_call;
    uint64_t count = 2;
    const volatile uint32_t *src = rep_args;
    __asm__ __volatile__("rep outsl"
                         : "+S"(src), "+c"(count)
                         : "d"((uint16_t)(UKVM_HC_PORT_BASE + UKVM_HC_PUTS))
                         : "memory");
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *v = si->cmdline;
    puts_("test_faults: ");
    puts_(v);
    puts_("\n");
    if (streq(v, "write_text"))
        write_text();
    else if (streq(v, "exec_data"))
        exec_data();
    else if (streq(v, "ud"))
        invalid_opcode();
    else if (streq(v, "div0"))
        return divide(0);
    else if (streq(v, "gp"))
        non_canonical();
    else if (streq(v, "triple"))
        triple();
    else if (streq(v, "hlt"))
        halt();
    else if (streq(v, "bad_port"))
        bad_port();
    else if (streq(v, "icebp"))
        icebp();
    else if (streq(v, "trap_flag"))
        trap_flag();
    else if (streq(v, "rep_outs"))
        rep_outs();
    else if (streq(v, "bad_hypercall"))
        bad_hypercall();
    else {
        puts_("usage: test_faults VARIANT (see test_faults.c)\n");
        return 2;
    }
    puts_("FAIL: the guest survived\n");
    return 1;
}
