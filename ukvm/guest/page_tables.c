/*
 * page_tables.c: the monitor-built identity map (see page_tables.h).
 *
 * Table placement inside [table_base, table_end):
 *   +0x0000 PML4, +0x1000 PDPT, then one PD per GiB of guest memory, then PTs as
 *   2 MiB chunks with mixed permissions need them.
 */
#include <stdio.h>
#include <string.h>

#include "page_tables.h"
#include "ukvm/inspect/pagewalk.h"

#define SIZE_2M      0x200000ULL
#define SIZE_1G      0x40000000ULL
#define ENTRIES      512
#define PT_PAGE_SIZE 0x1000ULL

struct table_alloc {
    struct guest_mem *mem;
    uint64_t next, end;
};

/* Takes a zeroed 4 KiB table from the area; returns its address or 0 when full. */
static uint64_t table_alloc(struct table_alloc *a)
{
    if (a->next + PT_PAGE_SIZE > a->end)
        return 0;
    uint64_t addr = a->next;
    a->next += PT_PAGE_SIZE;
    memset(a->mem->host + addr, 0, PT_PAGE_SIZE);
    return addr;
}

static uint64_t *table_entries(struct guest_mem *mem, uint64_t table)
{
    return (uint64_t *)(mem->host + table);
}

static uint64_t leaf_flags(const struct page_region *r)
{
    return PTE_P | PTE_A | (r->writable ? PTE_RW | PTE_D : 0) | (r->executable ? 0 : PTE_NX) |
           (r->user ? PTE_US : 0);
}

/* The region containing all of [start, end), or NULL; *touched says whether any region meets it. */
static const struct page_region *region_covering(const struct page_region *regions, size_t n,
                                                 uint64_t start, uint64_t end, bool *touched)
{
    *touched = false;
    for (size_t i = 0; i < n; i++) {
        if (regions[i].end <= start || regions[i].start >= end)
            continue;
        *touched = true;
        if (regions[i].start <= start && regions[i].end >= end)
            return &regions[i];
    }
    return NULL;
}

static int fill_page_table(struct guest_mem *mem, uint64_t pt, uint64_t chunk,
                           const struct page_region *regions, size_t n)
{
    uint64_t *pte = table_entries(mem, pt);
    for (unsigned i = 0; i < ENTRIES; i++) {
        uint64_t page = chunk + (uint64_t)i * PT_PAGE_SIZE;
        bool touched;
        const struct page_region *r =
            region_covering(regions, n, page, page + PT_PAGE_SIZE, &touched);
        pte[i] = r ? page | leaf_flags(r) : 0;
    }
    return 0;
}

int page_tables_build(struct guest_mem *mem, const struct page_region *regions, size_t nregions,
                      uint64_t table_base, uint64_t table_end, uint64_t *cr3, char *err,
                      size_t errlen)
{
    /* The mapped range: guest memory, and any no-memory page above it. */
    uint64_t limit = mem->size;
    /* Non-leaf entries grant everything the leaves may; U only where a leaf has it. */
    uint64_t nonleaf = PTE_P | PTE_RW | PTE_A;
    for (size_t i = 0; i < nregions; i++) {
        if (regions[i].no_memory && regions[i].end > limit)
            limit = regions[i].end;
        if (regions[i].user)
            nonleaf |= PTE_US;
    }
    if (limit > ENTRIES * SIZE_1G) {
        snprintf(err, errlen, "guest memory above 512 GiB needs more than one PDPT");
        return -1;
    }
    for (size_t i = 0; i < nregions; i++) {
        const struct page_region *r = &regions[i];
        if (r->start % PT_PAGE_SIZE || r->end % PT_PAGE_SIZE || r->start > r->end ||
            (r->end > mem->size && !r->no_memory)) {
            snprintf(err, errlen,
                     "page region %zu [0x%llx, 0x%llx) is not page-aligned inside "
                     "guest memory",
                     i, (unsigned long long)r->start, (unsigned long long)r->end);
            return -1;
        }
    }
    if (!guest_mem_range_ok(mem, table_base, table_end - table_base)) {
        snprintf(err, errlen, "page-table area outside guest memory");
        return -1;
    }
    struct table_alloc alloc = {.mem = mem, .next = table_base, .end = table_end};
    uint64_t pml4 = table_alloc(&alloc);
    uint64_t pdpt = table_alloc(&alloc);
    if (!pml4 || !pdpt)
        goto full;
    table_entries(mem, pml4)[0] = pdpt | nonleaf;

    uint64_t ngib = (limit + SIZE_1G - 1) / SIZE_1G;
    for (uint64_t g = 0; g < ngib; g++) {
        bool touched;
        region_covering(regions, nregions, g * SIZE_1G, (g + 1) * SIZE_1G, &touched);
        if (!touched && g * SIZE_1G >= mem->size)
            continue; /* the gap between guest memory and a no-memory page */
        uint64_t pd = table_alloc(&alloc);
        if (!pd)
            goto full;
        table_entries(mem, pdpt)[g] = pd | nonleaf;
        uint64_t *pde = table_entries(mem, pd);
        for (unsigned i = 0; i < ENTRIES; i++) {
            uint64_t chunk = g * SIZE_1G + (uint64_t)i * SIZE_2M;
            if (chunk >= limit)
                break;
            const struct page_region *r =
                region_covering(regions, nregions, chunk, chunk + SIZE_2M, &touched);
            if (r) {
                pde[i] = chunk | leaf_flags(r) | PTE_PS;
            } else if (touched) {
                uint64_t pt = table_alloc(&alloc);
                if (!pt)
                    goto full;
                fill_page_table(mem, pt, chunk, regions, nregions);
                /* Non-leaf entries grant everything; the leaves decide. */
                pde[i] = pt | nonleaf;
            }
        }
    }
    *cr3 = pml4;
    return 0;
full:
    snprintf(err, errlen, "page tables do not fit in [0x%llx, 0x%llx)",
             (unsigned long long)table_base, (unsigned long long)table_end);
    return -1;
}
