/*
 * test_watch: the program the watchpoint tests (tests/gdb/test_watch_*.py) debug.
 * Without a debugger it runs every phase and checks its own results, so it is also a
 * plain test (test.spec): a watchpoint must never change what the program computes.
 *
 *   (no argument)  every phase below except the block device, print SUCCESS, exit 0
 *   blk            the same, plus a block write and read (needs a disk named "storage")
 *   frames         only frames_phase: move the stack into frame_page, a page of its own,
 *                  and raise #UD there, so that the CPU pushes the exception frame into a
 *                  page a watchpoint may have trapped when it was still plain data
 *
 * emul_phase.c holds the accesses of every shape (sizes, straddles, string instructions,
 * locked instructions) that the monitor must complete on a trapped page.
 *
 * Data the tests watch lives on pages of its own, so each test knows what shares a
 * page with what: page_a (target and its neighbours), page_b (many watches), far_page.v
 * (alone), blkbuf (the block-read buffer). Lines the tests expect a stop on end in a
 * marker comment (@name), which they look up in this folder's files: the line of the
 * instruction that made the access (gdb shows the line of the next one, where the pc is
 * after the stop). A store followed by a call to sink() in the same statement keeps both on one
 * line, and sink() keeps each store a store.
 *
 * noipa keeps every phase a real call that gdb can break on.
 */
#include "emul_phase.h"
#include "solo5.h"

/*
 * Scalar loops: KVM's instruction emulator cannot run SSE arithmetic. No
 * second scheduling pass: it would move prologue instructions after the first store, and
 * gdb would show the stop after that store on the function's opening line.
 */
#pragma GCC optimize("no-tree-vectorize", "no-schedule-insns2")

#define NOIPA  __attribute__((noipa))
#define PAGE   4096
#define ROUNDS 20

/* Aligned to a page, so its size is a whole page: nothing else shares it. */
struct page_data {
    volatile uint64_t target;
    volatile uint64_t neighbour;
    volatile uint32_t slots[8];
    volatile uint8_t bytes[64];
} __attribute__((aligned(PAGE)));

struct page_data page_a;
struct page_data page_b;
struct {
    volatile uint64_t v;
} __attribute__((aligned(PAGE))) far_page;
uint8_t blkbuf[PAGE] __attribute__((aligned(PAGE)));
uint8_t wbuf[512];          /* not static: the tests watch it by name */
volatile uint64_t observed; /* what sink() last saw, so its argument is never dead */

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

NOIPA void sink(uint64_t v)
{
    observed = v;
}

/* Reads and writes page_a's neighbours of target, never target itself. */
NOIPA uint64_t neighbour_phase(void)
{
    uint64_t sum = 0;
    for (int i = 0; i < ROUNDS; i++) {
        page_a.neighbour = page_a.neighbour + (uint64_t)i;
        page_a.bytes[i] = (uint8_t)(i * 3 + 1);
        page_a.slots[i % 8] = page_a.slots[i % 8] + 2;
        sum += page_a.bytes[i] + page_a.neighbour + page_a.slots[i % 8];
    }
    return sum;
}

/* The same computation on locals: what neighbour_phase must return. */
static uint64_t neighbour_expected(void)
{
    uint64_t sum = 0, neighbour = 0;
    for (int i = 0; i < ROUNDS; i++) {
        neighbour += (uint64_t)i;
        /* slots[i % 8] has been incremented by 2 once per round that hit it: i / 8 + 1. */
        sum += (uint8_t)(i * 3 + 1) + neighbour + 2 * (uint64_t)(i / 8 + 1);
    }
    return sum;
}

NOIPA void write_phase(void)
{
    page_a.target = 11, sink(1); /* @write-1 */
    page_a.target = 22, sink(2); /* @write-2 */
}

NOIPA uint64_t read_phase(void)
{
    uint64_t v;
    v = page_a.target, sink(v); /* @read-1 */
    return v;
}

/* One read-modify-write instruction: a read and a write of x in one access. */
#define ADD5(x) __asm__ __volatile__("addq $5, %0" : "+m"(x))

