/*
 * test_watchpoints.c: the watchpoint table (ukvm/debug/watchpoints.h), the pages it
 * refuses (ukvm/debug/watch_guard.h) and debug-register data breakpoints
 * (ukvm/debug/breakpoints.h), on synthetic guest memory with real page tables and a fake
 * hypervisor: no /dev/kvm.
 *
 * Memory (4 MiB): system area 0x1000-0xfffff (GDT 0x1000, TSS 0x2000, IST stacks from
 * 0x10000, page tables from 0x20000), code 0x100000-0x100fff, data up to the stack, the
 * stack in the top 512 KiB.
 */
#include <stdlib.h>

#include "ukvm/debug/watchpoints.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/page_tables.h"
#include "unit.h"

#define MEM       0x400000ULL
#define CODE      0x100000ULL
#define DATA      0x200000ULL
#define STACK_TOP MEM

static struct guest_mem mem;
static struct mem_slots slots;
static struct breakpoints bps;
static struct watchpoints wp;
static struct vcpu_regs regs;
static struct vcpu_sregs sregs;
static struct boot_layout layout;
static struct watch_env env = {.regs = &regs, .sregs = &sregs, .layout = &layout};

static int fake_map(void *ctx, uint32_t slot, uint64_t gpa, uint64_t size, void *host, bool ro,
                    char *err, size_t errlen)
{
    (void)ctx, (void)slot, (void)gpa, (void)size, (void)host, (void)ro, (void)err, (void)errlen;
    return 0;
}

static int setup(void)
{
    char err[256];
    if (guest_mem_alloc(&mem, MEM, err, sizeof(err)) < 0)
        return -1;
    struct page_region regions[] = {
        {.start = 0x1000, .end = CODE, .writable = true},
        {.start = CODE, .end = CODE + 0x1000, .executable = true},
        {.start = CODE + 0x1000, .end = MEM, .writable = true},
    };
    uint64_t cr3;
    if (page_tables_build(&mem, regions, 3, 0x20000, 0x100000, &cr3, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return -1;
    }
    layout = (struct boot_layout){.mem_size = MEM, .stack_top = STACK_TOP, .cr3 = cr3};
    boot_initial_regs(CODE, &layout, &regs, &sregs);
    regs.rsp = STACK_TOP - 0x100;
    /* IST1's top in the TSS, as the monitor's boot set-up writes it. */
    uint64_t ist1 = 0x14000;
    guest_mem_copy_out(&mem, 0x2000 + 0x24, &ist1, sizeof(ist1));
    return mem_slots_init(&slots, mem.host, MEM, fake_map, NULL, 64, err, sizeof(err));
}

static void fresh(void)
{
    watchpoints_destroy(&wp);
    mem_slots_reset(&slots);
    memset(&bps, 0, sizeof(bps));
    watchpoints_init(&wp, &mem, &slots, &bps);
}

UNIT_TEST(write_watch_makes_page_read_only)
{
    fresh();
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA, 4), 0);
    CHECK_EQ_U64(watchpoints_count(&wp), 1);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA), MEM_PAGE_READ_ONLY);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA + 0x1000), MEM_PAGE_NORMAL);
    CHECK_EQ_U64(wp.w[0].hw_slot, (uint64_t)-1); /* UKVM_WATCH_PAGES=1: no debug register */
}

UNIT_TEST(read_watch_makes_page_absent_and_removal_restores)
{
    fresh();
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA, 4), 0);
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_READ, DATA + 16, 8), 0);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA), MEM_PAGE_ABSENT);
    CHECK_EQ_U64(watchpoints_remove(&wp, WATCH_READ, DATA + 16, 8), 0);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA), MEM_PAGE_READ_ONLY);
    CHECK_EQ_U64(watchpoints_remove(&wp, WATCH_WRITE, DATA, 4), 0);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA), MEM_PAGE_NORMAL);
    CHECK_EQ_U64(watchpoints_remove(&wp, WATCH_WRITE, DATA, 4), (uint64_t)-1);
    CHECK_STR_CONTAINS(wp.error, "no write watchpoint at 0x200000");
}

UNIT_TEST(same_watch_twice_counts_twice)
{
    fresh();
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_ACCESS, DATA, 8), 0);
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_ACCESS, DATA, 8), 0);
    CHECK_EQ_U64(watchpoints_count(&wp), 1);
    CHECK_EQ_U64(watchpoints_remove(&wp, WATCH_ACCESS, DATA, 8), 0);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA), MEM_PAGE_ABSENT);
    CHECK_EQ_U64(watchpoints_remove(&wp, WATCH_ACCESS, DATA, 8), 0);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA), MEM_PAGE_NORMAL);
}

