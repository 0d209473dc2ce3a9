/*
 * boot_setup.h: everything the guest finds ready at its first instruction: the memory
 * layout (include/ukvm_abi.h), page tables, GDT and TSS, the boot info page with the
 * command line, and the vCPU registers for direct 64-bit entry.
 */
#ifndef UKVM_BOOT_SETUP_H
#define UKVM_BOOT_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf_load.h"
#include "page_tables.h"
#include "guest_mem.h"
#include "ukvm/vm/vcpu_state.h"

/* A fixed area of the guest ABI's low memory, as inspection shows it (the shell's mem). */
struct boot_area {
    const char *name;
    uint64_t start, end;
    const char *mapping; /* "rw-", "r--", "not mapped" */
};

/* Where things are, derived from the memory size and the loaded image. */
struct boot_layout {
    const struct boot_area *areas; /* the ABI's system areas, lowest first */
    size_t nareas;
    uint64_t mem_size;
    uint64_t heap_start;  /* page-aligned end of the image */
    uint64_t heap_size;   /* up to stack_guard */
    uint64_t stack_guard; /* the unmapped page below the stack, when stack_guarded */
    bool stack_guarded;   /* false: no guard page (a Solo5 hvt guest's heap meets its stack) */
    uint64_t stack_top;   /* == mem_size */
    uint64_t cr3;         /* set by boot_setup_memory */
    /*
     * The guest runs at CPL 3 under the monitor's shim (user_shim.h) and makes its
     * hypercalls by store: set by the caller before the page tables are built.
     */
    bool user_mode;
};

/*
 * The smallest guest memory (bytes) in which an image ending at image_end leaves room
 * for a heap page, the guard page and the stack, rounded up to 2 MiB.
 */
uint64_t boot_min_mem_size(uint64_t image_end);

/* ukvm's own system areas (GDT, TSS, boot info, command line, IST stacks, page tables). */
#define BOOT_UKVM_NAREAS 7
extern const struct boot_area boot_ukvm_areas[BOOT_UKVM_NAREAS];

/*
 * Computes the layout for an image loaded into mem_size bytes. Returns 0, or -1 with a
 * reason in err when the image leaves no room for the heap and stack.
 */
int boot_layout_compute(uint64_t mem_size, const struct elf_image *image,
                        struct boot_layout *layout, char *err, size_t errlen);

/*
 * Writes the page tables (image segments with their ELF permissions, the low system
 * area, heap and stack; the null page and the stack guard unmapped), the GDT and the TSS
 * into guest memory, and sets layout->cr3. Returns 0, or -1 with a reason in err.
 */
int boot_setup_memory(struct guest_mem *mem, const struct elf_image *image,
                      struct boot_layout *layout, char *err, size_t errlen);

/*
 * Appends one page region per loaded segment of image to regions (room for
 * ELF_LOAD_MAX_SEGMENTS), with the segment's own permissions, rounded out to whole pages.
 * Returns the number appended. Every guest ABI maps its image this way.
 */
size_t boot_segment_regions(const struct elf_image *image, struct page_region *regions);

/*
 * Writes the boot GDT (null, 64-bit code UKVM_SEL_CODE64, data UKVM_SEL_DATA, TSS
 * UKVM_SEL_TSS) and the TSS with its IST pointers into guest memory. Every guest ABI
 * enters with these selectors; boot_setup_memory calls it for ukvm's own.
 */
void boot_write_gdt_and_tss(struct guest_mem *mem);

/* Clock and randomness the monitor hands to the guest. */
struct boot_clock {
    uint64_t tsc_hz;        /* guest TSC frequency */
    uint64_t wall_clock_ns; /* CLOCK_REALTIME at the guest's start */
    bool by_hypercall;      /* a recorded run: the kernel asks UKVM_HC_CLOCK, not the TSC */
};

/*
 * Writes struct ukvm_boot_info and the command line (at most UKVM_CMDLINE_MAX-1 bytes,
 * which the caller has checked) into guest memory.
 */
void boot_write_info(struct guest_mem *mem, const struct boot_layout *layout, const char *cmdline,
                     const struct boot_clock *clock, uint64_t stack_canary);

/*
 * The clock conversion the guest applies: ns = (ticks * *mult) >> *shift, for a TSC of
 * tsc_hz. tsc_hz must be non-zero.
 */
void boot_tsc_scale(uint64_t tsc_hz, uint64_t *mult, uint64_t *shift);

/*
 * Initial registers for direct long-mode entry at entry: rsp = stack top, rdi = boot
 * info, 64-bit code segment, flat data segments, TR on the monitor's TSS, paging with
 * NX and write protection, SSE enabled.
 */
void boot_initial_regs(uint64_t entry, const struct boot_layout *layout, struct vcpu_regs *regs,
                       struct vcpu_sregs *sregs);

#endif /* UKVM_BOOT_SETUP_H */