NOIPA void access_phase(void)
{
    ADD5(page_a.target); /* @access-1 */
    sink(3);
}

/* Six slots of page_b written, one byte of it read, far_page.v written: eight watches' worth. */
NOIPA uint64_t many_phase(void)
{
    page_b.slots[0] = 100, sink(10); /* @many-0 */
    page_b.slots[1] = 101, sink(11); /* @many-1 */
    page_b.slots[2] = 102, sink(12); /* @many-2 */
    page_b.slots[3] = 103, sink(13); /* @many-3 */
    page_b.slots[4] = 104, sink(14); /* @many-4 */
    page_b.slots[5] = 105, sink(15); /* @many-5 */
    uint64_t b;
    b = page_b.bytes[7], sink(b); /* @many-read */
    far_page.v = 7, sink(16);     /* @many-far */
    return b;
}

/* A breakpoint on the store's line, and a watch on what it stores to. */
NOIPA void bp_phase(void)
{
    page_b.target = 0x1234, sink(20); /* @bp-store */
    sink(21);
}

/* A local on the stack, which watchpoints must refuse (tests/gdb/test_watch_refuse.py). */
NOIPA uint64_t stack_phase(void)
{
    volatile uint64_t local = 1;
    local = local + 1, sink(local); /* @stack */
    return local;
}

/* A block written from wbuf, then read back into blkbuf by the monitor. */
NOIPA int block_phase(void)
{
    solo5_handle_t h;
    struct solo5_block_info info;
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK)
        return 0;
    for (int i = 0; i < 512; i++)
        wbuf[i] = (uint8_t)(i ^ 0x5a);
    if (solo5_block_write(h, 0, wbuf, sizeof(wbuf)) != SOLO5_R_OK)
        return 0;
    if (solo5_block_read(h, 0, blkbuf, 512) != SOLO5_R_OK) /* @blk-read */
        return 0;
    for (int i = 0; i < 512; i++)
        if (blkbuf[i] != (uint8_t)(i ^ 0x5a))
            return 0;
    return 1;
}

/* A page of plain data until frames_phase makes it the stack. */
struct {
    volatile uint64_t mark; /* watched by the tests; never written */
    uint8_t rest[PAGE - 8];
} __attribute__((aligned(PAGE))) frame_page;

NOIPA static void frames_phase(void)
{
    uintptr_t top = (uintptr_t)&frame_page + PAGE - 64;
    __asm__ __volatile__("mov %0, %%rsp; ud2" : : "r"(top) : "memory");
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

#define CHECK(cond, what)              \
    do {                               \
        if (!(cond)) {                 \
            puts_("FAIL: " what "\n"); \
            return SOLO5_EXIT_FAILURE; \
        }                              \
    } while (0)

int solo5_app_main(const struct solo5_start_info *si)
{
    if (streq(si->cmdline, "frames")) {
        frames_phase();
        puts_("FAIL: frames_phase returned\n");
        return SOLO5_EXIT_FAILURE;
    }
    CHECK(neighbour_phase() == neighbour_expected(), "neighbour_phase computed a wrong sum");
    write_phase();
    CHECK(read_phase() == 22, "read_phase read a wrong value");
    access_phase();
    CHECK(page_a.target == 27, "access_phase left a wrong value");
    page_b.bytes[7] = 9;
    CHECK(many_phase() == 9, "many_phase read a wrong value");
    for (int i = 0; i < 6; i++)
        CHECK(page_b.slots[i] == 100u + (uint32_t)i, "many_phase wrote a wrong value");
    bp_phase();
    CHECK(page_b.target == 0x1234, "bp_phase wrote a wrong value");
    CHECK(stack_phase() == 2, "stack_phase computed a wrong value");
    /* Twice: tests/gdb/test_watch_emulation.py watches it one way, then another. */
    CHECK(emul_phase(0), "emul_phase: an access to a trapped page went wrong");
    CHECK(emul_phase(1), "emul_phase: an access to a trapped page went wrong");
    if (streq(si->cmdline, "blk"))
        CHECK(block_phase(), "block_phase: the block did not read back");
    puts_("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
