/*
 * pagewalk.c: a software walk of 4-level x86-64 page tables, as the MMU does it.
 *
 * The tables come from the guest and may be anything: every entry is read through
 * the guest_access reader (which range-checks), a walk reads at most four entries (so
 * a table that points back at itself cannot loop), and every way the walk can end is
 * a value in struct pagewalk_result, never a crash.
 */
#include "pagewalk.h"

#include <inttypes.h>
#include <string.h>

#include "strbuf.h"
#include "x86_decode.h"

#define PAGE_4K (1ULL << 12)
#define PAGE_2M (1ULL << 21)
#define PAGE_1G (1ULL << 30)

/* Bits that must be zero in large-page entries (SDM tables 4-16, 4-18); bit 12 is PAT. */
#define PDPTE_1G_RSVD 0x000000003fffe000ULL /* bits 29:13 */
#define PDE_2M_RSVD   0x00000000001fe000ULL /* bits 20:13 */

static const char *const level_names[4] = {"PML4", "PDPT", "PD", "PT"};

const char *pagewalk_fault_name(enum pagewalk_fault fault)
{
    switch (fault) {
    case PAGEWALK_OK:
        return "ok";
    case PAGEWALK_PAGING_OFF:
        return "paging off";
    case PAGEWALK_NOT_CANONICAL:
        return "non-canonical address";
    case PAGEWALK_NOT_PRESENT:
        return "not present";
    case PAGEWALK_RESERVED_BIT:
        return "reserved bit set";
    case PAGEWALK_BAD_TABLE:
        return "bad page table";
    }
    return "unknown fault";
}

/* At the PT level bit 7 is PAT, not PS; elsewhere the name is the same bit's PS. */
static char *entry_flags(uint64_t entry, bool pt_level, char *buf, size_t len)
{
    static const struct {
        uint64_t bit;
        const char *name;
    } flags[] = {
        {PTE_P, "P"}, {PTE_RW, "RW"}, {PTE_US, "US"}, {PTE_PWT, "PWT"}, {PTE_PCD, "PCD"},
        {PTE_A, "A"}, {PTE_D, "D"},   {PTE_PS, "PS"}, {PTE_G, "G"},     {PTE_NX, "NX"},
    };
    struct strbuf sb;
    strbuf_init(&sb, buf, len);
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (entry & flags[i].bit)
            strbuf_word(&sb, (pt_level && flags[i].bit == PTE_PS) ? "PAT" : flags[i].name);
    }
    return buf;
}

char *pagewalk_entry_flags(uint64_t entry, char *buf, size_t len)
{
    return entry_flags(entry, false, buf, len);
}

/* Returns the reserved bits set in a present entry at this level, 0 if none. */
static uint64_t reserved_bits(uint64_t entry, int level, uint64_t efer)
{
    uint64_t bad = 0;
    if (!(efer & X86_EFER_NXE))
        bad |= entry & PTE_NX;
    if (level == 0)
        bad |= entry & PTE_PS;
    else if (level == 1 && (entry & PTE_PS))
        bad |= entry & PDPTE_1G_RSVD;
    else if (level == 2 && (entry & PTE_PS))
        bad |= entry & PDE_2M_RSVD;
    return bad;
}

