/*
 * ukvm_test_paging.h: TEST-ONLY. Lets a test unikernel change its own page tables, so
 * that the shell's page-table commands (pt, map) meet not-present, read-only, no-execute
 * and user pages in a real guest. User applications never need this: ukvm builds the
 * tables from the ELF's permissions and no Solo5 API touches them.
 *
 * The monitor's tables are identity-mapped and writable by the kernel (the page-table
 * area, docs/architecture.md), so the guest finds them by walking cr3 and edits them
 * in place, then flushes the TLB entry with invlpg.
 *
 *   PML4 -> PDPT -> PD -> PT -> 4 KiB page     (index bits 47:39, 38:30, 29:21, 20:12)
 */
#ifndef UKVM_TEST_PAGING_H
#define UKVM_TEST_PAGING_H

#include <stdint.h>

#define TEST_PTE_P    (1ULL << 0)
#define TEST_PTE_RW   (1ULL << 1)
#define TEST_PTE_US   (1ULL << 2)
#define TEST_PTE_PS   (1ULL << 7)
#define TEST_PTE_NX   (1ULL << 63)
#define TEST_PTE_ADDR 0x000ffffffffff000ULL

static inline uint64_t test_read_cr3(void)
{
    uint64_t cr3;
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
    return cr3;
}

static inline void test_invlpg(uintptr_t va)
{
    __asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

/*
 * The entry at each level on the way to va, in entries[0..3] (PML4E, PDPTE, PDE, PTE).
 * Returns 0, or -1 when va is not mapped by a 4 KiB page (not present, or a large page).
 */
static inline int test_walk(uintptr_t va, volatile uint64_t *entries[4])
{
    volatile uint64_t *table = (volatile uint64_t *)(uintptr_t)(test_read_cr3() & TEST_PTE_ADDR);
    for (int level = 0; level < 4; level++) {
        volatile uint64_t *e = &table[(va >> (39 - 9 * level)) & 511];
        entries[level] = e;
        if (!(*e & TEST_PTE_P) || (level > 0 && level < 3 && (*e & TEST_PTE_PS)))
            return -1;
        table = (volatile uint64_t *)(uintptr_t)(*e & TEST_PTE_ADDR);
    }
    return 0;
}

/* Sets and clears bits of the 4 KiB page's PTE. Returns 0, or -1 when va has none. */
static inline int test_page_change(uintptr_t va, uint64_t set, uint64_t clear)
{
    volatile uint64_t *e[4];
    if (test_walk(va, e) != 0)
        return -1;
    *e[3] = (*e[3] | set) & ~clear;
    test_invlpg(va);
    return 0;
}

/* Makes the page user-accessible: US at every level (the MMU ANDs them). */
static inline int test_page_make_user(uintptr_t va)
{
    volatile uint64_t *e[4];
    if (test_walk(va, e) != 0)
        return -1;
    for (int level = 0; level < 4; level++)
        *e[level] |= TEST_PTE_US;
    test_invlpg(va);
    return 0;
}

#endif /* UKVM_TEST_PAGING_H */
