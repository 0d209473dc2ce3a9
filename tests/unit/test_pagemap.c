/*
 * test_pagemap.c: the whole-address-space dump (ukvm/inspect/pagemap.h) on page tables
 * built by hand in a buffer standing for guest-physical memory [0, MEM_SIZE):
 *
 *   PML4 @0x1000  [0]   -> PDPT @0x2000                       P RW US
 *                 [1]   -> a table at 0x7fff000000, outside memory
 *                 [2]   PS (reserved in a PML4E)
 *                 [511] -> PDPT @0x5000                       P RW
 *   PDPT @0x2000  [0]   -> PD @0x3000                         P RW US
 *                 [1]   1 GiB page at 0x40000000              P RW US PS
 *   PD   @0x3000  [0]   -> PT @0x4000                         P RW US
 *                 [1]   2 MiB page at 0x200000                P RW PS NX
 *                 [2]   2 MiB page at 0x400000 (continues [1])
 *                 [3]   2 MiB page at 0x800000 (does not: a new range)
 *                 [4]   2 MiB page with reserved bit 13 set
 *   PT   @0x4000  [1-3] 0x1000-0x4000 -> the same             P RW NX
 *                 [4]   not present
 *                 [5]   0x5000 -> 0x5000                      P (read-only, executable)
 *                 [6]   0x6000 -> 0x6000                      P RW US
 *   PDPT @0x5000  [510] 1 GiB page at 0: va 0xffffffff80000000  P RW PS
 */
#include <stdlib.h>

#include "ukvm/inspect/pagemap.h"
#include "ukvm/inspect/pagewalk.h"
#include "unit.h"

#define MEM_SIZE 0x400000ULL
#define CR0      0x80050033ULL
#define CR3      0x1000ULL
#define CR4      0x20ULL  /* PAE */
#define EFER     0xd01ULL /* LMA LME NXE SCE */

static uint8_t *mem;

static int read_buf(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    (void)ctx;
    if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
        return -1;
    memcpy(buf, mem + gpa, len);
    return 0;
}

static const struct guest_access access = {.read_phys = read_buf};

static void set_entry(uint64_t table, unsigned index, uint64_t value)
{
    memcpy(mem + table + 8ULL * index, &value, sizeof(value));
}

static void build_tables(void)
{
    memset(mem, 0, MEM_SIZE);
    const uint64_t prw_us = PTE_P | PTE_RW | PTE_US;
    set_entry(0x1000, 0, 0x2000 | prw_us);
    set_entry(0x1000, 1, 0x7fff000000ULL | prw_us);
    set_entry(0x1000, 2, 0x2000 | prw_us | PTE_PS);
    set_entry(0x1000, 511, 0x5000 | PTE_P | PTE_RW);
    set_entry(0x2000, 0, 0x3000 | prw_us);
    set_entry(0x2000, 1, 0x40000000 | prw_us | PTE_PS);
    set_entry(0x3000, 0, 0x4000 | prw_us);
    set_entry(0x3000, 1, 0x200000 | PTE_P | PTE_RW | PTE_PS | PTE_NX);
    set_entry(0x3000, 2, 0x400000 | PTE_P | PTE_RW | PTE_PS | PTE_NX);
    set_entry(0x3000, 3, 0x800000 | PTE_P | PTE_RW | PTE_PS | PTE_NX);
    set_entry(0x3000, 4, 0xa00000 | (1ULL << 13) | PTE_P | PTE_RW | PTE_PS);
    for (unsigned i = 1; i <= 3; i++)
        set_entry(0x4000, i, (0x1000ULL * i) | PTE_P | PTE_RW | PTE_NX);
    set_entry(0x4000, 5, 0x5000 | PTE_P);
    set_entry(0x4000, 6, 0x6000 | prw_us);
    set_entry(0x5000, 510, 0x0 | PTE_P | PTE_RW | PTE_PS);
}

#define MAX_RANGES 16
static struct pagemap_range ranges[MAX_RANGES];
static size_t nranges;

static void collect(void *arg, const struct pagemap_range *r)
{
    (void)arg;
    if (nranges < MAX_RANGES)
        ranges[nranges] = *r;
    nranges++;
}

static int dump(uint64_t cr0, uint64_t cr4, uint64_t efer, struct pagemap_summary *sum)
{
    nranges = 0;
    return pagemap_walk(&access, cr0, CR3, cr4, efer, collect, NULL, sum);
}

static bool range_is(size_t i, uint64_t start, uint64_t end, uint64_t pa, uint64_t size, bool w,
                     bool u, bool x)
{
    const struct pagemap_range *r = &ranges[i];
    return i < nranges && r->start == start && r->end == end && r->pa == pa &&
           r->page_size == size && r->writable == w && r->user == u && r->executable == x;
}