int pagewalk_translate(const struct guest_access *mem, uint64_t cr0, uint64_t cr3, uint64_t cr4,
                       uint64_t efer, uint64_t va, struct pagewalk_result *out)
{
    memset(out, 0, sizeof(*out));
    out->va = va;

    if (!(cr0 & X86_CR0_PG)) {
        out->fault = PAGEWALK_PAGING_OFF;
        out->pa = va;
        out->page_size = PAGE_4K;
        out->writable = out->user = out->executable = true;
        return 0;
    }
    /* Long mode needs PAE and LME; 5-level paging is not supported (yet). */
    if (!(cr4 & X86_CR4_PAE) || !(efer & X86_EFER_LME) || (cr4 & X86_CR4_LA57)) {
        out->fault = PAGEWALK_BAD_TABLE;
        return -1;
    }
    if (!x86_is_canonical(va)) {
        out->fault = PAGEWALK_NOT_CANONICAL;
        return -1;
    }

    bool writable = true, user = true, nx = false;
    uint64_t table = cr3 & PTE_ADDR_MASK; /* the low bits are PCID or PWT/PCD */
    for (int level = 0; level < 4; level++) {
        unsigned shift = 39 - 9 * (unsigned)level;
        struct pagewalk_level *lv = &out->levels[level];
        lv->name = level_names[level];
        lv->index = (unsigned)((va >> shift) & 511);
        lv->entry_addr = table + 8ULL * lv->index;
        uint64_t entry;
        if (!mem || !mem->read_phys ||
            mem->read_phys(mem->ctx, lv->entry_addr, &entry, sizeof(entry)) != 0) {
            /* levels[level] stays filled in but uncounted: it names the bad table. */
            out->fault = PAGEWALK_BAD_TABLE;
            return -1;
        }
        lv->entry = entry;
        out->nlevels = level + 1;

        if (!(entry & PTE_P)) {
            out->fault = PAGEWALK_NOT_PRESENT;
            return -1;
        }
        if (reserved_bits(entry, level, efer)) {
            out->fault = PAGEWALK_RESERVED_BIT;
            return -1;
        }
        writable = writable && (entry & PTE_RW);
        user = user && (entry & PTE_US);
        nx = nx || (entry & PTE_NX);

        uint64_t page_size = 0;
        if (level == 3)
            page_size = PAGE_4K;
        else if (level == 1 && (entry & PTE_PS))
            page_size = PAGE_1G;
        else if (level == 2 && (entry & PTE_PS))
            page_size = PAGE_2M;
        if (page_size) {
            out->fault = PAGEWALK_OK;
            out->page_size = page_size;
            out->pa = (entry & PTE_ADDR_MASK & ~(page_size - 1)) | (va & (page_size - 1));
            out->writable = writable;
            out->user = user;
            out->executable = !nx;
            return 0;
        }
        table = entry & PTE_ADDR_MASK;
    }
    /* Not reached: level 3 always ends the walk above. */
    out->fault = PAGEWALK_BAD_TABLE;
    return -1;
}

static const char *page_size_name(uint64_t size)
{
    switch (size) {
    case PAGE_1G:
        return "1 GiB";
    case PAGE_2M:
        return "2 MiB";
    default:
        return "4 KiB";
    }
}

/* What the entry at level i leads to, for the arrow column. */
static void print_level(FILE *f, const struct pagewalk_result *walk, int i, int indent)
{
    const struct pagewalk_level *lv = &walk->levels[i];
    char flags[64], label[16];
    entry_flags(lv->entry, i == 3, flags, sizeof(flags));
    snprintf(label, sizeof(label), "%s[%3u]", lv->name ? lv->name : "?", lv->index);
    fprintf(f, "%*s%-9s @0x%-8" PRIx64 " = 0x%016" PRIx64 "  %-18s", indent, "", label,
            lv->entry_addr, lv->entry, flags);

    bool last = i == walk->nlevels - 1;
    if (last && walk->fault == PAGEWALK_NOT_PRESENT)
        fprintf(f, " -> not present\n");
    else if (last && walk->fault == PAGEWALK_RESERVED_BIT)
        fprintf(f, " -> reserved bit set\n");
    else if (last && walk->fault == PAGEWALK_OK)
        fprintf(f, " -> %s page at 0x%" PRIx64 "\n", page_size_name(walk->page_size),
                walk->pa & ~(walk->page_size - 1));
    else if (i < 3)
        fprintf(f, " -> %s at 0x%" PRIx64 "\n", level_names[i + 1],
                (uint64_t)(lv->entry & PTE_ADDR_MASK));
    else
        fprintf(f, "\n");
}

