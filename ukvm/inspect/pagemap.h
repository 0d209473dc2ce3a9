/*
 * pagemap.h: the whole address space of the guest's 4-level page tables, as merged
 * ranges: every run of pages that are contiguous both virtually and physically, of
 * one page size and with the same effective permissions, is one range.
 *
 *   0x0000000000001000-0x0000000000100000  rw- supervisor  4 KiB x 255   pa 0x1000
 *
 * It walks the same tables as pagewalk.h with the same rules for permissions (RW and US
 * ANDed, NX ORed over the levels) and for what does not map: an entry with P=0, an
 * entry with a reserved bit set (PS in a PML4E, NX without EFER.NXE, the reserved
 * bits of a large page), and a table outside guest memory (counted, then skipped).
 */
#ifndef UKVM_PAGEMAP_H
#define UKVM_PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest_access.h"

/*
 * The most leaf entries one dump visits, and the most ranges it reports: tables that
 * point at each other (512^4 pages) stay bounded in time and in output. ukvm's largest
 * guest (4 GiB in 4 KiB pages) is a million leaves.
 */
#define PAGEMAP_MAX_LEAVES (1u << 22)
#define PAGEMAP_MAX_RANGES 65536u

struct pagemap_range {
    uint64_t start, end; /* virtual, [start, end); canonical (the upper half sign-extended) */
    uint64_t pa;         /* physical address of start */
    uint64_t page_size;  /* 4 KiB, 2 MiB or 1 GiB */
    bool writable, user, executable;
};

struct pagemap_summary {
    uint64_t ranges;     /* ranges reported */
    uint64_t bad_tables; /* tables that lie outside guest memory (skipped) */
    uint64_t reserved;   /* present entries skipped for a reserved bit */
    bool truncated;      /* PAGEMAP_MAX_LEAVES or _RANGES reached: the dump stopped there */
};

/*
 * Calls fn for every range, ascending by virtual address. Returns 0 with *summary
 * filled, or -1 when the paging mode is not 4-level long-mode paging (paging off, no
 * PAE or LME, LA57): nothing is reported then.
 */
int pagemap_walk(const struct guest_access *mem, uint64_t cr0, uint64_t cr3, uint64_t cr4,
                 uint64_t efer, void (*fn)(void *arg, const struct pagemap_range *range), void *arg,
                 struct pagemap_summary *summary);

/*
 * Prints one range as shown above (permissions "rwx" with '-' for what is missing,
 * "user" or "supervisor", the page size and count), with indent spaces before it.
 */
void pagemap_print_range(FILE *out, const struct pagemap_range *range, int indent);

#endif /* UKVM_PAGEMAP_H */
