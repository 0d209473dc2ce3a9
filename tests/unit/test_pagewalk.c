/*
 * test_pagewalk.c: the page-table walker on synthetic guest memory.
 *
 * A malloc'd buffer stands for guest-physical memory [0, MEM_SIZE); the test builds
 * page tables in it by hand:
 *
 *   PML4 @0x1000 [0]   -> PDPT @0x2000   P RW US
 *                [1]   not present
 *                [2]   PS (reserved in a PML4E)
 *                [3]   -> table at 0x7fff000000, outside memory
 *                [4]   -> 0x1000 itself (a cycle)                      P RW US
 *                [5]   -> PDPT2 @0x6000  P US (read-only)
 *                [511] -> PDPT1 @0x5000  P RW
 *   PDPT @0x2000 [0]   -> PD @0x3000     P RW US
 *                [1]   1 GiB page at 0x40000000                       P RW US PS
 *   PD   @0x3000 [0]   -> PT @0x4000     P RW US
 *                [1]   2 MiB page at 0x200000                         P RW PS NX
 *                [3]   2 MiB page with reserved bit 13 set
 *   PT   @0x4000 [16]  va 0x10000 -> 0x10000                          P RW
 *                [17]  va 0x11000 -> 0x12000 (not contiguous)         P RW NX
 *                [18]  va 0x12000 -> 0x20000                          P US
 *   PDPT1 @0x5000 [510] 1 GiB page at 0: va 0xffffffff80000000 -> 0   P RW PS
 *   PDPT2 @0x6000 [0]   1 GiB page at 0x80000000                     P RW US PS
 */
#include <stdlib.h>

#include "ukvm/inspect/pagewalk.h"
#include "ukvm/inspect/x86_decode.h"
#include "unit.h"

#define MEM_SIZE 0x400000ULL

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

#define CR0  0x80050033ULL /* PG WP ... */
#define CR3  0x1000ULL
#define CR4  0x20ULL  /* PAE */
#define EFER 0xd01ULL /* LMA LME NXE SCE */

static void set_entry(uint64_t table, unsigned index, uint64_t value)
{
    memcpy(mem + table + 8ULL * index, &value, sizeof(value));
}

static void build_tables(void)
{
    mem = calloc(1, MEM_SIZE);
    if (!mem) {
        printf("FAIL setup: out of memory\n");
        exit(1);
    }
    const uint64_t prw_us = PTE_P | PTE_RW | PTE_US;
    set_entry(0x1000, 0, 0x2000 | prw_us);
    set_entry(0x1000, 2, 0x2000 | prw_us | PTE_PS);
    set_entry(0x1000, 3, 0x7fff000000ULL | prw_us);
    set_entry(0x1000, 4, 0x1000 | prw_us);
    set_entry(0x1000, 5, 0x6000 | PTE_P | PTE_US);
    set_entry(0x1000, 511, 0x5000 | PTE_P | PTE_RW);
    set_entry(0x2000, 0, 0x3000 | prw_us);
    set_entry(0x2000, 1, 0x40000000 | prw_us | PTE_PS);
    set_entry(0x3000, 0, 0x4000 | prw_us);
    set_entry(0x3000, 1, 0x200000 | PTE_P | PTE_RW | PTE_PS | PTE_NX);
    set_entry(0x3000, 3, 0x400000 | (1ULL << 13) | PTE_P | PTE_RW | PTE_PS);
    set_entry(0x4000, 16, 0x10000 | PTE_P | PTE_RW);
    set_entry(0x4000, 17, 0x12000 | PTE_P | PTE_RW | PTE_NX);
    set_entry(0x4000, 18, 0x20000 | PTE_P | PTE_US);
    set_entry(0x5000, 510, 0x0 | PTE_P | PTE_RW | PTE_PS);
    set_entry(0x6000, 0, 0x80000000 | prw_us | PTE_PS);
}

static int walk(uint64_t va, struct pagewalk_result *r)
{
    return pagewalk_translate(&access, CR0, CR3, CR4, EFER, va, r);
}

UNIT_TEST(map_4k)
{
    struct pagewalk_result r;
    CHECK(walk(0x10123, &r) == 0);
    CHECK(r.fault == PAGEWALK_OK);
    CHECK_EQ_U64(r.pa, 0x10123);
    CHECK_EQ_U64(r.page_size, 0x1000);
    CHECK(r.nlevels == 4);
    CHECK(strcmp(r.levels[0].name, "PML4") == 0 && strcmp(r.levels[3].name, "PT") == 0);
    CHECK(r.levels[3].index == 16);
    CHECK_EQ_U64(r.levels[3].entry_addr, 0x4000 + 16 * 8);
    CHECK_EQ_U64(r.levels[2].entry, 0x4000 | PTE_P | PTE_RW | PTE_US);
    CHECK(r.writable && !r.user && r.executable);

    CHECK(walk(0x11ff8, &r) == 0);
    CHECK_EQ_U64(r.pa, 0x12ff8);
    CHECK(r.writable && !r.user && !r.executable);

    CHECK(walk(0x12000, &r) == 0);
    CHECK_EQ_U64(r.pa, 0x20000);
    CHECK(!r.writable && r.user && r.executable);
}