UNIT_TEST(watch_across_a_page_boundary_traps_both)
{
    fresh();
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA + 0xffc, 8), 0);
    CHECK_EQ_U64(wp.w[0].npieces, 2);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA), MEM_PAGE_READ_ONLY);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA + 0x1000), MEM_PAGE_READ_ONLY);
}

UNIT_TEST(bad_lengths_and_unmapped)
{
    fresh();
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA, 0), (uint64_t)-1);
    CHECK_STR_CONTAINS(wp.error, "covers 1 to");
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA, WATCH_MAX_LEN + 1), (uint64_t)-1);
    CHECK_STR_CONTAINS(wp.error, "not 1048577");
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, ~0ULL - 2, 8), (uint64_t)-1);
    CHECK_STR_CONTAINS(wp.error, "0xfffffffffffffffd + 8 bytes runs past the end");
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, 0x10, 4), (uint64_t)-1);
    CHECK_STR_CONTAINS(wp.error, "0x10 is not mapped");
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, MEM - 4, 8), (uint64_t)-1);
    CHECK_EQ_U64(watchpoints_count(&wp), 0);
    CHECK_EQ_U64(slots.nwant, 0);
}

/* The refusals of watch_guard.h, each with its reason. */
static const char *refusal(uint64_t va)
{
    fresh();
    if (watchpoints_insert(&wp, &env, WATCH_WRITE, va, 1) == 0)
        return "(accepted)";
    return wp.error;
}

UNIT_TEST(refused_pages)
{
    CHECK_STR_CONTAINS(refusal(CODE + 8), "the page 0x100000 holds code");
    CHECK_STR_CONTAINS(refusal(layout.cr3), "holds page tables");
    CHECK_STR_CONTAINS(refusal(0x1008), "holds the GDT");
    CHECK_STR_CONTAINS(refusal(0x2010), "holds the TSS");
    CHECK_STR_CONTAINS(refusal(0x12000), "is an exception stack (IST1)");
    CHECK_STR_CONTAINS(refusal(STACK_TOP - 8), "is part of the stack (0x380000-0x400000)");
    CHECK_STR_CONTAINS(refusal(STACK_TOP - 0x80000), "is part of the stack");
    /* rsp elsewhere (a stack of the program's own): its page and the one below. */
    regs.rsp = DATA + 0x5010;
    CHECK_STR_CONTAINS(refusal(DATA + 0x5000), "is the stack in use");
    CHECK_STR_CONTAINS(refusal(DATA + 0x4ff8), "is the stack in use");
    CHECK_STR_CONTAINS(refusal(DATA + 0x6000), "(accepted)");
    CHECK_STR_CONTAINS(refusal(DATA + 0x3fff), "(accepted)");
    regs.rsp = STACK_TOP - 0x100;
    /* Below the stack region and the IST stacks: fine. */
    CHECK_STR_CONTAINS(refusal(STACK_TOP - 0x80000 - 8), "(accepted)");
    CHECK_STR_CONTAINS(refusal(0x14000), "(accepted)");
    CHECK_STR_CONTAINS(refusal(0x3000), "(accepted)"); /* boot info */
}

/*
 * A page that passed the guard at insertion and became the stack later: re-checked, the
 * watchpoint is lifted (its page normal again, no hits) but stays until removed.
 */
UNIT_TEST(lift_guarded_after_the_page_became_the_stack)
{
    fresh();
    char why[320] = "";
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA + 0x5000, 8), 0);
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA + 0x9000, 8), 0);
    CHECK_EQ_U64(watchpoints_lift_guarded(&wp, &env, why, sizeof(why)), 0);
    regs.rsp = DATA + 0x5f00; /* the guest moved its stack there */
    CHECK_EQ_U64(watchpoints_lift_guarded(&wp, &env, why, sizeof(why)), 1);
    regs.rsp = STACK_TOP - 0x100;
    CHECK_STR_CONTAINS(why, "watchpoint at 0x205000 (8 bytes): the page 0x205000 is the stack "
                            "in use");
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA + 0x5000), MEM_PAGE_NORMAL);
    CHECK_EQ_U64(mem_slots_wanted(&slots, DATA + 0x9000), MEM_PAGE_READ_ONLY);
    CHECK(!watchpoints_run_ops.monitor_access(&wp, DATA + 0x5000, 8, true));
    CHECK_EQ_U64(watchpoints_lift_guarded(&wp, &env, why, sizeof(why)), 0); /* once */
    CHECK_EQ_U64(watchpoints_remove(&wp, WATCH_WRITE, DATA + 0x5000, 8), 0);
    CHECK_EQ_U64(watchpoints_count(&wp), 1);
}

