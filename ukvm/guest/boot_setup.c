/*
 * boot_setup.c: memory layout, GDT/TSS, boot info and entry registers (see boot_setup.h).
 */
#include <stdio.h>
#include <string.h>

#include "boot_setup.h"
#include "page_tables.h"
#include "ukvm_abi.h"
#include "user_shim.h"

#define SIZE_2M 0x200000ULL

#define PAGE_ALIGN_UP(x) (((x) + UKVM_PAGE_SIZE - 1) & ~(UKVM_PAGE_SIZE - 1))

/* Control-register and EFER bits for long mode (Intel SDM vol. 3, 2.5 and 2.2.1). */
#define CR0_PE_BIT     0
#define CR0_MP_BIT     1
#define CR0_ET_BIT     4
#define CR0_NE_BIT     5
#define CR0_WP_BIT     16
#define CR0_PG_BIT     31
#define CR0_PE         (1ULL << CR0_PE_BIT) /* protected mode */
#define CR0_MP         (1ULL << CR0_MP_BIT) /* monitor coprocessor: SSE with TS */
#define CR0_ET         (1ULL << CR0_ET_BIT) /* extension type, fixed 1 */
#define CR0_NE         (1ULL << CR0_NE_BIT) /* native x87 errors */
#define CR0_WP         (1ULL << CR0_WP_BIT) /* supervisor writes honour read-only pages */
#define CR0_PG         (1ULL << CR0_PG_BIT) /* paging */
#define CR4_PAE        (1ULL << 5)
#define CR4_OSFXSR     (1ULL << 9)  /* SSE enabled */
#define CR4_OSXMMEXCPT (1ULL << 10) /* SIMD exceptions as #XM */
#define EFER_LME       (1ULL << 8)
#define EFER_LMA       (1ULL << 10)
#define EFER_NXE       (1ULL << 11)
_Static_assert(CR0_PG == 0x80000000ULL && CR0_WP == 0x10000ULL, "CR0 bit positions");
_Static_assert((CR0_PE | CR0_MP | CR0_ET | CR0_NE) == 0x33, "CR0 low bits");
_Static_assert((EFER_LME | EFER_LMA | EFER_NXE) == 0xd00, "EFER bit positions");

/* Segment descriptors (SDM 3.4.5): flat 64-bit code, flat data, accessed bits preset. */
#define GDT_CODE64    0x00af9b000000ffffULL /* P DPL0 S code exec/read accessed, L=1 G=1 */
#define GDT_DATA      0x00cf93000000ffffULL /* P DPL0 S data read/write accessed, DB=1 G=1 */
#define TSS_TYPE_BUSY 0xb                   /* 64-bit TSS, busy: TR is loaded by the monitor */
#define TSS_LIMIT     0x67                  /* 104-byte TSS without an I/O bitmap */

/* 64-bit TSS layout (SDM 8.7): offsets of the fields ukvm fills. */
#define TSS_IST_OFFSET(n) (0x24 + ((n)-1) * 8) /* IST1 at 0x24 */
#define TSS_IOMAP_OFFSET  0x66

const struct boot_area boot_ukvm_areas[BOOT_UKVM_NAREAS] = {
    {"null page", 0, UKVM_PAGE_SIZE, "not mapped"},
    {"GDT", UKVM_GDT_GPA, UKVM_GDT_GPA + UKVM_PAGE_SIZE, "rw-"},
    {"TSS", UKVM_TSS_GPA, UKVM_TSS_GPA + UKVM_PAGE_SIZE, "rw-"},
    {"boot info", UKVM_BOOT_INFO_GPA, UKVM_BOOT_INFO_GPA + UKVM_PAGE_SIZE, "rw-"},
    {"cmdline", UKVM_CMDLINE_GPA, UKVM_CMDLINE_GPA + UKVM_CMDLINE_MAX, "rw-"},
    {"IST stacks", UKVM_IST_GPA, UKVM_IST_GPA + 3 * UKVM_IST_STACK_SIZE, "rw-"},
    {"page tables", UKVM_PT_GPA, UKVM_PT_END, "rw-"},
};