UNIT_TEST(map_2m_and_1g)
{
    struct pagewalk_result r;
    CHECK(walk(0x2abcde, &r) == 0);
    CHECK_EQ_U64(r.pa, 0x2abcde);
    CHECK_EQ_U64(r.page_size, 2ULL << 20);
    CHECK(r.nlevels == 3);
    CHECK(r.writable && !r.user && !r.executable);

    CHECK(walk(0x41234567, &r) == 0);
    CHECK_EQ_U64(r.pa, 0x41234567);
    CHECK_EQ_U64(r.page_size, 1ULL << 30);
    CHECK(r.nlevels == 2);
    CHECK(r.writable && r.user && r.executable);

    /* The upper half: a kernel-style mapping of the top 2 GiB. */
    CHECK(walk(0xffffffff80001234ULL, &r) == 0);
    CHECK_EQ_U64(r.pa, 0x1234);
    CHECK(r.levels[0].index == 511 && r.levels[1].index == 510);
    CHECK(r.writable && !r.user && r.executable);

    /* Read-only at the PML4E makes the whole 1 GiB page read-only. */
    CHECK(walk((5ULL << 39) | 0x42, &r) == 0);
    CHECK_EQ_U64(r.pa, 0x80000042);
    CHECK(!r.writable && r.user && r.executable);
}

