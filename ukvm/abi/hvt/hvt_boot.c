/*
 * hvt_boot.c: memory, entry registers and boot information for a Solo5 hvt guest.
 *
 * As the hvt tender lays it out, with ukvm's protections added (include/solo5_hvt_abi.h):
 *
 *   0x00000 - 0x0ffff  not mapped: null page, boot GDT and TSS (the guest loads its own)
 *   0x10000 - 0x1ffff  boot information, manifest, command line: read-only, no execute
 *   0x20000 - 0xfffff  page tables (ukvm's): not mapped
 *   0x100000 - ...     the image, per segment: code read+execute, rodata read-only, data
 *                      read-write; then heap and stack, read-write, to the end of memory
 *
 * The hvt tender maps everything writable in the guest's page tables and protects code
 * in the host instead; here a write to code is a page fault inside the guest, which a
 * Solo5 guest reports (and the monitor shows) like any other fault.
 */
#include <string.h>

#include "hvt.h"
#include "ukvm/guest/page_tables.h"
#include "ukvm/guest/user_shim.h"

#define PAGE_ALIGN_UP(x) (((x) + UKVM_PAGE_SIZE - 1) & ~(UKVM_PAGE_SIZE - 1))

_Static_assert(HVT_BOOT_INFO_GPA + sizeof(struct hvt_boot_info) + ELF_SOLO5_MFT_MAX +
                       HVT_CMDLINE_SIZE <=
                   HVT_BOOT_AREA_END,
               "boot information area too small");
_Static_assert(HVT_BOOT_AREA_END <= UKVM_PT_GPA, "boot information overlaps the page tables");
_Static_assert(UKVM_TSS_GPA < HVT_BOOT_INFO_GPA, "boot TSS overlaps the boot information");

/* The low memory of an hvt guest, as the shell's mem shows it. */
static const struct boot_area hvt_areas[] = {
    {"reserved", 0, HVT_BOOT_INFO_GPA, "not mapped (null page, boot GDT and TSS)"},
    {"boot info", HVT_BOOT_INFO_GPA, HVT_BOOT_AREA_END, "r--  (with the manifest and cmdline)"},
    {"page tables", UKVM_PT_GPA, UKVM_PT_END, "not mapped"},
};

/* The same in user mode, with the monitor's pages (ukvm/guest/user_shim.h). */
static const struct boot_area hvt_user_areas[] = {
    {"reserved", 0, UKVM_GDT_GPA, "not mapped (null page)"},
    {"monitor", UKVM_GDT_GPA, HVT_BOOT_INFO_GPA,
     "supervisor-only (GDT, TSS, user-mode IDT, stubs and trap stack)"},
    {"boot info", HVT_BOOT_INFO_GPA, HVT_BOOT_AREA_END, "r--  (with the manifest and cmdline)"},
    {"page tables", UKVM_PT_GPA, UKVM_PT_END, "not mapped"},
};

static int setup(struct guest_mem *mem, const struct elf_image *image, bool user,
                 struct boot_layout *layout, char *err, size_t errlen)
{
    uint64_t image_end = PAGE_ALIGN_UP(image->highest);
    if (image_end >= mem->size) {
        snprintf(err, errlen, "the unikernel ends at 0x%llx: give it more memory than --mem=%llu",
                 (unsigned long long)image->highest, (unsigned long long)(mem->size >> 20));
        return -1;
    }
    memset(layout, 0, sizeof(*layout));
    layout->mem_size = mem->size;
    layout->heap_start = image_end;
    layout->heap_size = mem->size - image_end;
    layout->stack_top = mem->size;
    layout->stack_guarded = false;
    layout->areas = hvt_areas;
    layout->nareas = sizeof(hvt_areas) / sizeof(hvt_areas[0]);

    struct page_region regions[ELF_LOAD_MAX_SEGMENTS + 4 + USER_SHIM_REGIONS];
    size_t n = 0;
    if (user) {
        layout->user_mode = true;
        layout->areas = hvt_user_areas;
        layout->nareas = sizeof(hvt_user_areas) / sizeof(hvt_user_areas[0]);
        /* GDT and TSS: the CPU reads them at CPL 0 only. */
        regions[n++] = (struct page_region){
            .start = UKVM_GDT_GPA, .end = UKVM_TSS_GPA + UKVM_PAGE_SIZE, .writable = true};
        n += user_shim_regions(regions + n);
    }
    size_t first_guest = n;
    regions[n++] = (struct page_region){
        .start = HVT_BOOT_INFO_GPA, .end = HVT_BOOT_AREA_END, .writable = false};
    n += boot_segment_regions(image, regions + n);
    regions[n++] = (struct page_region){.start = image_end, .end = mem->size, .writable = true};
    for (size_t i = first_guest; i < n; i++)
        regions[i].user = user;
    if (page_tables_build(mem, regions, n, UKVM_PT_GPA, UKVM_PT_END, &layout->cr3, err, errlen) < 0)
        return -1;
    boot_write_gdt_and_tss(mem);
    if (user)
        user_shim_write(mem, UKVM_GDT_GPA, UKVM_TSS_GPA);
    return 0;
}

int hvt_setup_memory(struct guest_mem *mem, const struct elf_image *image,
                     struct boot_layout *layout, char *err, size_t errlen)
{
    return setup(mem, image, false, layout, err, errlen);
}

int hvt_setup_memory_user(struct guest_mem *mem, const struct elf_image *image,
                          struct boot_layout *layout, char *err, size_t errlen)
{
    return setup(mem, image, true, layout, err, errlen);
}

void hvt_initial_regs(uint64_t entry, const struct boot_layout *layout, struct vcpu_regs *regs,
                      struct vcpu_sregs *sregs)
{
    boot_initial_regs(entry, layout, regs, sregs);
    /* The x86-64 ABI at a function's entry: (rsp + 8) is 16-byte aligned. */
    regs->rsp = layout->stack_top - 8;
    regs->rdi = HVT_BOOT_INFO_GPA;
}

void hvt_write_boot_info(struct guest_mem *mem, const struct boot_layout *layout,
                         const struct elf_image *image, const struct hvt_state *st,
                         const char *cmdline, uint64_t tsc_hz)
{
    uint64_t mft_gpa = HVT_BOOT_INFO_GPA + sizeof(struct hvt_boot_info);
    uint64_t cmdline_gpa = mft_gpa + ((st->mft_size + 7) & ~7ull);
    struct hvt_boot_info bi = {
        .mem_size = layout->mem_size,
        /* As the hvt tender gives it: the image's end, aligned to its (4 KiB) pages. */
        .kernel_end = PAGE_ALIGN_UP(image->highest),
        .cpu_cycle_freq = tsc_hz,
        .cmdline = cmdline_gpa,
        .mft = mft_gpa,
        .host_features = 0, /* no ring I/O: guests fall back to hypercalls */
        .guest_features = 0,
        .net_ring = 0,
    };
    size_t len = strnlen(cmdline, HVT_CMDLINE_SIZE - 1);
    guest_mem_copy_out(mem, HVT_BOOT_INFO_GPA, &bi, sizeof(bi));
    guest_mem_copy_out(mem, mft_gpa, st->mft, st->mft_size);
    guest_mem_copy_out(mem, cmdline_gpa, cmdline, len);
    guest_mem_copy_out(mem, cmdline_gpa + len, "", 1);
}
