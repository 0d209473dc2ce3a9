/*
 * test_boot_setup.c: layout, page tables, GDT/TSS, boot info and entry registers
 * (ukvm/guest/boot_setup.h, ukvm/guest/page_tables.h), checked by walking the
 * monitor-built tables with the software page walker exactly as the vCPU would, using the
 * cr0/cr3/cr4/efer that boot_initial_regs hands to it.
 *
 * The synthetic image looks like kernel/kernel.ld output, plus a one-page hole:
 *
 *   0x100000 - 0x105233  text    R X  (entry 0x100000)
 *   0x106000 - 0x106fff  (hole: no segment, must stay unmapped)
 *   0x107000 - 0x1090ff  rodata  R
 *   0x10a000 - 0x12e00f  data    R W  (0x1234 bytes from the file, the rest bss)
 *   0x12f000             heap_start
 */
#include <stdlib.h>

#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/guest/page_tables.h"
#include "ukvm/inspect/pagewalk.h"
#include "ukvm_abi.h"
#include "unit.h"

#define MIB        (1ULL << 20)
#define TEXT_VA    0x100000ULL
#define TEXT_END   0x106000ULL /* page-rounded */
#define RODATA_VA  0x107000ULL
#define RODATA_END 0x10a000ULL
#define DATA_VA    0x10a000ULL
#define IMAGE_END  0x12e010ULL
#define HEAP_START 0x12f000ULL
#define SIZE_2M    0x200000ULL

static const struct elf_image image = {
    .entry = TEXT_VA,
    .lowest = TEXT_VA,
    .highest = IMAGE_END,
    .abi_version = UKVM_ABI_VERSION,
    .nsegments = 3,
    .segments =
        {
            {.vaddr = TEXT_VA, .memsz = 0x5234, .filesz = 0x5234, .flags = ELF_SEG_R | ELF_SEG_X},
            {.vaddr = RODATA_VA, .memsz = 0x2100, .filesz = 0x2100, .flags = ELF_SEG_R},
            {.vaddr = DATA_VA,
             .memsz = IMAGE_END - DATA_VA,
             .filesz = 0x1234,
             .flags = ELF_SEG_R | ELF_SEG_W},
        },
};

/* One booted memory: allocated, laid out, tables built, registers computed. */
struct booted {
    struct guest_mem mem;
    struct boot_layout layout;
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    struct guest_access access;
    char err[256];
};

static int boot(struct booted *b, uint64_t mem_size)
{
    memset(b, 0, sizeof(*b));
    if (guest_mem_alloc(&b->mem, mem_size, b->err, sizeof(b->err)) < 0)
        return -1;
    if (boot_layout_compute(mem_size, &image, &b->layout, b->err, sizeof(b->err)) < 0 ||
        boot_setup_memory(&b->mem, &image, &b->layout, b->err, sizeof(b->err)) < 0) {
        guest_mem_free(&b->mem);
        return -1;
    }
    boot_initial_regs(image.entry, &b->layout, &b->regs, &b->sregs);
    b->access = guest_mem_access(&b->mem);
    return 0;
}

/* The same in user mode (the monitor's shim, user pages, CPL 3 registers). */
static int boot_user(struct booted *b, uint64_t mem_size)
{
    memset(b, 0, sizeof(*b));
    if (guest_mem_alloc(&b->mem, mem_size, b->err, sizeof(b->err)) < 0)
        return -1;
    if (boot_layout_compute(mem_size, &image, &b->layout, b->err, sizeof(b->err)) < 0) {
        guest_mem_free(&b->mem);
        return -1;
    }
    b->layout.user_mode = true;
    if (boot_setup_memory(&b->mem, &image, &b->layout, b->err, sizeof(b->err)) < 0) {
        guest_mem_free(&b->mem);
        return -1;
    }
    boot_initial_regs(image.entry, &b->layout, &b->regs, &b->sregs);
    b->access = guest_mem_access(&b->mem);
    return 0;
}

static int walk(const struct booted *b, uint64_t va, struct pagewalk_result *w)
{
    return pagewalk_translate(&b->access, b->sregs.cr0, b->sregs.cr3, b->sregs.cr4, b->sregs.efer,
                              va, w);
}

enum perm { P_NONE, P_RO, P_RX, P_RW };

