/*
 * cmd_memory.c: memory and page-table commands: `pt` (one address), `map` (the whole
 * address space), `mem` (the memory map: size, ELF segments, heap, stack, slots).
 *
 * Each reads guest memory only through env->mem and the inspection library.
 */
#include "command.h"

#include <inttypes.h>

#include "cmd_util.h"
#include "expr.h"
#include "ukvm/inspect/pagemap.h"
#include "ukvm/inspect/pagewalk.h"

static int run_pt(const struct command_env *env, int argc, char **argv, FILE *out)
{
    if (argc < 2)
        return command_usage_error(out, &cmd_pt, "missing address");
    uint64_t va;
    char err[160];
    if (expr_eval_words(env, argc - 1, argv + 1, &va, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_pt, "%s", err);
    struct vcpu_sregs sregs;
    if (cmd_get_sregs(env, &sregs) != 0)
        return command_error(out, &cmd_pt, "cannot read the control registers");
    struct pagewalk_result walk;
    /* A NULL reader is handled by the walker: the tables read as outside memory. */
    pagewalk_translate(env->mem.read_phys ? &env->mem : NULL, sregs.cr0, sregs.cr3, sregs.cr4,
                       sregs.efer, va, &walk);
    /* A fault is an answer, not a failure of the command. */
    pagewalk_print(out, &walk, 0);
    return 0;
}

const struct command cmd_pt = {
    .name = "pt",
    .aliases = "walk page",
    .usage = "pt ADDR",
    .summary = "walk the page tables for one virtual address",
    .help = "Translates the virtual address ADDR through the page tables in use (cr3),\n"
            "showing each level as the SDM names it (PML4, PDPT, PD, PT) with its index,\n"
            "the entry's address and value and its decoded flags, then the physical\n"
            "address with the page size and effective permissions, or exactly why the\n"
            "access would fault.\n"
            "ADDR is a number (0x hex or decimal), a symbol or a $register, with an\n"
            "optional + or - of a number: 0x101234, main+0x10, $rsp-8.\n"
            "Example:\n"
            "  pt $rip\n"
            "  va 0x100030\n"
            "  PML4[  0] @0x20000    = 0x0000000000021003  P RW               -> PDPT at 0x21000\n"
            "  ...\n"
            "  => pa 0x100030 (4 KiB page, r-x, supervisor)\n",
    .run = run_pt,
};

/* ---------------------------------------------------------------- map */

static void print_range(void *arg, const struct pagemap_range *range)
{
    pagemap_print_range(arg, range, 0);
}

static int run_map(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_map, "takes no arguments");
    struct vcpu_sregs sregs;
    if (cmd_get_sregs(env, &sregs) != 0)
        return command_error(out, &cmd_map, "cannot read the control registers");
    struct pagemap_summary sum;
    if (pagemap_walk(env->mem.read_phys ? &env->mem : NULL, sregs.cr0, sregs.cr3, sregs.cr4,
                     sregs.efer, print_range, out, &sum) != 0)
        return command_error(out, &cmd_map,
                             "not 4-level long-mode paging (cr0 0x%" PRIx64 ", cr4 0x%" PRIx64
                             ", efer 0x%" PRIx64 ")",
                             sregs.cr0, sregs.cr4, sregs.efer);
    fprintf(out, "%" PRIu64 " ranges (cr3 0x%" PRIx64 ")", sum.ranges, sregs.cr3);
    if (sum.bad_tables)
        fprintf(out, "; %" PRIu64 " tables outside guest memory skipped", sum.bad_tables);
    if (sum.reserved)
        fprintf(out, "; %" PRIu64 " entries with reserved bits skipped", sum.reserved);
    if (sum.truncated)
        fprintf(out,
                "; stopped there (more than %u pages or %u ranges: tables that point "
                "back at themselves?)",
                PAGEMAP_MAX_LEAVES, PAGEMAP_MAX_RANGES);
    fputc('\n', out);
    return 0;
}

const struct command cmd_map = {
    .name = "map",
    .aliases = "ptdump vmmap",
    .usage = "map",
    .summary = "the whole address space: mapped ranges with permissions and page size",
    .help = "Walks every page table under cr3 and prints what is mapped as merged ranges,\n"
            "one per line: START-END (END excluded), permissions (r, w, x; a '-' for what\n"
            "is denied, as the MMU combines the levels), user or supervisor, the page size\n"
            "with the number of pages, and the physical address of START. Pages are merged\n"
            "while they are contiguous virtually and physically with the same size and\n"
            "permissions; whatever is missing between two ranges is not mapped.\n"
            "Example:\n"
            "  map\n"
            "  0x0000000000001000-0x0000000000100000  rw- supervisor  4 KiB x 255    pa 0x1000\n"
            "  0x0000000000100000-0x0000000000102000  r-x supervisor  4 KiB x 2      pa 0x100000\n"
            "  ...\n"
            "  0x0000000000200000-0x0000000003e00000  rw- supervisor  2 MiB x 30     pa 0x200000\n"
            "  ...\n"
            "  7 ranges (cr3 0x20000)\n",
    .run = run_map,
};

