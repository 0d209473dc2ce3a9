/*
 * hvt_debug: the hvt guest that tests/scripts/hvt_debug.sh debugs with gdb (--gdb, the
 * scripts tests/gdb/hvt_*.py) and with the shell (--shell): every debugging feature of
 * ukvm must work on a Solo5 hvt binary as on a .ukvm one. The first command-line word
 * selects what it does:
 *
 *   (none)   three rounds of a call chain top -> middle -> leaf (to break in and step
 *            through), then the watch phases on dbg_page.target (two writes, one read,
 *            one read-modify-write), print "SUCCESS", exit 0
 *   spin     print "spinning", then compute forever (Ctrl-C while the guest computes)
 *   sleep    print "sleeping", then one POLL with a 10-minute timeout (Ctrl-C while the
 *            guest sleeps in a hypercall); "woke up" and exit 4 if it ever returns
 *   regs     exit with the sum of r8-r15 as they are at regs_sink's first instruction
 *            (gdb writes them there: 1 + ... + 8 = 36)
 *
 * Lines a test expects a stop on carry a marker comment, "@name" between comment
 * delimiters; the tests find the line by the marker, never by its number. noipa keeps
 * every function a real call that gdb can break on and step through. The guest does
 * little work: where KVM emulates guest code it runs at about a million instructions a
 * second.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

#define NOIPA __attribute__((noipa))

volatile uint64_t dbg_counter;

/*
 * The watched variable, on a page of its own: away from the stack (which the runtime
 * keeps in .bss), the GDT and the IDT, which ukvm refuses to trap. other shares the page
 * but is never watched: its accesses must not stop the guest.
 */
struct dbg_page {
    volatile uint64_t target;
    volatile uint64_t other;
} __attribute__((aligned(4096)));
struct dbg_page dbg_page = {.target = 0, .other = 1};

NOIPA int leaf(int x)
{
    dbg_counter++; /* @leaf */
    return x * 3 + 1;
}

NOIPA int middle(int x)
{
    int y = leaf(x); /* @middle-call */
    dbg_counter++;
    return y + leaf(y);
}

NOIPA int top(int x)
{
    int r = middle(x); /* @top-call */
    dbg_counter++;
    return r;
}

NOIPA void write_phase(void)
{
    dbg_page.other = 2;   /* same page, not watched */
    dbg_page.target = 11; /* @write-1 */
    dbg_page.target = 22; /* @write-2 */
}

NOIPA uint64_t read_phase(void)
{
    uint64_t o = dbg_page.other;
    return dbg_page.target + o; /* @read-1 */
}

NOIPA void access_phase(void)
{
    dbg_page.target += 5; /* @access-1 */
}

NOIPA void spin(void)
{
    for (;;)
        dbg_counter++; /* @spin */
}

/* Returns the sum of r8-r15 as they are at its first instruction. */
NOIPA uint64_t regs_sink(void)
{
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    __asm__ __volatile__("mov %%r8, %0; mov %%r9, %1; mov %%r10, %2; mov %%r11, %3"
                         : "=m"(r8), "=m"(r9), "=m"(r10), "=m"(r11));
    __asm__ __volatile__("mov %%r12, %0; mov %%r13, %1; mov %%r14, %2; mov %%r15, %3"
                         : "=m"(r12), "=m"(r13), "=m"(r14), "=m"(r15));
    return r8 + r9 + r10 + r11 + r12 + r13 + r14 + r15;
}

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    if (hvt_has_word("spin")) {
        hvt_puts("spinning\n");
        spin();
    }
    if (hvt_has_word("sleep")) {
        hvt_puts("sleeping\n");
        hvt_poll(600ull * 1000000000ull, NULL); /* @sleep */
        hvt_puts("woke up\n");
        return 4;
    }
    if (hvt_has_word("regs"))
        return (int)(regs_sink() & 0xff);

    int sum = 0;
    for (int i = 1; i <= 3; i++)
        sum += top(i); /* @loop */
    write_phase();
    uint64_t r = read_phase();
    access_phase();
    /* top(1) + top(2) + top(3) = 17 + 29 + 41; 22 + 2 read; 22 + 5 after the add. */
    if (sum != 87 || r != 24 || dbg_page.target != 27 || dbg_counter != 12)
        hvt_fail("sum %d, read %lu, target %lu, counter %lu; expected 87, 24, 27, 12", sum, r,
                 (uint64_t)dbg_page.target, (uint64_t)dbg_counter);
    hvt_puts("SUCCESS\n");
    return 0;
}