/* What the layout in the header comment and include/ukvm_abi.h promise for va. */
static enum perm expected_perm(const struct boot_layout *l, uint64_t va)
{
    if (va < UKVM_PAGE_SIZE || va >= l->mem_size)
        return P_NONE;
    if (va < UKVM_KERNEL_MIN_GPA)
        return P_RW;
    if (va < TEXT_END)
        return P_RX;
    if (va < RODATA_VA)
        return P_NONE;
    if (va < RODATA_END)
        return P_RO;
    if (va < l->stack_guard)
        return P_RW; /* data, bss, heap */
    if (va < l->stack_guard + UKVM_PAGE_SIZE)
        return P_NONE;
    return P_RW;
}

static const char *perm_name(enum perm p)
{
    static const char *const names[] = {"unmapped", "r--", "r-x", "rw-"};
    return names[p];
}

static enum perm walk_perm(const struct pagewalk_result *w)
{
    if (w->fault != PAGEWALK_OK)
        return P_NONE;
    if (w->writable)
        return w->executable ? (enum perm) - 1 : P_RW; /* W+X never appears */
    return w->executable ? P_RX : P_RO;
}

/*
 * Walks [start, end) page by page (a byte inside each page, alternating first and last)
 * and checks presence, identity mapping, permissions and supervisor-only. Returns 0 or
 * reports the first mismatch and returns -1.
 */
static int check_pages(const struct booted *b, uint64_t start, uint64_t end)
{
    for (uint64_t page = start; page < end; page += UKVM_PAGE_SIZE) {
        uint64_t va = page + ((page >> 12) & 1 ? UKVM_PAGE_SIZE - 1 : 0);
        struct pagewalk_result w;
        int rc = walk(b, va, &w);
        enum perm want = expected_perm(&b->layout, va), got = walk_perm(&w);
        if (got != want || (want == P_NONE) != (rc != 0) ||
            (want == P_NONE && w.fault != PAGEWALK_NOT_PRESENT) ||
            (want != P_NONE && (w.pa != va || w.user))) {
            printf("FAIL %s: va 0x%" PRIx64 " in %" PRIu64
                   " MiB: want %s, got %s (%s, pa 0x%" PRIx64 "%s)\n",
                   unit_current, va, b->mem.size >> 20, perm_name(want),
                   got == (enum perm) - 1 ? "rwx" : perm_name(got), pagewalk_fault_name(w.fault),
                   w.pa, w.user ? ", user" : "");
            unit_failures++;
            unit_current_failed = 1;
            return -1;
        }
    }
    return 0;
}

/* Every page of memory, plus 4 MiB past its end; large memories: both ends, 2 MiB steps. */
static int check_all(const struct booted *b)
{
    uint64_t size = b->mem.size;
    if (size <= 128 * MIB)
        return check_pages(b, 0, size + 4 * MIB);
    if (check_pages(b, 0, 8 * MIB) < 0 || check_pages(b, size - 8 * MIB, size + 4 * MIB) < 0)
        return -1;
    for (uint64_t va = 8 * MIB; va < size - 8 * MIB; va += SIZE_2M)
        if (check_pages(b, va, va + UKVM_PAGE_SIZE) < 0 ||
            check_pages(b, va + SIZE_2M - UKVM_PAGE_SIZE, va + SIZE_2M) < 0)
            return -1;
    return 0;
}