/* DR6's B0-B3 count only for the slots DR7 enables (L or G bit). */
UNIT_TEST(dr6_masked_with_enabled_slots)
{
    uint64_t dr6 = 0xffff0ff0ULL | 0xf | (1ULL << 14);
    CHECK_EQ_U64(breakpoints_dr6_enabled(dr6, 0), 0xffff0ff0ULL | (1ULL << 14));
    CHECK_EQ_U64(breakpoints_dr6_enabled(dr6, 1ULL << 2) & 0xf, 2);           /* L1 */
    CHECK_EQ_U64(breakpoints_dr6_enabled(dr6, 1ULL << 7) & 0xf, 8);           /* G3 */
    CHECK_EQ_U64(breakpoints_dr6_enabled(0x1, (1ULL << 2) | (1ULL << 4)), 0); /* B0 stale */
}

static struct vm_exit mmio_write(uint64_t gpa, uint32_t len, uint64_t value)
{
    struct vm_exit e = {.reason = VM_EXIT_MMIO};
    e.mmio.gpa = gpa;
    e.mmio.len = len;
    e.mmio.is_write = true;
    memcpy(e.mmio.data, &value, sizeof(value));
    return e;
}

UNIT_TEST(trapped_writes_land_and_hit_only_the_watched_range)
{
    fresh();
    char err[128];
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA + 0x10, 4), 0);
    CHECK_EQ_U64(watchpoints_apply(&wp, err, sizeof(err)), 0);
    struct watch_hit hit;
    /* A neighbour on the same page: written, no hit. */
    struct vm_exit e = mmio_write(DATA + 8, 8, 0x1122334455667788ULL);
    CHECK_EQ_U64(watchpoints_run_ops.mmio(&wp, NULL, &e), RUN_MMIO_DONE);
    CHECK_EQ_U64(*(uint64_t *)(mem.host + DATA + 8), 0x1122334455667788ULL);
    CHECK(!watchpoints_take_hit(&wp, &hit));
    /* Overlapping the watched range's last bytes from below: a hit at its first byte. */
    e = mmio_write(DATA + 0x12, 4, 0xaabbccdd);
    CHECK_EQ_U64(watchpoints_run_ops.mmio(&wp, NULL, &e), RUN_MMIO_HIT);
    uint32_t landed;
    memcpy(&landed, mem.host + DATA + 0x12, sizeof(landed));
    CHECK_EQ_U64(landed, 0xaabbccdd);
    CHECK(watchpoints_take_hit(&wp, &hit));
    CHECK_EQ_U64(hit.kind, WATCH_WRITE);
    CHECK_EQ_U64(hit.addr, DATA + 0x12);
    CHECK(!watchpoints_take_hit(&wp, &hit)); /* taken once */
    /* Just past it: no hit. A page that is not trapped: not ours. */
    e = mmio_write(DATA + 0x14, 4, 1);
    CHECK_EQ_U64(watchpoints_run_ops.mmio(&wp, NULL, &e), RUN_MMIO_DONE);
    e = mmio_write(DATA + 0x1000, 4, 1);
    CHECK_EQ_U64(watchpoints_run_ops.mmio(&wp, NULL, &e), RUN_MMIO_NOT_MINE);
    e = mmio_write(MEM + 0x1000, 4, 1);
    CHECK_EQ_U64(watchpoints_run_ops.mmio(&wp, NULL, &e), RUN_MMIO_NOT_MINE);
    CHECK_EQ_U64(wp.trapped_exits, 3);
}

UNIT_TEST(monitor_accesses_hit_by_direction)
{
    fresh();
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA + 0x100, 8), 0);
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_READ, DATA + 0x2000, 8), 0);
    struct watch_hit hit;
    /* A 4 KiB block read written over both: the write watch hits, at its start. */
    CHECK(watchpoints_run_ops.monitor_access(&wp, DATA, 0x4000, true));
    CHECK(watchpoints_take_hit(&wp, &hit));
    CHECK_EQ_U64(hit.kind, WATCH_WRITE);
    CHECK_EQ_U64(hit.addr, DATA + 0x100);
    /* The monitor reading both (a block write): the read watch. */
    CHECK(watchpoints_run_ops.monitor_access(&wp, DATA, 0x4000, false));
    CHECK(watchpoints_take_hit(&wp, &hit));
    CHECK_EQ_U64(hit.kind, WATCH_READ);
    CHECK_EQ_U64(hit.addr, DATA + 0x2000);
    /* Elsewhere: nothing. */
    CHECK(!watchpoints_run_ops.monitor_access(&wp, DATA + 0x108, 0x1000, true));
}

