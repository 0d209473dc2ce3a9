/*
 * page_tables.h: build the guest's initial identity-mapped page tables in the monitor.
 *
 * Guest instructions are expensive where KVM emulates them in software, so the
 * monitor, not the guest's boot code, lays out the tables. The caller describes memory
 * as a list of regions with permissions; anything not covered is left unmapped (the
 * null page, the stack guard page, gaps between ELF segments). 2 MiB pages are used
 * wherever a whole 2 MiB chunk has one permission, 4 KiB pages elsewhere.
 */
#ifndef UKVM_PAGE_TABLES_H
#define UKVM_PAGE_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

struct page_region {
    uint64_t start, end; /* page-aligned guest-physical range [start, end) */
    bool writable;
    bool executable;
    bool user;      /* reachable from CPL 3 (user mode); else supervisor-only */
    bool no_memory; /* may lie outside guest memory: a page with no memory behind it,
                       whose accesses exit to the monitor (the user-mode hypercall page) */
};

/*
 * Writes tables for regions (which must not overlap, must be page-aligned, and must
 * lie inside guest memory below 512 GiB unless no_memory) into guest memory at
 * [table_base, table_end) and returns the PML4's address in *cr3. Returns 0, or -1 with
 * a reason in err (bad region, or the tables do not fit in the area).
 */
int page_tables_build(struct guest_mem *mem, const struct page_region *regions, size_t nregions,
                      uint64_t table_base, uint64_t table_end, uint64_t *cr3, char *err,
                      size_t errlen);

#endif /* UKVM_PAGE_TABLES_H */