void pagewalk_print(FILE *out, const struct pagewalk_result *walk, int indent)
{
    int n = walk->nlevels;
    if (n < 0 || n > 4)
        n = 0; /* a caller-built result; print what is safe */
    fprintf(out, "%*sva 0x%" PRIx64 "\n", indent, "", walk->va);
    for (int i = 0; i < n; i++)
        print_level(out, walk, i, indent);

    const struct pagewalk_level *last = n > 0 ? &walk->levels[n - 1] : NULL;
    switch (walk->fault) {
    case PAGEWALK_OK:
        fprintf(out, "%*s=> pa 0x%" PRIx64 " (%s page, r%c%c, %s)\n", indent, "", walk->pa,
                page_size_name(walk->page_size), walk->writable ? 'w' : '-',
                walk->executable ? 'x' : '-', walk->user ? "user" : "supervisor");
        break;
    case PAGEWALK_PAGING_OFF:
        fprintf(out, "%*s=> paging off: pa 0x%" PRIx64 " (virtual == physical)\n", indent, "",
                walk->pa);
        break;
    case PAGEWALK_NOT_CANONICAL:
        fprintf(out,
                "%*s=> fault: non-canonical address (an access raises #GP, or #SS through the "
                "stack, not #PF)\n",
                indent, "");
        break;
    case PAGEWALK_NOT_PRESENT:
    case PAGEWALK_RESERVED_BIT:
        fprintf(out, "%*s=> fault: %s at %s[%u] (a #PF here would have error code %s)\n", indent,
                "", pagewalk_fault_name(walk->fault), last ? last->name : "?",
                last ? last->index : 0, walk->fault == PAGEWALK_NOT_PRESENT ? "P=0" : "P=1 RSVD=1");
        break;
    case PAGEWALK_BAD_TABLE:
        if (n < 4 && walk->levels[n].name)
            fprintf(out, "%*s=> fault: %s entry at 0x%" PRIx64 " lies outside guest memory\n",
                    indent, "", walk->levels[n].name, walk->levels[n].entry_addr);
        else
            fprintf(out,
                    "%*s=> fault: unsupported paging mode (only 4-level long mode is walked)\n",
                    indent, "");
        break;
    default:
        fprintf(out, "%*s=> fault: %s\n", indent, "", pagewalk_fault_name(walk->fault));
        break;
    }
}

int guest_read_virt(const struct guest_access *mem, uint64_t cr0, uint64_t cr3, uint64_t cr4,
                    uint64_t efer, uint64_t va, void *buf, size_t len)
{
    uint8_t *dst = buf;
    if (!mem || !mem->read_phys)
        return -1;
    while (len > 0) {
        struct pagewalk_result walk;
        if (pagewalk_translate(mem, cr0, cr3, cr4, efer, va, &walk) != 0)
            return -1;
        /* Read up to the end of this page: the next page may map anywhere, or nowhere. */
        uint64_t room = walk.page_size - (va & (walk.page_size - 1));
        size_t chunk = len < room ? len : (size_t)room;
        if (mem->read_phys(mem->ctx, walk.pa, dst, chunk) != 0)
            return -1;
        dst += chunk;
        len -= chunk;
        va += chunk;
    }
    return 0;
}

static int read_virt_cb(void *ctx, uint64_t va, void *buf, size_t len)
{
    const struct guest_virt_access *v = ctx;
    return guest_read_virt(v->phys, v->cr0, v->cr3, v->cr4, v->efer, va, buf, len);
}

const struct guest_access *guest_virt_access_init(struct guest_virt_access *va,
                                                  const struct guest_access *phys, uint64_t cr0,
                                                  uint64_t cr3, uint64_t cr4, uint64_t efer)
{
    va->access.read_phys = read_virt_cb;
    va->access.ctx = va;
    va->phys = phys;
    va->cr0 = cr0;
    va->cr3 = cr3;
    va->cr4 = cr4;
    va->efer = efer;
    return &va->access;
}