UNIT_TEST(clear_forgets_everything)
{
    fresh();
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_WRITE, DATA, 8), 0);
    CHECK_EQ_U64(watchpoints_insert(&wp, &env, WATCH_READ, DATA + 0x3000, 8), 0);
    watchpoints_clear(&wp);
    CHECK_EQ_U64(watchpoints_count(&wp), 0);
    CHECK_EQ_U64(slots.nwant, 0);
    char err[128];
    CHECK_EQ_U64(watchpoints_apply(&wp, err, sizeof(err)), 0);
    CHECK_EQ_U64(slots.nslots, 1);
}

/* DR7 (SDM 17.2.4): enables in bits 0-7, R/W and LEN per slot from bit 16. */
UNIT_TEST(debug_register_data_breakpoints)
{
    struct breakpoints b;
    memset(&b, 0, sizeof(b));
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x1000, 4, HW_RW_WRITE), 0);
    CHECK_EQ_U64(breakpoints_insert_hw(&b, 0x100000), 0);
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x2008, 8, HW_RW_ACCESS), 2);
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x3001, 1, HW_RW_WRITE), 3);
    /* slot 0: L0, R/W 01, LEN 11; slot 1: L1, execute; slot 2: L2, R/W 11, LEN 10 (8);
     * slot 3: L3, R/W 01, LEN 00 */
    uint64_t want = 0x1 | 0x4 | 0x10 | 0x40 | (0x1ULL << 16) | (0x3ULL << 18) | (0x3ULL << 24) |
                    (0x2ULL << 26) | (0x1ULL << 28);
    CHECK_EQ_U64(breakpoints_dr7(&b), want);
    CHECK_EQ_U64(breakpoints_dr7_data(&b), want & ~0x4ULL);
    CHECK_EQ_U64(breakpoints_find_hw(&b, 0x1000), (uint64_t)-1); /* data slots are not hbreaks */
    CHECK_EQ_U64(breakpoints_find_hw(&b, 0x100000), 1);
    CHECK(breakpoints_hw_is_data(&b, 0) && !breakpoints_hw_is_data(&b, 1));
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x4000, 4, HW_RW_WRITE), (uint64_t)-1); /* full */
    breakpoints_release_hw(&b, 0);
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x4002, 4, HW_RW_WRITE), (uint64_t)-1); /* align */
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x4000, 3, HW_RW_WRITE), (uint64_t)-1); /* len */
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x4000, 2, 2), (uint64_t)-1);           /* I/O */
    CHECK_EQ_U64(breakpoints_insert_hw_data(&b, 0x4000, 2, HW_RW_WRITE), 0);
    CHECK_EQ_U64((breakpoints_dr7(&b) >> 16) & 0xf, 0x1 | (0x1 << 2));
}

int main(void)
{
    /* Page traps only: the probe for debug registers would need /dev/kvm. */
    setenv("UKVM_WATCH_PAGES", "1", 1);
    if (setup() < 0)
        return 1;
    UNIT_RUN(write_watch_makes_page_read_only);
    UNIT_RUN(read_watch_makes_page_absent_and_removal_restores);
    UNIT_RUN(same_watch_twice_counts_twice);
    UNIT_RUN(watch_across_a_page_boundary_traps_both);
    UNIT_RUN(bad_lengths_and_unmapped);
    UNIT_RUN(refused_pages);
    UNIT_RUN(lift_guarded_after_the_page_became_the_stack);
    UNIT_RUN(dr6_masked_with_enabled_slots);
    UNIT_RUN(trapped_writes_land_and_hit_only_the_watched_range);
    UNIT_RUN(monitor_accesses_hit_by_direction);
    UNIT_RUN(clear_forgets_everything);
    UNIT_RUN(debug_register_data_breakpoints);
    watchpoints_destroy(&wp);
    mem_slots_destroy(&slots);
    guest_mem_free(&mem);
    return UNIT_EXIT_STATUS();
}