UNIT_TEST(not_present_each_level)
{
    struct pagewalk_result r;
    CHECK(walk(1ULL << 39, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_PRESENT && r.nlevels == 1);
    CHECK(walk(2ULL << 30, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_PRESENT && r.nlevels == 2);
    CHECK(walk(2ULL << 21, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_PRESENT && r.nlevels == 3);
    CHECK(walk(0x13000, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_PRESENT && r.nlevels == 4);
    CHECK(r.levels[3].index == 19);
    /* The null page. */
    CHECK(walk(0, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_PRESENT && r.nlevels == 4);
}

UNIT_TEST(reserved_bits)
{
    struct pagewalk_result r;
    CHECK(walk(2ULL << 39, &r) == -1);
    CHECK(r.fault == PAGEWALK_RESERVED_BIT && r.nlevels == 1);
    CHECK(walk(3ULL << 21, &r) == -1);
    CHECK(r.fault == PAGEWALK_RESERVED_BIT && r.nlevels == 3);
    /* NX is reserved while EFER.NXE is clear. */
    CHECK(pagewalk_translate(&access, CR0, CR3, CR4, 0x500, 0x11000, &r) == -1);
    CHECK(r.fault == PAGEWALK_RESERVED_BIT && r.nlevels == 4);
    CHECK(pagewalk_translate(&access, CR0, CR3, CR4, 0x500, 0x10000, &r) == 0);
}

UNIT_TEST(non_canonical)
{
    struct pagewalk_result r;
    CHECK(walk(0x0000800000000000ULL, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_CANONICAL && r.nlevels == 0);
    CHECK(walk(0xfffe800000000000ULL, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_CANONICAL);
    CHECK(walk(0xffff800000000000ULL, &r) == -1);
    CHECK(r.fault == PAGEWALK_NOT_PRESENT); /* canonical, but PML4[256] is empty */
}

UNIT_TEST(bad_tables)
{
    struct pagewalk_result r;
    /* A PML4E pointing outside guest memory. */
    CHECK(walk(3ULL << 39, &r) == -1);
    CHECK(r.fault == PAGEWALK_BAD_TABLE && r.nlevels == 1);
    CHECK(strcmp(r.levels[1].name, "PDPT") == 0);
    CHECK_EQ_U64(r.levels[1].entry_addr, 0x7fff000000ULL);
    /* CR3 outside guest memory. */
    CHECK(pagewalk_translate(&access, CR0, 0x7fff000000ULL, CR4, EFER, 0x10000, &r) == -1);
    CHECK(r.fault == PAGEWALK_BAD_TABLE && r.nlevels == 0);
    CHECK(strcmp(r.levels[0].name, "PML4") == 0);
    /* Table address near the top of the address space: no overflow in the reader. */
    CHECK(pagewalk_translate(&access, CR0, 0x000ffffffffff000ULL, CR4, EFER, 0x10000, &r) == -1);
    CHECK(r.fault == PAGEWALK_BAD_TABLE);
    /* A NULL reader is a bad table, not a crash. */
    CHECK(pagewalk_translate(NULL, CR0, CR3, CR4, EFER, 0x10000, &r) == -1);
    CHECK(r.fault == PAGEWALK_BAD_TABLE);
}

UNIT_TEST(self_referencing_table)
{
    /* PML4[4] points at the PML4: every level reads slot 4 of the same page. */
    struct pagewalk_result r;
    uint64_t va = (4ULL << 39) | (4ULL << 30) | (4ULL << 21) | (4ULL << 12) | 0x18;
    CHECK(walk(va, &r) == 0);
    CHECK(r.nlevels == 4);
    CHECK_EQ_U64(r.pa, 0x1018);
    /* With every slot pointing home, walks of any address end after four reads. */
    uint8_t *saved = malloc(0x1000);
    CHECK(saved);
    memcpy(saved, mem + 0x1000, 0x1000);
    for (unsigned i = 0; i < 512; i++)
        set_entry(0x1000, i, 0x1000 | PTE_P | PTE_RW);
    for (uint64_t v = 0; v < (1ULL << 47); v += 0x0000123456789000ULL)
        CHECK(walk(v, &r) == 0 && r.nlevels == 4 && r.pa == 0x1000 + (v & 0xfff));
    memcpy(mem + 0x1000, saved, 0x1000);
    free(saved);
}

UNIT_TEST(paging_modes)
{
    struct pagewalk_result r;
    CHECK(pagewalk_translate(&access, 0x11, 0, 0, 0, 0x123456, &r) == 0);
    CHECK(r.fault == PAGEWALK_PAGING_OFF);
    CHECK_EQ_U64(r.pa, 0x123456);
    /* Paging on without PAE (32-bit paging) or with LA57: not walked. */
    CHECK(pagewalk_translate(&access, CR0, CR3, 0, EFER, 0x10000, &r) == -1);
    CHECK(r.fault == PAGEWALK_BAD_TABLE && r.nlevels == 0 && r.levels[0].name == NULL);
    CHECK(pagewalk_translate(&access, CR0, CR3, CR4 | X86_CR4_LA57, EFER, 0x10000, &r) == -1);
    CHECK(r.fault == PAGEWALK_BAD_TABLE && r.nlevels == 0);
    CHECK(pagewalk_translate(&access, CR0, CR3, CR4, 0, 0x10000, &r) == -1);
    /* PCID bits in CR3 are not part of the table address. */
    CHECK(pagewalk_translate(&access, CR0, CR3 | 0x5, CR4, EFER, 0x10000, &r) == 0);
}

UNIT_TEST(virtual_reads)
{
    memcpy(mem + 0xffd, "?", 1);
    memcpy(mem + 0x10ffd, "HEL", 3);
    memcpy(mem + 0x12000, "LO!", 3);
    char buf[8] = {0};
    CHECK(guest_read_virt(&access, CR0, CR3, CR4, EFER, 0x10ffd, buf, 6) == 0);
    CHECK(memcmp(buf, "HELLO!", 6) == 0);
    /* Crossing into a page that is not present fails. */
    CHECK(guest_read_virt(&access, CR0, CR3, CR4, EFER, 0x12ffe, buf, 4) == -1);
    CHECK(guest_read_virt(&access, CR0, CR3, CR4, EFER, 0x12ffe, buf, 2) == 0);
    /* Inside a 2 MiB page, across 4 KiB boundaries, in one piece. */
    memcpy(mem + 0x200ffe, "2M", 2);
    memcpy(mem + 0x201000, "ok", 2);
    CHECK(guest_read_virt(&access, CR0, CR3, CR4, EFER, 0x200ffe, buf, 4) == 0);
    CHECK(memcmp(buf, "2Mok", 4) == 0);
    /* A mapped page whose frame lies outside guest memory. */
    CHECK(guest_read_virt(&access, CR0, CR3, CR4, EFER, 0x40000000, buf, 1) == -1);
    /* Paging off: physical. */
    CHECK(guest_read_virt(&access, 0, 0, 0, 0, 0x10ffd, buf, 3) == 0);
    CHECK(memcmp(buf, "HEL", 3) == 0);
    CHECK(guest_read_virt(&access, CR0, CR3, CR4, EFER, 0x10000, buf, 0) == 0);
    CHECK(guest_read_virt(NULL, CR0, CR3, CR4, EFER, 0x10000, buf, 1) == -1);

    /* The same through a guest_access that reads virtual addresses. */
    struct guest_virt_access va;
    const struct guest_access *v = guest_virt_access_init(&va, &access, CR0, CR3, CR4, EFER);
    memset(buf, 0, sizeof(buf));
    CHECK(v->read_phys(v->ctx, 0x10ffd, buf, 6) == 0);
    CHECK(memcmp(buf, "HELLO!", 6) == 0);
    CHECK(v->read_phys(v->ctx, 0x13000, buf, 1) == -1);
}

UNIT_TEST(entry_flags)
{
    char buf[64];
    CHECK(strcmp(pagewalk_entry_flags(0x8000000000000067ULL, buf, sizeof(buf)), "P RW US A D NX") ==
          0);
    CHECK(strcmp(pagewalk_entry_flags(0x21003, buf, sizeof(buf)), "P RW") == 0);
    CHECK(strcmp(pagewalk_entry_flags(0x1f9, buf, sizeof(buf)), "P PWT PCD A D PS G") == 0);
    CHECK(strcmp(pagewalk_entry_flags(0, buf, sizeof(buf)), "") == 0);
    char small[5];
    CHECK(strcmp(pagewalk_entry_flags(0x67, small, sizeof(small)), "P RW") == 0);
    CHECK(strcmp(pagewalk_fault_name(PAGEWALK_NOT_PRESENT), "not present") == 0);
    CHECK(pagewalk_fault_name((enum pagewalk_fault)99) != NULL);
}

/* Runs pagewalk_print into a string. */
static char *print_walk(uint64_t cr0, uint64_t cr4, uint64_t va)
{
    struct pagewalk_result r;
    pagewalk_translate(&access, cr0, CR3, cr4, EFER, va, &r);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    pagewalk_print(f, &r, 2);
    fclose(f);
    return text;
}

UNIT_TEST(print)
{
    char *t = print_walk(CR0, CR4, 0x10123);
    CHECK_STR_CONTAINS(t, "  PML4[  0] @0x1000     = 0x0000000000002007  P RW US");
    CHECK_STR_CONTAINS(t, "-> PDPT at 0x2000\n");
    CHECK_STR_CONTAINS(t, "  PT[ 16]   @0x4080     = 0x0000000000010003  P RW");
    CHECK_STR_CONTAINS(t, "-> 4 KiB page at 0x10000\n");
    CHECK_STR_CONTAINS(t, "  => pa 0x10123 (4 KiB page, rwx, supervisor)\n");
    free(t);

    t = print_walk(CR0, CR4, 0x13000);
    CHECK_STR_CONTAINS(t, "-> not present\n");
    CHECK_STR_CONTAINS(t, "=> fault: not present at PT[19] (a #PF here would have error code P=0)");
    free(t);

    t = print_walk(CR0, CR4, 0x2abcde);
    CHECK_STR_CONTAINS(t, "PD[  1]");
    CHECK_STR_CONTAINS(t, "P RW PS NX");
    CHECK_STR_CONTAINS(t, "=> pa 0x2abcde (2 MiB page, rw-, supervisor)");
    free(t);

    t = print_walk(CR0, CR4, 2ULL << 39);
    CHECK_STR_CONTAINS(t, "=> fault: reserved bit set at PML4[2]");
    CHECK_STR_CONTAINS(t, "RSVD=1");
    free(t);

    t = print_walk(CR0, CR4, 3ULL << 39);
    CHECK_STR_CONTAINS(t, "PDPT entry at 0x7fff000000 lies outside guest memory");
    free(t);

    t = print_walk(CR0, CR4, 0x0000800000000000ULL);
    CHECK_STR_CONTAINS(t, "non-canonical");
    free(t);

    t = print_walk(0, 0, 0x5000);
    CHECK_STR_CONTAINS(t, "paging off: pa 0x5000");
    free(t);

    t = print_walk(CR0, 0, 0x5000);
    CHECK_STR_CONTAINS(t, "unsupported paging mode");
    free(t);
}

int main(void)
{
    build_tables();
    UNIT_RUN(map_4k);
    UNIT_RUN(map_2m_and_1g);
    UNIT_RUN(not_present_each_level);
    UNIT_RUN(reserved_bits);
    UNIT_RUN(non_canonical);
    UNIT_RUN(bad_tables);
    UNIT_RUN(self_referencing_table);
    UNIT_RUN(paging_modes);
    UNIT_RUN(virtual_reads);
    UNIT_RUN(entry_flags);
    UNIT_RUN(print);
    free(mem);
    return UNIT_EXIT_STATUS();
}
