/*
 * pagewalk.h: walk the guest's 4-level x86-64 page tables in software.
 *
 * A 48-bit canonical virtual address splits as:
 *
 *   63      48 47     39 38     30 29     21 20     12 11          0
 *  +----------+---------+---------+---------+---------+-------------+
 *  | sign ext |  PML4   |  PDPT   |   PD    |   PT    |   offset    |
 *  +----------+---------+---------+---------+---------+-------------+
 *
 * PDPT and PD entries with PS=1 map 1 GiB and 2 MiB pages directly.
 * Entry bits: P(0) RW(1) US(2) PWT(3) PCD(4) A(5) D(6) PS/PAT(7) G(8) ... NX(63).
 */
#ifndef UKVM_PAGEWALK_H
#define UKVM_PAGEWALK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest_access.h"

#define PTE_P         (1ULL << 0)
#define PTE_RW        (1ULL << 1)
#define PTE_US        (1ULL << 2)
#define PTE_PWT       (1ULL << 3)
#define PTE_PCD       (1ULL << 4)
#define PTE_A         (1ULL << 5)
#define PTE_D         (1ULL << 6)
#define PTE_PS        (1ULL << 7)
#define PTE_G         (1ULL << 8)
#define PTE_NX        (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL /* bits 51:12 */

/* Why a walk did not produce a physical address. */
enum pagewalk_fault {
    PAGEWALK_OK = 0,
    PAGEWALK_PAGING_OFF,    /* CR0.PG clear: virtual == physical (reported, pa set) */
    PAGEWALK_NOT_CANONICAL, /* bits 63:48 are not a sign extension of bit 47 */
    PAGEWALK_NOT_PRESENT,   /* an entry on the way has P=0 */
    PAGEWALK_RESERVED_BIT,  /* an entry has a reserved bit set (e.g. PS in a PML4E) */
    PAGEWALK_BAD_TABLE,     /* a table address lies outside guest memory */
};

/* One level of the walk: which table, which slot, what it held. */
struct pagewalk_level {
    const char *name;    /* "PML4", "PDPT", "PD", "PT" */
    unsigned index;      /* 0-511, from the virtual address */
    uint64_t entry_addr; /* guest-physical address of the entry */
    uint64_t entry;      /* its value */
};

struct pagewalk_result {
    uint64_t va;
    enum pagewalk_fault fault;
    int nlevels; /* levels actually read, 0-4 */
    struct pagewalk_level levels[4];
    uint64_t pa;        /* valid when fault is PAGEWALK_OK or PAGING_OFF */
    uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
    /* Effective permissions (AND of RW and US, OR of NX over the levels). */
    bool writable, user, executable;
};

/*
 * Translates va through the page tables rooted at cr3 (paging mode from cr0/cr4/efer:
 * only 4-level long-mode paging and paging-off are supported; anything else is
 * reported as PAGEWALK_BAD_TABLE with nlevels 0 and levels[0].name NULL). Fills *out
 * completely in every case.
 *
 * Returns 0 when the address translates (fault PAGEWALK_OK, or PAGEWALK_PAGING_OFF with
 * pa == va, all permissions and a 4 KiB page_size), -1 otherwise (out->fault says why).
 * On PAGEWALK_BAD_TABLE with nlevels < 4, levels[nlevels] names the table that could
 * not be read (its entry_addr lies outside guest memory, its entry is 0).
 *
 * Reserved bits checked (SDM 4.5, table 4-14 ff.): PS in a PML4E; NX when EFER.NXE is
 * clear; bits 29:13 of a 1 GiB entry and 20:13 of a 2 MiB entry. MAXPHYADDR is taken
 * as 52, so no address bits are reserved; entries are not checked for bits 62:52.
 * Effective permissions are what the entries allow; CR0.WP, SMEP/SMAP and protection
 * keys are not applied. A walk reads at most 4 entries, so cyclic tables terminate.
 */
int pagewalk_translate(const struct guest_access *mem, uint64_t cr0, uint64_t cr3, uint64_t cr4,
                       uint64_t efer, uint64_t va, struct pagewalk_result *out);

/* A short English reason for fault, e.g. "not present". Never NULL. */
const char *pagewalk_fault_name(enum pagewalk_fault fault);

/*
 * Writes the entry's flags as names, e.g. "P RW US A D NX" into buf (NUL-terminated,
 * truncated to len); returns buf.
 */
char *pagewalk_entry_flags(uint64_t entry, char *buf, size_t len);

/*
 * Prints the walk, each line prefixed by indent spaces: "va 0x100123", then one line
 * per level read (flags of a PT entry show bit 7 as PAT),
 *   PML4[  0] @0x20000    = 0x0000000000021003  P RW               -> PDPT at 0x21000
 *   PT[256]   @0x23800    = 0x0000000000100001  P                  -> 4 KiB page at 0x100000
 * then the result line: "=> pa 0x100123 (4 KiB page, r-x, supervisor)" or
 * "=> fault: not present at PT[1] (a #PF here would have error code P=0)".
 */
void pagewalk_print(FILE *out, const struct pagewalk_result *walk, int indent);

/*
 * Reads len bytes at guest-virtual va, translating page by page. Returns 0, or -1 when
 * some page does not translate or lies outside guest memory.
 */
int guest_read_virt(const struct guest_access *mem, uint64_t cr0, uint64_t cr3, uint64_t cr4,
                    uint64_t efer, uint64_t va, void *buf, size_t len);

/*
 * A guest_access whose read_phys reads guest-*virtual* addresses through the page
 * tables in effect (the control registers are copied in), for code that takes a
 * guest_access but meets virtual addresses, such as symbolizer_backtrace.
 */
struct guest_virt_access {
    struct guest_access access; /* pass &this.access; its ctx points back here */
    const struct guest_access *phys;
    uint64_t cr0, cr3, cr4, efer;
};

/*
 * Sets va up to read virtual addresses through phys with the given control registers;
 * returns &va->access. phys must outlive va.
 */
const struct guest_access *guest_virt_access_init(struct guest_virt_access *va,
                                                  const struct guest_access *phys, uint64_t cr0,
                                                  uint64_t cr3, uint64_t cr4, uint64_t efer);

#endif /* UKVM_PAGEWALK_H */