/* The same in user mode, with the monitor's shim pages (user_shim.h). */
static const struct boot_area boot_ukvm_user_areas[] = {
    {"null page", 0, UKVM_PAGE_SIZE, "not mapped"},
    {"GDT", UKVM_GDT_GPA, UKVM_GDT_GPA + UKVM_PAGE_SIZE, "rw-  supervisor"},
    {"TSS", UKVM_TSS_GPA, UKVM_TSS_GPA + UKVM_PAGE_SIZE, "rw-  supervisor"},
    {"boot info", UKVM_BOOT_INFO_GPA, UKVM_BOOT_INFO_GPA + UKVM_PAGE_SIZE, "rw-"},
    {"cmdline", UKVM_CMDLINE_GPA, UKVM_CMDLINE_GPA + UKVM_CMDLINE_MAX, "rw-"},
    {"IDT", UKVM_USER_IDT_GPA, UKVM_USER_IDT_GPA + UKVM_PAGE_SIZE, "r--  supervisor"},
    {"trap entry stubs", UKVM_USER_STUBS_GPA, UKVM_USER_STUBS_GPA + UKVM_PAGE_SIZE,
     "r-x  supervisor"},
    {"trap stack", UKVM_USER_STACK_GPA, UKVM_USER_STACK_GPA + UKVM_USER_STACK_SIZE,
     "rw-  supervisor"},
    {"IST stacks", UKVM_IST_GPA, UKVM_IST_GPA + 3 * UKVM_IST_STACK_SIZE, "rw-  supervisor"},
    {"page tables", UKVM_PT_GPA, UKVM_PT_END, "rw-  supervisor"},
};

uint64_t boot_min_mem_size(uint64_t image_end)
{
    uint64_t need = PAGE_ALIGN_UP(image_end) + UKVM_PAGE_SIZE /* heap */ +
                    UKVM_PAGE_SIZE /* guard */ + UKVM_STACK_SIZE;
    return (need + SIZE_2M - 1) & ~(SIZE_2M - 1);
}

int boot_layout_compute(uint64_t mem_size, const struct elf_image *image,
                        struct boot_layout *layout, char *err, size_t errlen)
{
    uint64_t min = boot_min_mem_size(image->highest);
    if (mem_size < min) {
        snprintf(err, errlen,
                 "the unikernel ends at 0x%llx; with its stack it needs --mem=%llu or more",
                 (unsigned long long)image->highest, (unsigned long long)(min >> 20));
        return -1;
    }
    memset(layout, 0, sizeof(*layout));
    layout->mem_size = mem_size;
    layout->stack_top = mem_size;
    layout->stack_guard = mem_size - UKVM_STACK_SIZE - UKVM_PAGE_SIZE;
    layout->heap_start = PAGE_ALIGN_UP(image->highest);
    layout->heap_size = layout->stack_guard - layout->heap_start;
    layout->stack_guarded = true;
    layout->areas = boot_ukvm_areas;
    layout->nareas = BOOT_UKVM_NAREAS;
    return 0;
}