static void check_memory_size(uint64_t mem_size)
{
    static struct booted b;
    if (boot(&b, mem_size) < 0)
        UNIT_FAIL("boot with %" PRIu64 " bytes: %s", mem_size, b.err);
    const struct boot_layout *l = &b.layout;
    CHECK_EQ_U64(l->mem_size, mem_size);
    CHECK_EQ_U64(l->stack_top, mem_size);
    CHECK_EQ_U64(l->stack_guard, mem_size - UKVM_STACK_SIZE - UKVM_PAGE_SIZE);
    CHECK_EQ_U64(l->heap_start, HEAP_START);
    CHECK_EQ_U64(l->heap_size, l->stack_guard - HEAP_START);
    CHECK_EQ_U64(l->cr3, UKVM_PT_GPA); /* the PML4 is the first table */
    CHECK_EQ_U64(b.sregs.cr3, l->cr3);

    struct pagewalk_result w;
    /* The named spots, one by one, so a failure says which promise broke. */
    CHECK_EQ_U64(walk(&b, 0, &w), (uint64_t)-1);
    CHECK_EQ_U64(w.fault, PAGEWALK_NOT_PRESENT);
    CHECK_EQ_U64(walk(&b, 0xfff, &w), (uint64_t)-1);
    CHECK_EQ_U64(walk(&b, UKVM_GDT_GPA, &w), 0);
    CHECK(w.writable && !w.executable && !w.user);
    CHECK_EQ_U64(w.page_size, UKVM_PAGE_SIZE);
    CHECK_EQ_U64(walk(&b, TEXT_VA, &w), 0);
    CHECK(w.executable && !w.writable);
    CHECK_EQ_U64(w.pa, TEXT_VA);
    CHECK_EQ_U64(walk(&b, TEXT_VA + 0x5233, &w), 0);
    CHECK(w.executable && !w.writable);
    CHECK_EQ_U64(walk(&b, 0x106000, &w), (uint64_t)-1); /* the hole */
    CHECK_EQ_U64(walk(&b, RODATA_VA + 0x10, &w), 0);
    CHECK(!w.executable && !w.writable);
    CHECK_EQ_U64(walk(&b, DATA_VA, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, IMAGE_END - 1, &w), 0); /* the last bss byte */
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, l->heap_start, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, l->stack_guard - 1, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, l->stack_guard, &w), (uint64_t)-1);
    CHECK_EQ_U64(w.fault, PAGEWALK_NOT_PRESENT);
    CHECK_EQ_U64(w.nlevels, 4); /* a PT entry, not a missing table */
    CHECK_EQ_U64(walk(&b, l->stack_guard + UKVM_PAGE_SIZE - 1, &w), (uint64_t)-1);
    CHECK_EQ_U64(walk(&b, l->stack_guard + UKVM_PAGE_SIZE, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, l->stack_top - 8, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(w.pa, l->stack_top - 8);
    CHECK_EQ_U64(walk(&b, mem_size - 1, &w), 0);
    CHECK_EQ_U64(w.pa, mem_size - 1);
    CHECK_EQ_U64(walk(&b, mem_size, &w), (uint64_t)-1);
    CHECK_EQ_U64(w.fault, PAGEWALK_NOT_PRESENT);
    /* The IST stacks' tops (just below each pointer) are writable, not executable. */
    for (uint64_t n = 1; n <= 3; n++) {
        CHECK_EQ_U64(walk(&b, UKVM_IST_GPA + n * UKVM_IST_STACK_SIZE - 8, &w), 0);
        CHECK(w.writable && !w.executable);
    }

    /* 2 MiB pages in the middle of the heap; 4 KiB pages where permissions change. */
    if (mem_size >= 8 * MIB) {
        uint64_t mid = (l->heap_start + l->stack_guard) / 2 & ~(SIZE_2M - 1);
        CHECK_EQ_U64(walk(&b, mid + 0x1234, &w), 0);
        CHECK_EQ_U64(w.page_size, SIZE_2M);
        CHECK_EQ_U64(w.pa, mid + 0x1234);
        CHECK_EQ_U64(w.nlevels, 3);
        CHECK(w.writable && !w.executable);
        CHECK_EQ_U64(walk(&b, 2 * MIB, &w), 0); /* the first chunk after the image's */
        CHECK_EQ_U64(w.page_size, SIZE_2M);
    }
    CHECK_EQ_U64(walk(&b, TEXT_VA, &w), 0);
    CHECK_EQ_U64(w.page_size, UKVM_PAGE_SIZE);
    CHECK_EQ_U64(walk(&b, mem_size - 1, &w), 0);
    CHECK_EQ_U64(w.page_size, UKVM_PAGE_SIZE);

    /* Every table the walks pass through lies in the page-table area. */
    CHECK_EQ_U64(walk(&b, l->stack_top - 8, &w), 0);
    for (int i = 0; i < w.nlevels; i++)
        CHECK(w.levels[i].entry_addr >= UKVM_PT_GPA && w.levels[i].entry_addr < UKVM_PT_END);

    /* And every page, against the model. */
    if (check_all(&b) < 0)
        return;
    guest_mem_free(&b.mem);
}

UNIT_TEST(layout_64m)
{
    check_memory_size(64 * MIB);
}

UNIT_TEST(layout_65m_not_2m_multiple)
{
    check_memory_size(65 * MIB); /* --mem=65 is accepted by options_parse */
}

UNIT_TEST(layout_66m)
{
    check_memory_size(66 * MIB);
}

UNIT_TEST(layout_2m_smallest)
{
    check_memory_size(2 * MIB);
}

UNIT_TEST(layout_4096m)
{
    check_memory_size(4096 * MIB);
}

UNIT_TEST(layout_4096m_far_end)
{
    static struct booted b;
    if (boot(&b, 4096 * MIB) < 0)
        UNIT_FAIL("boot: %s", b.err);
    struct pagewalk_result w;
    CHECK_EQ_U64(walk(&b, 0xffffffffULL, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, 0x100000000ULL, &w), (uint64_t)-1);
    CHECK_EQ_U64(w.fault, PAGEWALK_NOT_PRESENT);
    CHECK_EQ_U64(w.nlevels, 2);                   /* PDPT[4] is empty */
    CHECK_EQ_U64(walk(&b, 0xc0000000ULL, &w), 0); /* the fourth GiB's first page */
    CHECK_EQ_U64(w.page_size, SIZE_2M);
    CHECK_EQ_U64(b.regs.rsp, 0x100000000ULL);
    guest_mem_free(&b.mem);
}

UNIT_TEST(min_mem_size)
{
    /* Image end page-rounded + heap page + guard page + stack, rounded up to 2 MiB. */
    CHECK_EQ_U64(boot_min_mem_size(IMAGE_END), 2 * MIB);
    CHECK_EQ_U64(boot_min_mem_size(0x200000 - 0x82000), 2 * MIB);
    CHECK_EQ_U64(boot_min_mem_size(0x200000 - 0x82000 + 1), 4 * MIB);
    CHECK_EQ_U64(boot_min_mem_size(0x4000000), 66 * MIB);
}

UNIT_TEST(kernel_too_big_refused)
{
    struct elf_image big = image;
    struct boot_layout layout;
    char err[256] = "";
    /* Exactly fits: one heap page between the image and the guard page. */
    big.highest = 64 * MIB - 0x82000;
    big.segments[2].memsz = big.highest - DATA_VA;
    CHECK_EQ_U64(boot_layout_compute(64 * MIB, &big, &layout, err, sizeof(err)), 0);
    CHECK_EQ_U64(layout.heap_size, UKVM_PAGE_SIZE);
    CHECK_EQ_U64(layout.heap_start, 64 * MIB - 0x82000);
    /* One byte more: needs 66 MiB, and the message says so. */
    big.highest++;
    big.segments[2].memsz++;
    memset(&layout, 0x5a, sizeof(layout));
    CHECK_EQ_U64(boot_layout_compute(64 * MIB, &big, &layout, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "the unikernel ends at 0x3f7e001; with its stack it needs --mem=66 or "
                            "more");
    CHECK_EQ_U64(boot_layout_compute(66 * MIB, &big, &layout, err, sizeof(err)), 0);
    /* An image larger than memory altogether. */
    big.highest = 100 * MIB;
    CHECK_EQ_U64(boot_layout_compute(64 * MIB, &big, &layout, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "needs --mem=102 or more");
}

UNIT_TEST(smallest_heap_is_mapped)
{
    struct elf_image big = image;
    big.highest = 4 * MIB - 0x82000;
    big.segments[2].memsz = big.highest - DATA_VA;
    static struct booted b;
    memset(&b, 0, sizeof(b));
    CHECK_EQ_U64(guest_mem_alloc(&b.mem, 4 * MIB, b.err, sizeof(b.err)), 0);
    CHECK_EQ_U64(boot_layout_compute(4 * MIB, &big, &b.layout, b.err, sizeof(b.err)), 0);
    CHECK_EQ_U64(boot_setup_memory(&b.mem, &big, &b.layout, b.err, sizeof(b.err)), 0);
    boot_initial_regs(big.entry, &b.layout, &b.regs, &b.sregs);
    b.access = guest_mem_access(&b.mem);
    struct pagewalk_result w;
    CHECK_EQ_U64(walk(&b, b.layout.heap_start, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, b.layout.heap_start + UKVM_PAGE_SIZE, &w), (uint64_t)-1); /* guard */
    CHECK_EQ_U64(b.layout.heap_start + UKVM_PAGE_SIZE, b.layout.stack_guard);
    guest_mem_free(&b.mem);
}

static uint64_t load64(const struct guest_mem *mem, uint64_t gpa)
{
    uint64_t v = 0;
    memcpy(&v, mem->host + gpa, sizeof(v));
    return v;
}

UNIT_TEST(gdt_and_tss)
{
    static struct booted b;
    if (boot(&b, 64 * MIB) < 0)
        UNIT_FAIL("boot: %s", b.err);
    const struct guest_mem *m = &b.mem;
    CHECK_EQ_U64(load64(m, 0x1000), 0);
    CHECK_EQ_U64(load64(m, 0x1008), 0x00af9b000000ffffULL); /* 64-bit code */
    CHECK_EQ_U64(load64(m, 0x1010), 0x00cf93000000ffffULL); /* flat data */
    CHECK_EQ_U64(load64(m, 0x1018), 0x00008b0020000067ULL); /* busy TSS at 0x2000 */
    CHECK_EQ_U64(load64(m, 0x1020), 0);                     /* TSS base 63:32 */

    /* The descriptors agree with the hidden parts boot_initial_regs loads. */
    uint64_t code = load64(m, 0x1008), data = load64(m, 0x1010), tss = load64(m, 0x1018);
    CHECK_EQ_U64(code >> 40 & 0xf, b.sregs.cs.type);
    CHECK_EQ_U64(code >> 53 & 1, b.sregs.cs.l);
    CHECK_EQ_U64(code >> 54 & 1, b.sregs.cs.db);
    CHECK_EQ_U64(code >> 55 & 1, b.sregs.cs.g);
    CHECK_EQ_U64(code >> 47 & 1, b.sregs.cs.present);
    CHECK_EQ_U64(code >> 45 & 3, b.sregs.cs.dpl);
    CHECK_EQ_U64(data >> 40 & 0xf, b.sregs.ss.type);
    CHECK_EQ_U64(data >> 54 & 1, b.sregs.ss.db);
    CHECK_EQ_U64(data >> 55 & 1, b.sregs.ss.g);
    CHECK_EQ_U64(tss >> 40 & 0xf, b.sregs.tr.type);
    CHECK_EQ_U64(tss & 0xffff, b.sregs.tr.limit);
    CHECK_EQ_U64((tss >> 16 & 0xffffff) | (tss >> 56 & 0xff) << 24, b.sregs.tr.base);

    /* 64-bit TSS: RSP0-2 at 0x4, IST1-7 at 0x24, I/O map base at 0x66. */
    const uint64_t t = UKVM_TSS_GPA;
    CHECK_EQ_U64(load64(m, t + 0x4), 0);
    CHECK_EQ_U64(load64(m, t + 0x24), UKVM_IST_GPA + 1 * UKVM_IST_STACK_SIZE);
    CHECK_EQ_U64(load64(m, t + 0x2c), UKVM_IST_GPA + 2 * UKVM_IST_STACK_SIZE);
    CHECK_EQ_U64(load64(m, t + 0x34), UKVM_IST_GPA + 3 * UKVM_IST_STACK_SIZE);
    CHECK_EQ_U64(load64(m, t + 0x24), 0x14000);
    CHECK_EQ_U64(load64(m, t + 0x34), 0x1c000);
    for (uint64_t n = 4; n <= 7; n++)
        CHECK_EQ_U64(load64(m, t + 0x24 + (n - 1) * 8), 0);
    uint16_t iomap;
    memcpy(&iomap, m->host + t + 0x66, sizeof(iomap));
    CHECK_EQ_U64(iomap, 0x68); /* past the limit: no I/O bitmap */
    /* The IST stacks end below the page tables. */
    CHECK(UKVM_IST_GPA + 3 * UKVM_IST_STACK_SIZE <= UKVM_PT_GPA);
    guest_mem_free(&b.mem);
}

UNIT_TEST(initial_registers)
{
    static struct booted b;
    if (boot(&b, 64 * MIB) < 0)
        UNIT_FAIL("boot: %s", b.err);
    CHECK_EQ_U64(b.regs.rip, TEXT_VA);
    CHECK_EQ_U64(b.regs.rsp, 64 * MIB);
    CHECK_EQ_U64(b.regs.rdi, UKVM_BOOT_INFO_GPA);
    CHECK_EQ_U64(b.regs.rflags, 0x2);
    CHECK_EQ_U64(b.regs.rax | b.regs.rbx | b.regs.rbp | b.regs.r15, 0);
    CHECK_EQ_U64(b.sregs.cr0, 0x80010033ULL); /* PG WP NE ET MP PE */
    CHECK_EQ_U64(b.sregs.cr4, 0x620ULL);      /* OSXMMEXCPT OSFXSR PAE */
    CHECK_EQ_U64(b.sregs.efer, 0xd00ULL);     /* NXE LMA LME */
    CHECK_EQ_U64(b.sregs.cs.selector, UKVM_SEL_CODE64);
    CHECK_EQ_U64(b.sregs.cs.l, 1);
    CHECK_EQ_U64(b.sregs.cs.db, 0);
    CHECK_EQ_U64(b.sregs.ds.selector, UKVM_SEL_DATA);
    CHECK_EQ_U64(b.sregs.es.selector, UKVM_SEL_DATA);
    CHECK_EQ_U64(b.sregs.fs.selector, UKVM_SEL_DATA);
    CHECK_EQ_U64(b.sregs.gs.selector, UKVM_SEL_DATA);
    CHECK_EQ_U64(b.sregs.ss.selector, UKVM_SEL_DATA);
    CHECK_EQ_U64(b.sregs.tr.selector, UKVM_SEL_TSS);
    CHECK_EQ_U64(b.sregs.tr.base, UKVM_TSS_GPA);
    CHECK_EQ_U64(b.sregs.tr.limit, 0x67);
    CHECK_EQ_U64(b.sregs.gdt.base, UKVM_GDT_GPA);
    CHECK_EQ_U64(b.sregs.gdt.limit, UKVM_GDT_ENTRIES * 8 - 1);
    CHECK_EQ_U64(b.sregs.idt.limit, 0);
    /* The entry point is executable and the stack writable under exactly these registers. */
    struct pagewalk_result w;
    CHECK_EQ_U64(walk(&b, b.regs.rip, &w), 0);
    CHECK(w.executable);
    CHECK_EQ_U64(walk(&b, b.regs.rsp - 8, &w), 0);
    CHECK(w.writable);
    guest_mem_free(&b.mem);
}

UNIT_TEST(boot_info_and_cmdline)
{
    static struct booted b;
    if (boot(&b, 64 * MIB) < 0)
        UNIT_FAIL("boot: %s", b.err);
    memset(b.mem.host + UKVM_CMDLINE_GPA, 0xff, UKVM_CMDLINE_MAX);
    const struct boot_clock clock = {.tsc_hz = 2500000000ULL,
                                     .wall_clock_ns = 1700000000123456789ULL};
    boot_write_info(&b.mem, &b.layout, "Hello from ukvm", &clock, 0x0123456789abcdefULL);
    struct ukvm_boot_info info;
    memcpy(&info, b.mem.host + UKVM_BOOT_INFO_GPA, sizeof(info));
    CHECK_EQ_U64(info.magic, UKVM_BOOT_MAGIC);
    CHECK_EQ_U64(info.abi_version, UKVM_ABI_VERSION);
    CHECK_EQ_U64(info.mem_size, 64 * MIB);
    CHECK_EQ_U64(info.cmdline, UKVM_CMDLINE_GPA);
    CHECK_EQ_U64(info.heap_start, HEAP_START);
    CHECK_EQ_U64(info.heap_size, 64 * MIB - 0x81000 - HEAP_START);
    CHECK_EQ_U64(info.stack_top, 64 * MIB);
    CHECK_EQ_U64(info.stack_guard, 64 * MIB - 0x81000);
    CHECK_EQ_U64(info.tsc_freq_hz, 2500000000ULL);
    uint64_t mult, shift;
    boot_tsc_scale(2500000000ULL, &mult, &shift);
    CHECK_EQ_U64(info.tsc_mult, mult);
    CHECK_EQ_U64(info.tsc_shift, shift);
    CHECK_EQ_U64(info.wall_clock_ns, 1700000000123456789ULL);
    CHECK_EQ_U64(info.stack_canary, 0x0123456789abcdefULL);
    const char *cmd = (const char *)b.mem.host + UKVM_CMDLINE_GPA;
    CHECK(memcmp(cmd, "Hello from ukvm\0", 16) == 0);

    /* An empty command line is one NUL. */
    boot_write_info(&b.mem, &b.layout, "", &clock, 0);
    CHECK_EQ_U64((unsigned char)cmd[0], 0);

    /* The longest, 8191 bytes: NUL at the last byte of the area. */
    static char longest[UKVM_CMDLINE_MAX + 100];
    memset(b.mem.host + UKVM_CMDLINE_GPA, 0xff, UKVM_CMDLINE_MAX + 16);
    memset(longest, 'z', UKVM_CMDLINE_MAX - 1);
    longest[UKVM_CMDLINE_MAX - 1] = '\0';
    boot_write_info(&b.mem, &b.layout, longest, &clock, 0);
    CHECK_EQ_U64((unsigned char)cmd[0], 'z');
    CHECK_EQ_U64((unsigned char)cmd[UKVM_CMDLINE_MAX - 2], 'z');
    CHECK_EQ_U64((unsigned char)cmd[UKVM_CMDLINE_MAX - 1], 0);
    CHECK_EQ_U64((unsigned char)cmd[UKVM_CMDLINE_MAX], 0xff); /* nothing past the area */
    /* Longer than allowed (the caller should have refused it): cut, still terminated. */
    memset(longest, 'y', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    boot_write_info(&b.mem, &b.layout, longest, &clock, 0);
    CHECK_EQ_U64((unsigned char)cmd[UKVM_CMDLINE_MAX - 2], 'y');
    CHECK_EQ_U64((unsigned char)cmd[UKVM_CMDLINE_MAX - 1], 0);
    CHECK_EQ_U64((unsigned char)cmd[UKVM_CMDLINE_MAX], 0xff);
    /* The boot info and command line pages are mapped writable, not executable. */
    struct pagewalk_result w;
    CHECK_EQ_U64(walk(&b, UKVM_BOOT_INFO_GPA, &w), 0);
    CHECK(w.writable && !w.executable);
    CHECK_EQ_U64(walk(&b, UKVM_CMDLINE_GPA + UKVM_CMDLINE_MAX - 1, &w), 0);
    CHECK(w.writable && !w.executable);
    guest_mem_free(&b.mem);
}

/* |ns - exact| <= exact / 1e6 (+1 ns for the final truncation). */
static int scale_within_1ppm(uint64_t hz, uint64_t ticks)
{
    uint64_t mult, shift;
    boot_tsc_scale(hz, &mult, &shift);
    unsigned __int128 ns = ((unsigned __int128)ticks * mult) >> shift;
    unsigned __int128 exact = (unsigned __int128)ticks * 1000000000ULL / hz;
    unsigned __int128 diff = ns > exact ? ns - exact : exact - ns;
    if (diff > exact / 1000000 + 1) {
        printf("  hz %" PRIu64 " ticks %" PRIu64 ": %" PRIu64 " ns, exact %" PRIu64 "\n", hz, ticks,
               (uint64_t)ns, (uint64_t)exact);
        return -1;
    }
    return 0;
}

UNIT_TEST(tsc_scale)
{
    static const uint64_t hzs[] = {1000000000ULL, 2500000000ULL, 3123456789ULL};
    for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
        uint64_t hz = hzs[i];
        const uint64_t ticks[] = {hz / 1000, hz, hz * 3600, hz * 86400 * 365, 123456789012345ULL};
        for (size_t j = 0; j < sizeof(ticks) / sizeof(ticks[0]); j++)
            if (scale_within_1ppm(hz, ticks[j]) < 0)
                UNIT_FAIL("hz %" PRIu64 " is off by more than 1 ppm", hz);
    }
    /* 1 GHz is exact: one tick per ns. */
    uint64_t mult, shift;
    boot_tsc_scale(1000000000ULL, &mult, &shift);
    CHECK_EQ_U64(((unsigned __int128)987654321987ULL * mult) >> shift, 987654321987ULL);
    /* One second of ticks is one second, to the ns, at 2.5 GHz and 3.123456789 GHz. */
    boot_tsc_scale(2500000000ULL, &mult, &shift);
    uint64_t ns = (uint64_t)(((unsigned __int128)2500000000ULL * mult) >> shift);
    CHECK(ns >= 999999998 && ns <= 1000000000);
    boot_tsc_scale(3123456789ULL, &mult, &shift);
    ns = (uint64_t)(((unsigned __int128)3123456789ULL * mult) >> shift);
    CHECK(ns >= 999999998 && ns <= 1000000000);
    /* Extreme frequencies do not overflow the multiplier. */
    boot_tsc_scale(1, &mult, &shift);
    CHECK_EQ_U64(((unsigned __int128)5 * mult) >> shift, 5000000000ULL);
}

/*
 * User mode: what the guest's code reaches (image, heap, stack, boot info) is user, the
 * monitor's pages (GDT, TSS, shim, page tables) supervisor-only; the hypercall page is
 * mapped at 4 GiB with no memory behind it; the vCPU starts at CPL 3 with ukvm's IDT.
 * guest_virt_write_as_user, the monitor's writes on the guest's behalf, follows the same
 * line: refused on the monitor's pages, allowed on the heap.
 */
UNIT_TEST(user_mode_layout)
{
    struct booted b;
    if (boot_user(&b, 8 * MIB) < 0)
        UNIT_FAIL("boot in user mode: %s", b.err);
    struct pagewalk_result w;
    static const uint64_t user_pages[] = {TEXT_VA, DATA_VA, HEAP_START, UKVM_BOOT_INFO_GPA,
                                          UKVM_CMDLINE_GPA};
    for (size_t i = 0; i < sizeof(user_pages) / sizeof(user_pages[0]); i++) {
        CHECK_EQ_U64(walk(&b, user_pages[i], &w), 0);
        CHECK(w.user);
    }
    static const uint64_t monitor_pages[] = {
        UKVM_GDT_GPA,        UKVM_TSS_GPA, UKVM_USER_IDT_GPA, UKVM_USER_STUBS_GPA,
        UKVM_USER_STACK_GPA, UKVM_IST_GPA, UKVM_PT_GPA};
    uint64_t junk = 0x4141414141414141ULL;
    for (size_t i = 0; i < sizeof(monitor_pages) / sizeof(monitor_pages[0]); i++) {
        CHECK_EQ_U64(walk(&b, monitor_pages[i], &w), 0);
        CHECK(!w.user);
        CHECK_EQ_U64(guest_virt_write_as_user(&b.mem, &b.sregs, monitor_pages[i], &junk, 8),
                     (uint64_t)-1);
    }
    /* A write that straddles into a monitor page is refused whole. */
    CHECK_EQ_U64(guest_virt_write_as_user(&b.mem, &b.sregs, UKVM_USER_IDT_GPA - 4, &junk, 8),
                 (uint64_t)-1);
    CHECK_EQ_U64(guest_virt_write_as_user(&b.mem, &b.sregs, HEAP_START, &junk, 8), 0);
    CHECK_EQ_U64(guest_virt_write_as_user(&b.mem, &b.sregs, TEXT_VA, &junk, 8), (uint64_t)-1);
    CHECK_EQ_U64(walk(&b, UKVM_HC_MMIO_GPA, &w), 0);
    CHECK(w.user && w.writable);
    CHECK_EQ_U64(w.pa, UKVM_HC_MMIO_GPA);
    CHECK_EQ_U64(b.sregs.cs.selector, UKVM_SEL_USER_CODE64);
    CHECK_EQ_U64(b.sregs.cs.dpl, 3);
    CHECK_EQ_U64(b.sregs.ss.selector, UKVM_SEL_USER_DATA);
    CHECK_EQ_U64(b.sregs.idt.base, UKVM_USER_IDT_GPA);
    /* The boot information tells the kernel to make its hypercalls by store. */
    struct boot_clock clock = {.tsc_hz = 1000000000ULL};
    boot_write_info(&b.mem, &b.layout, "", &clock, 0);
    struct ukvm_boot_info bi;
    CHECK_EQ_U64(guest_mem_copy_in(&b.mem, UKVM_BOOT_INFO_GPA, &bi, sizeof(bi)), 0);
    CHECK_EQ_U64(bi.hypercall_mode, UKVM_HC_BY_STORE);
    guest_mem_free(&b.mem);
}

int main(void)
{
    UNIT_RUN(layout_64m);
    UNIT_RUN(layout_65m_not_2m_multiple);
    UNIT_RUN(layout_66m);
    UNIT_RUN(layout_2m_smallest);
    UNIT_RUN(layout_4096m);
    UNIT_RUN(layout_4096m_far_end);
    UNIT_RUN(min_mem_size);
    UNIT_RUN(kernel_too_big_refused);
    UNIT_RUN(smallest_heap_is_mapped);
    UNIT_RUN(gdt_and_tss);
    UNIT_RUN(initial_registers);
    UNIT_RUN(user_mode_layout);
    UNIT_RUN(boot_info_and_cmdline);
    UNIT_RUN(tsc_scale);
    return UNIT_EXIT_STATUS();
}
