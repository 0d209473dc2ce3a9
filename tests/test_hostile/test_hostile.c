/*
 * test_hostile: raw hypercalls with bad arguments, which the monitor must refuse by
 * ending the guest with a message naming the hypercall (never by crashing, never by
 * touching memory outside the guest). Each bad call ends the guest, so the first
 * command-line argument selects one variant:
 *
 *   puts_oob       PUTS whose data starts at mem_size (just past guest memory).
 *   puts_overflow  PUTS whose data + len wraps around 2^64 (data 0x100000, len ~0).
 *   arg_oob        PUTS whose argument struct itself lies outside guest memory: eax =
 *                  0xfffffff8, so the 16-byte struct ends above 4 GiB, past any mem_size.
 *   block_oob      BLOCK_READ of one valid block into a buffer that straddles the end of
 *                  guest memory (needs a disk: UKVM_OPTS=(--disk=...) with >= 512 bytes).
 *   unknown_hc     a hypercall number the ABI does not define (UKVM_HC_COUNT).
 * In user mode only (stores to the hypercall page; in kernel mode it is not mapped):
 *   fake_trap      a 1-byte store where the monitor's trap stubs store (vector 14): a
 *                  guest must not be able to forge an exception report.
 *   short_store    a 4-byte store at PUTS's slot: hypercalls are 8-byte stores.
 *   high_arg       a PUTS whose argument address is above 4 GiB.
 *   write_gdt      a write to the GDT, a page of the monitor's (supervisor-only).
 *   trap_call      a TRAP hypercall with a made-up frame: exceptions come through the
 *                  monitor's stubs in user mode, so the call could only forge one.
 *
 * Expected result for every variant: exit status 255, stderr naming the call ("PUTS",
 * "BLOCK_READ", or the unknown number). If the monitor lets a bad call through, the
 * variant prints "FAIL: ..." and exits 1. No or unknown argument: usage, exit 2.
 *
 * The guest reads mem_size from the boot information (identity-mapped at
 * UKVM_BOOT_INFO_GPA), which no Solo5 call exposes.
 */
#include "solo5.h"
#include "ukvm_abi.h"
#include "../include/ukvm_test_hypercall.h"

static void puts(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

/* The raw hypercall, with a (any) 32-bit argument address. */
static void raw_hypercall(unsigned nr, uint32_t arg)
{
    test_raw_hypercall(nr, arg);
}

static uint32_t addr32(volatile void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static uint64_t mem_size(void)
{
    const volatile struct ukvm_boot_info *bi =
        (const volatile struct ukvm_boot_info *)(uintptr_t)UKVM_BOOT_INFO_GPA;
    return bi->mem_size;
}

/* True if the first word of cmdline is word. */
static int first_word_is(const char *cmdline, const char *word)
{
    while (*word && *cmdline == *word) {
        cmdline++;
        word++;
    }
    return *word == '\0' && (*cmdline == '\0' || *cmdline == ' ');
}

/*
 * The variants fill their argument structs field by field, not with initializers: GCC
 * may zero or copy a 16-byte initializer with SSE instructions, which KVM's instruction
 * emulator (the guest CPU on some hosts) cannot run.
 */

static void puts_oob(void)
{
    volatile struct ukvm_hc_puts call;
    call.data = mem_size();
    call.len = 16;
    raw_hypercall(UKVM_HC_PUTS, addr32(&call));
}

static void puts_overflow(void)
{
    volatile struct ukvm_hc_puts call;
    call.data = UKVM_KERNEL_MIN_GPA;
    call.len = ~0ULL;
    raw_hypercall(UKVM_HC_PUTS, addr32(&call));
}

static void arg_oob(void)
{
    raw_hypercall(UKVM_HC_PUTS, 0xfffffff8u);
}

static void block_oob(void)
{
    solo5_handle_t h;
    struct solo5_block_info info;

    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        puts("block_oob needs a disk named storage (--disk=...)\n");
        solo5_exit(2);
    }
    /* Half the block inside guest memory, half past its end. */
    volatile struct ukvm_hc_block_io call;
    call.handle = h;
    call.offset = 0;
    call.data = mem_size() - info.block_size / 2;
    call.len = info.block_size;
    call.ret = 0;
    raw_hypercall(UKVM_HC_BLOCK_READ, addr32(&call));
}

static void unknown_hc(void)
{
    volatile struct ukvm_hc_puts call;
    call.data = 0;
    call.len = 0;
    raw_hypercall(UKVM_HC_COUNT, addr32(&call));
}

static void fake_trap(void)
{
    volatile uint8_t *p =
        (volatile uint8_t *)(uintptr_t)(UKVM_HC_MMIO_GPA + UKVM_HC_MMIO_TRAP_OFFSET + 14);
    *p = 0;
}

static void short_store(void)
{
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)(UKVM_HC_MMIO_GPA + 8 * UKVM_HC_PUTS);
    *p = 0x100000;
}

static void high_arg(void)
{
    test_raw_hypercall(UKVM_HC_PUTS, 0x100000000ULL + 0x100000);
}

static void write_gdt(void)
{
    *(volatile uint64_t *)(uintptr_t)(UKVM_GDT_GPA + 8) = 0;
}

static void trap_call(void)
{
    static volatile struct ukvm_trap_frame frame;
    frame.vector = 14;
    frame.rip = 0xdead;
    frame.cs = UKVM_SEL_CODE64;
    raw_hypercall(UKVM_HC_TRAP, addr32(&frame));
}

static const struct {
    const char *name;
    void (*run)(void);
} variants[] = {
    {"puts_oob", puts_oob},       {"puts_overflow", puts_overflow}, {"arg_oob", arg_oob},
    {"block_oob", block_oob},     {"unknown_hc", unknown_hc},       {"fake_trap", fake_trap},
    {"short_store", short_store}, {"high_arg", high_arg},           {"write_gdt", write_gdt},
    {"trap_call", trap_call},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        if (first_word_is(si->cmdline, variants[i].name)) {
            puts("hostile: ");
            puts(variants[i].name);
            puts("\n");
            variants[i].run();
            puts("FAIL: the monitor accepted a bad hypercall\n");
            return SOLO5_EXIT_FAILURE;
        }
    }
    puts("usage: test_hostile.ukvm puts_oob|puts_overflow|arg_oob|block_oob|unknown_hc|"
         "fake_trap|short_store|high_arg|write_gdt|trap_call\n");
    return 2;
}