void boot_write_gdt_and_tss(struct guest_mem *mem)
{
    uint64_t *gdt = guest_mem_range(mem, UKVM_GDT_GPA, UKVM_GDT_ENTRIES * 8);
    uint8_t *tss = guest_mem_range(mem, UKVM_TSS_GPA, TSS_LIMIT + 1);
    memset(gdt, 0, UKVM_GDT_ENTRIES * 8);
    memset(tss, 0, TSS_LIMIT + 1);
    gdt[UKVM_SEL_CODE64 / 8] = GDT_CODE64;
    gdt[UKVM_SEL_DATA / 8] = GDT_DATA;
    /* A 16-byte system descriptor: base 31:0 split over the low word, base 63:32 next. */
    uint64_t base = UKVM_TSS_GPA;
    gdt[UKVM_SEL_TSS / 8] = TSS_LIMIT | ((base & 0xffffff) << 16) |
                            ((uint64_t)TSS_TYPE_BUSY << 40) | (1ULL << 47) /* P */ |
                            ((base >> 24 & 0xff) << 56);
    gdt[UKVM_SEL_TSS / 8 + 1] = base >> 32;

    static const int ist_slots[] = {UKVM_IST_DOUBLE_FAULT, UKVM_IST_NMI, UKVM_IST_PAGE_FAULT};
    for (size_t i = 0; i < sizeof(ist_slots) / sizeof(ist_slots[0]); i++) {
        int n = ist_slots[i];
        /* Stack n occupies [IST_GPA + (n-1)*size, IST_GPA + n*size); the pointer is its top. */
        uint64_t top = UKVM_IST_GPA + (uint64_t)n * UKVM_IST_STACK_SIZE;
        memcpy(tss + TSS_IST_OFFSET(n), &top, sizeof(top));
    }
    uint16_t iomap = TSS_LIMIT + 1; /* past the limit: no I/O permission bitmap */
    memcpy(tss + TSS_IOMAP_OFFSET, &iomap, sizeof(iomap));
}

size_t boot_segment_regions(const struct elf_image *image, struct page_region *regions)
{
    size_t n = 0;
    for (size_t i = 0; i < image->nsegments && i < ELF_LOAD_MAX_SEGMENTS; i++) {
        const struct elf_segment *s = &image->segments[i];
        regions[n++] = (struct page_region){
            .start = s->vaddr & ~(UKVM_PAGE_SIZE - 1),
            .end = PAGE_ALIGN_UP(s->vaddr + s->memsz),
            .writable = s->flags & ELF_SEG_W,
            .executable = s->flags & ELF_SEG_X,
        };
    }
    return n;
}

/*
 * User mode's system area: what the kernel reads at CPL 3 (boot info, command line) is
 * user-accessible, the rest supervisor-only; the shim's pages come from user_shim.h.
 */
static size_t user_system_regions(struct page_region *regions)
{
    size_t n = 0;
    regions[n++] =
        (struct page_region){.start = UKVM_GDT_GPA, .end = UKVM_BOOT_INFO_GPA, .writable = true};
    regions[n++] = (struct page_region){.start = UKVM_BOOT_INFO_GPA,
                                        .end = UKVM_CMDLINE_GPA + UKVM_CMDLINE_MAX,
                                        .writable = true,
                                        .user = true};
    n += user_shim_regions(regions + n);
    regions[n++] =
        (struct page_region){.start = UKVM_IST_GPA, .end = UKVM_KERNEL_MIN_GPA, .writable = true};
    return n;
}

int boot_setup_memory(struct guest_mem *mem, const struct elf_image *image,
                      struct boot_layout *layout, char *err, size_t errlen)
{
    struct page_region regions[ELF_LOAD_MAX_SEGMENTS + 3 + USER_SHIM_REGIONS + 3];
    size_t n = 0;
    bool user = layout->user_mode;
    if (user) {
        n += user_system_regions(regions + n);
        layout->areas = boot_ukvm_user_areas;
        layout->nareas = sizeof(boot_ukvm_user_areas) / sizeof(boot_ukvm_user_areas[0]);
    } else {
        /* The system area: GDT, TSS, boot info, command line, IST stacks, page tables. */
        regions[n++] = (struct page_region){
            .start = UKVM_PAGE_SIZE, .end = UKVM_KERNEL_MIN_GPA, .writable = true};
    }
    size_t first_app = n;
    n += boot_segment_regions(image, regions + n);
    if (layout->heap_size)
        regions[n++] = (struct page_region){
            .start = layout->heap_start, .end = layout->stack_guard, .writable = true};
    regions[n++] = (struct page_region){
        .start = layout->stack_guard + UKVM_PAGE_SIZE, .end = layout->stack_top, .writable = true};
    for (size_t i = first_app; i < n; i++)
        regions[i].user = user;
    if (page_tables_build(mem, regions, n, UKVM_PT_GPA, UKVM_PT_END, &layout->cr3, err, errlen) < 0)
        return -1;
    boot_write_gdt_and_tss(mem);
    if (user)
        user_shim_write(mem, UKVM_GDT_GPA, UKVM_TSS_GPA);
    return 0;
}

