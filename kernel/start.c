/*
 * start.c: from the boot information to solo5_app_main, and back out through solo5_exit.
 */
#include "asm_defs.h" /* compile-time checks of the numbers the .S files use */
#include "hypercall.h"
#include "kernel.h"
#include "solo5.h"

uint64_t kernel_hypercall_mode;

/* Static, as Solo5 promises: the application may keep the pointer. */
static struct solo5_start_info start_info;

void kernel_main(const struct ukvm_boot_info *bi)
{
    /* Before any hypercall, even the aborts below: port I/O or stores. */
    kernel_hypercall_mode = bi->hypercall_mode;

    /*
     * First, so that any fault from here on is reported with registers, not a reset. In
     * user mode the monitor's IDT is loaded already, and lidt would fault.
     */
    if (kernel_hypercall_mode != UKVM_HC_BY_STORE)
        idt_init();

    /*
     * A monitor for another ABI may lay out everything differently: stop before using any
     * other field. (UKVM_HC_ABORT is the one call both sides must keep stable.)
     */
    if (bi->magic != UKVM_BOOT_MAGIC) {
        static const char msg[] = "ukvm kernel: bad boot info magic";
        kernel_abort(msg, LITERAL_LEN(msg));
    }
    if (bi->abi_version != UKVM_ABI_VERSION) {
        static const char msg[] = "ukvm kernel: boot info ABI version differs from the kernel's";
        kernel_abort(msg, LITERAL_LEN(msg));
    }
    if (bi->hypercall_mode != UKVM_HC_BY_PORT && bi->hypercall_mode != UKVM_HC_BY_STORE) {
        static const char msg[] = "ukvm kernel: boot info hypercall_mode unknown";
        kernel_abort(msg, LITERAL_LEN(msg));
    }
    if (clock_init(bi) != 0) {
        static const char msg[] = "ukvm kernel: boot info tsc_shift out of range";
        kernel_abort(msg, LITERAL_LEN(msg));
    }

    start_info.cmdline = cmdline_skip_solo5_options((const char *)(uintptr_t)bi->cmdline);
    start_info.heap_start = (uintptr_t)bi->heap_start;
    start_info.heap_size = (size_t)bi->heap_size;

    solo5_exit(solo5_app_main(&start_info));
}

void solo5_exit(int status)
{
    /* Sign-extended: the monitor reduces it to an exit status (-1 becomes 255). */
    struct ukvm_hc_halt halt = {.status = (uint64_t)(int64_t)status};

    hypercall(UKVM_HC_HALT, &halt);
    /* The monitor does not resume after UKVM_HC_HALT. */
    for (;;)
        __asm__ __volatile__("cli; hlt");
}
