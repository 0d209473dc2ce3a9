/*
 * pagemap.c: the whole address space as merged ranges (see pagemap.h).
 *
 * A depth-first walk of the four levels in index order gives the pages in ascending
 * virtual order; a range is kept open while the next page continues it and flushed
 * to the callback when one does not.
 */
#include "pagemap.h"

#include <inttypes.h>
#include <string.h>

#include "pagewalk.h"
#include "x86_decode.h"

#define PDPTE_1G_RSVD 0x000000003fffe000ULL /* bits 29:13 (SDM table 4-16) */
#define PDE_2M_RSVD   0x00000000001fe000ULL /* bits 20:13 (SDM table 4-18) */

struct walker {
    const struct guest_access *mem;
    uint64_t efer;
    void (*fn)(void *arg, const struct pagemap_range *range);
    void *arg;
    struct pagemap_summary *summary;
    uint64_t leaves;
    bool open; /* cur holds a range not reported yet */
    struct pagemap_range cur;
};

/* Sign-extends bit 47 into bits 63:48. */
static uint64_t canonical(uint64_t va)
{
    return (va & (1ULL << 47)) ? va | 0xffff000000000000ULL : va;
}

static void flush(struct walker *w)
{
    if (w->open) {
        w->fn(w->arg, &w->cur);
        w->summary->ranges++;
        w->open = false;
    }
}

static void add_page(struct walker *w, uint64_t va, uint64_t pa, uint64_t size, bool writable,
                     bool user, bool executable)
{
    struct pagemap_range *c = &w->cur;
    if (w->open && c->end == va && c->pa + (c->end - c->start) == pa && c->page_size == size &&
        c->writable == writable && c->user == user && c->executable == executable) {
        c->end = va + size;
        return;
    }
    flush(w);
    if (w->summary->ranges >= PAGEMAP_MAX_RANGES) {
        w->summary->truncated = true;
        return;
    }
    *c = (struct pagemap_range){.start = va,
                                .end = va + size,
                                .pa = pa,
                                .page_size = size,
                                .writable = writable,
                                .user = user,
                                .executable = executable};
    w->open = true;
}

static bool reserved(uint64_t entry, int level, uint64_t efer)
{
    if (!(efer & X86_EFER_NXE) && (entry & PTE_NX))
        return true;
    if (level == 0)
        return entry & PTE_PS;
    if (level == 1 && (entry & PTE_PS))
        return entry & PDPTE_1G_RSVD;
    if (level == 2 && (entry & PTE_PS))
        return entry & PDE_2M_RSVD;
    return false;
}

/* Walks the table at table (level 0 = PML4) covering virtual addresses from base. */
static void walk_table(struct walker *w, int level, uint64_t table, uint64_t base, bool writable,
                       bool user, bool nx)
{
    uint64_t entries[512];
    if (!w->mem || !w->mem->read_phys ||
        w->mem->read_phys(w->mem->ctx, table, entries, sizeof(entries)) != 0) {
        w->summary->bad_tables++;
        flush(w);
        return;
    }
    unsigned shift = 39 - 9 * (unsigned)level;
    for (unsigned i = 0; i < 512; i++) {
        if (w->summary->truncated)
            return;
        uint64_t e = entries[i];
        uint64_t va = canonical(base + ((uint64_t)i << shift));
        if (!(e & PTE_P)) {
            flush(w);
            continue;
        }
        if (reserved(e, level, w->efer)) {
            w->summary->reserved++;
            flush(w);
            continue;
        }
        bool wr = writable && (e & PTE_RW), us = user && (e & PTE_US), x = !nx && !(e & PTE_NX);
        if (level == 3 || (level > 0 && (e & PTE_PS))) {
            if (++w->leaves > PAGEMAP_MAX_LEAVES) {
                w->summary->truncated = true;
                return;
            }
            uint64_t size = 1ULL << shift;
            add_page(w, va, e & PTE_ADDR_MASK & ~(size - 1), size, wr, us, x);
            continue;
        }
        walk_table(w, level + 1, e & PTE_ADDR_MASK, va, wr, us, !x);
    }
}

int pagemap_walk(const struct guest_access *mem, uint64_t cr0, uint64_t cr3, uint64_t cr4,
                 uint64_t efer, void (*fn)(void *arg, const struct pagemap_range *range), void *arg,
                 struct pagemap_summary *summary)
{
    memset(summary, 0, sizeof(*summary));
    if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || !(efer & X86_EFER_LME) ||
        (cr4 & X86_CR4_LA57))
        return -1;
    struct walker w = {.mem = mem, .efer = efer, .fn = fn, .arg = arg, .summary = summary};
    walk_table(&w, 0, cr3 & PTE_ADDR_MASK, 0, true, true, false);
    flush(&w);
    return 0;
}

static const char *size_name(uint64_t size)
{
    return size == (1ULL << 30) ? "1 GiB" : size == (1ULL << 21) ? "2 MiB" : "4 KiB";
}

void pagemap_print_range(FILE *out, const struct pagemap_range *r, int indent)
{
    fprintf(out,
            "%*s0x%016" PRIx64 "-0x%016" PRIx64 "  %c%c%c %-10s  %s x %-6" PRIu64 " pa 0x%" PRIx64
            "\n",
            indent, "", r->start, r->end, 'r', r->writable ? 'w' : '-', r->executable ? 'x' : '-',
            r->user ? "user" : "supervisor", size_name(r->page_size),
            (r->end - r->start) / r->page_size, r->pa);
}