/* ---------------------------------------------------------------- mem */

static void print_area(FILE *out, const char *name, uint64_t start, uint64_t end, const char *what)
{
    fprintf(out, "  %-12s 0x%016" PRIx64 "-0x%016" PRIx64 " %8" PRIu64 " KiB  %s\n", name, start,
            end, (end - start) / 1024, what);
}

static int run_mem(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_mem, "takes no arguments");
    const struct boot_layout *l = env->layout;
    if (!l)
        return command_error(out, &cmd_mem, "the memory layout is not known here");
    fprintf(out, "guest memory: %" PRIu64 " MiB (0x%" PRIx64 " bytes), identity-mapped\n",
            l->mem_size >> 20, l->mem_size);
    fprintf(out, "system area:\n");
    for (size_t i = 0; i < l->nareas; i++)
        print_area(out, l->areas[i].name, l->areas[i].start, l->areas[i].end, l->areas[i].mapping);
    const struct elf_image *img = env->image;
    if (img) {
        fprintf(out, "ELF segments (entry 0x%" PRIx64 "):\n", img->entry);
        for (size_t i = 0; i < img->nsegments && i < ELF_LOAD_MAX_SEGMENTS; i++) {
            const struct elf_segment *seg = &img->segments[i];
            char perms[4] = {seg->flags & ELF_SEG_R ? 'r' : '-', seg->flags & ELF_SEG_W ? 'w' : '-',
                             seg->flags & ELF_SEG_X ? 'x' : '-', '\0'};
            char what[80];
            snprintf(what, sizeof(what), "%s  %" PRIu64 " bytes from the file", perms, seg->filesz);
            print_area(out, "segment", seg->vaddr, seg->vaddr + seg->memsz, what);
        }
    }
    fprintf(out, "heap and stack:\n");
    uint64_t stack_bottom = l->heap_start + l->heap_size;
    if (l->stack_guarded) {
        print_area(out, "heap", l->heap_start, l->heap_start + l->heap_size, "rw-");
        print_area(out, "guard page", l->stack_guard, l->stack_guard + UKVM_PAGE_SIZE,
                   "not mapped");
        print_area(out, "stack", l->stack_guard + UKVM_PAGE_SIZE, l->stack_top, "rw-");
        stack_bottom = l->stack_guard;
    } else {
        /* A Solo5 guest's heap grows up to its stack, which grows down from the top. */
        print_area(out, "heap + stack", l->heap_start, l->stack_top, "rw-  (no guard page)");
        stack_bottom = l->heap_start;
    }
    struct vcpu_regs regs;
    if (cmd_get_regs(env, &regs) == 0 && regs.rsp > stack_bottom && regs.rsp <= l->stack_top)
        fprintf(out, "  rsp 0x%" PRIx64 ": %" PRIu64 " bytes of stack in use\n", regs.rsp,
                l->stack_top - regs.rsp);
    if (env->memslots) {
        struct command_memslot slots[64];
        size_t n = env->memslots(env->ctx, slots, 64);
        fprintf(out, "hypervisor memory slots (%zu):\n", n);
        for (size_t i = 0; i < n && i < 64; i++)
            fprintf(out,
                    "  slot %-6" PRIu32 " 0x%016" PRIx64 "-0x%016" PRIx64 " %8" PRIu64 " KiB  %s\n",
                    slots[i].id, slots[i].gpa, slots[i].gpa + slots[i].size, slots[i].size / 1024,
                    slots[i].read_only ? "read-only (guest writes trap)" : "read-write");
        if (n > 64)
            fprintf(out, "  ... and %zu more\n", n - 64);
    }
    return 0;
}

const struct command cmd_mem = {
    .name = "mem",
    .aliases = "memmap layout",
    .usage = "mem",
    .summary = "the memory map: size, system area, ELF segments, heap, stack, KVM slots",
    .help = "Shows how the guest's memory is laid out: its size, the system area the\n"
            "monitor built (GDT, TSS, boot info, command line, IST stacks, page tables),\n"
            "the ELF segments as loaded with their permissions, the heap, the stack guard\n"
            "page and the stack (with how much of it rsp has used), and the hypervisor's\n"
            "memory slots (more than one while watchpoints trap pages).\n"
            "Example:\n"
            "  mem\n"
            "  guest memory: 64 MiB (0x4000000 bytes), identity-mapped\n"
            "  ...\n"
            "    heap         0x000000000010c000-0x0000000003f7f000    63948 KiB  rw-\n",
    .run = run_mem,
};