void boot_tsc_scale(uint64_t tsc_hz, uint64_t *mult, uint64_t *shift)
{
    /*
     * ns = ticks * 1e9 / hz, done by the guest as a 64x64->128 multiply and a shift.
     * With shift 32, mult = 2^32 * 1e9 / hz stays below 2^64 for any hz >= 1 and keeps
     * ten significant digits for GHz clocks; the 128-bit product cannot overflow for
     * centuries of uptime.
     */
    *shift = 32;
    *mult = (uint64_t)(((unsigned __int128)1000000000ULL << 32) / tsc_hz);
}

void boot_write_info(struct guest_mem *mem, const struct boot_layout *layout, const char *cmdline,
                     const struct boot_clock *clock, uint64_t stack_canary)
{
    struct ukvm_boot_info info = {
        .magic = UKVM_BOOT_MAGIC,
        .abi_version = UKVM_ABI_VERSION,
        .mem_size = layout->mem_size,
        .cmdline = UKVM_CMDLINE_GPA,
        .heap_start = layout->heap_start,
        .heap_size = layout->heap_size,
        .stack_top = layout->stack_top,
        .stack_guard = layout->stack_guard,
        .tsc_freq_hz = clock->tsc_hz,
        .wall_clock_ns = clock->wall_clock_ns,
        .stack_canary = stack_canary,
        .hypercall_mode = layout->user_mode ? UKVM_HC_BY_STORE : UKVM_HC_BY_PORT,
        .clock_mode = clock->by_hypercall ? UKVM_CLOCK_BY_HYPERCALL : UKVM_CLOCK_BY_TSC,
    };
    boot_tsc_scale(clock->tsc_hz, &info.tsc_mult, &info.tsc_shift);
    guest_mem_copy_out(mem, UKVM_BOOT_INFO_GPA, &info, sizeof(info));
    size_t len = strnlen(cmdline, UKVM_CMDLINE_MAX - 1);
    char *dst = guest_mem_range(mem, UKVM_CMDLINE_GPA, UKVM_CMDLINE_MAX);
    memcpy(dst, cmdline, len);
    dst[len] = '\0';
}

void boot_initial_regs(uint64_t entry, const struct boot_layout *layout, struct vcpu_regs *regs,
                       struct vcpu_sregs *sregs)
{
    memset(regs, 0, sizeof(*regs));
    regs->rip = entry;
    regs->rsp = layout->stack_top;
    regs->rdi = UKVM_BOOT_INFO_GPA;
    regs->rflags = 0x2; /* bit 1 is reserved and always set; interrupts off */

    memset(sregs, 0, sizeof(*sregs));
    sregs->cs = vcpu_flat_segment(UKVM_SEL_CODE64, true, 0);
    sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss =
        vcpu_flat_segment(UKVM_SEL_DATA, false, 0);
    sregs->tr = (struct vcpu_segment){
        .base = UKVM_TSS_GPA,
        .limit = TSS_LIMIT,
        .selector = UKVM_SEL_TSS,
        .type = TSS_TYPE_BUSY,
        .present = 1,
    };
    sregs->ldt = (struct vcpu_segment){.type = 0x2, .present = 1, .unusable = 1};
    sregs->gdt = (struct vcpu_dtable){.base = UKVM_GDT_GPA, .limit = UKVM_GDT_ENTRIES * 8 - 1};
    sregs->idt = (struct vcpu_dtable){.base = 0, .limit = 0};
    sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    sregs->cr3 = layout->cr3;
    sregs->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    sregs->efer = EFER_LME | EFER_LMA | EFER_NXE;
    sregs->apic_base = 0xfee00900; /* the architectural default: xAPIC enabled, BSP */
    if (layout->user_mode)
        user_shim_initial_sregs(sregs);
}