UNIT_TEST(merged_ranges)
{
    struct pagemap_summary sum;
    CHECK(dump(CR0, CR4, EFER, &sum) == 0);
    CHECK(nranges == 7);
    CHECK_EQ_U64(sum.ranges, 7);
    CHECK(range_is(0, 0x1000, 0x4000, 0x1000, 0x1000, true, false, false));
    CHECK(range_is(1, 0x5000, 0x6000, 0x5000, 0x1000, false, false, true));
    CHECK(range_is(2, 0x6000, 0x7000, 0x6000, 0x1000, true, true, true));
    CHECK(range_is(3, 0x200000, 0x600000, 0x200000, 0x200000, true, false, false));
    CHECK(range_is(4, 0x600000, 0x800000, 0x800000, 0x200000, true, false, false));
    CHECK(range_is(5, 0x40000000, 0x80000000, 0x40000000, 0x40000000, true, true, true));
    CHECK(range_is(6, 0xffffffff80000000ULL, 0xffffffffc0000000ULL, 0, 0x40000000, true, false,
                   true));
    CHECK_EQ_U64(sum.bad_tables, 1);
    CHECK_EQ_U64(sum.reserved, 2);
    CHECK(!sum.truncated);
}

UNIT_TEST(nx_without_nxe_is_reserved)
{
    struct pagemap_summary sum;
    CHECK(dump(CR0, CR4, EFER & ~(1ULL << 11), &sum) == 0);
    /* Every NX entry is skipped: the 4 KiB RW NX run and the three 2 MiB pages. */
    CHECK(nranges == 4);
    CHECK(range_is(0, 0x5000, 0x6000, 0x5000, 0x1000, false, false, true));
    CHECK_EQ_U64(sum.reserved, 2 + 3 + 3);
}

UNIT_TEST(paging_modes)
{
    struct pagemap_summary sum;
    CHECK(dump(CR0 & ~(1ULL << 31), CR4, EFER, &sum) == -1); /* paging off */
    CHECK(dump(CR0, 0, EFER, &sum) == -1);                   /* no PAE */
    CHECK(dump(CR0, CR4 | (1ULL << 12), EFER, &sum) == -1);  /* LA57 */
    CHECK(nranges == 0);
    CHECK(pagemap_walk(NULL, CR0, CR3, CR4, EFER, collect, NULL, &sum) == 0);
    CHECK_EQ_U64(sum.bad_tables, 1);
}

/* Tables that all point at themselves: 512^4 "pages"; the dump stops, it does not hang. */
UNIT_TEST(self_referencing_tables_stay_bounded)
{
    memset(mem, 0, MEM_SIZE);
    for (unsigned i = 0; i < 512; i++)
        set_entry(0x1000, i, 0x1000 | PTE_P | PTE_RW);
    struct pagemap_summary sum;
    CHECK(dump(CR0, CR4, EFER, &sum) == 0);
    CHECK(sum.truncated);
    CHECK(nranges == PAGEMAP_MAX_RANGES);
    build_tables();
}

UNIT_TEST(print)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    CHECK(out);
    const struct pagemap_range r = {
        .start = 0x1000, .end = 0x4000, .pa = 0x1000, .page_size = 0x1000, .writable = true};
    pagemap_print_range(out, &r, 2);
    const struct pagemap_range big = {.start = 0x40000000,
                                      .end = 0x80000000,
                                      .pa = 0x40000000,
                                      .page_size = 0x40000000,
                                      .user = true,
                                      .executable = true};
    pagemap_print_range(out, &big, 0);
    fclose(out);
    CHECK_STR_CONTAINS(
        text,
        "  0x0000000000001000-0x0000000000004000  rw- supervisor  4 KiB x 3      pa 0x1000\n");
    CHECK_STR_CONTAINS(
        text,
        "0x0000000040000000-0x0000000080000000  r-x user        1 GiB x 1      pa 0x40000000\n");
    free(text);
}

int main(void)
{
    mem = calloc(1, MEM_SIZE);
    if (!mem) {
        printf("FAIL setup: out of memory\n");
        return 1;
    }
    build_tables();
    UNIT_RUN(merged_ranges);
    UNIT_RUN(nx_without_nxe_is_reserved);
    UNIT_RUN(paging_modes);
    UNIT_RUN(self_referencing_tables_stay_bounded);
    UNIT_RUN(print);
    free(mem);
    return UNIT_EXIT_STATUS();
}
