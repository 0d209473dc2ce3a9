/*
 * watch_guard.c: the pages watchpoints must not trap (see watch_guard.h).
 */
#include <stdbool.h>
#include <stdio.h>

#include "ukvm/guest/guest_virt.h"
#include "ukvm/inspect/pagewalk.h"
#include "ukvm_abi.h"
#include "watch_guard.h"

#define PAGE      UKVM_PAGE_SIZE
#define PAGE_MASK (~(PAGE - 1))

/* 64-bit TSS (SDM 8.7): IST1 at offset 0x24, then IST2-IST7, 8 bytes each. */
#define TSS_IST_OFFSET 0x24
#define TSS_IST_COUNT  7

/* The most table pages the walk below reads; a guest with more is not ukvm's. */
#define TABLE_WALK_BUDGET 4096

/* Page-table levels: 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT. */
struct table_walk {
    const struct guest_mem *mem;
    uint64_t target; /* page-aligned gpa looked for */
    int budget;
};

/* Is target the table at table_gpa (a level-`level` table) or any table below it? */
static bool holds_table(struct table_walk *w, uint64_t table_gpa, int level)
{
    if (table_gpa == w->target)
        return true;
    if (level == 1 || --w->budget < 0)
        return false;
    const uint64_t *table = guest_mem_range(w->mem, table_gpa, PAGE);
    if (!table)
        return false;
    for (int i = 0; i < 512; i++) {
        uint64_t e = table[i];
        /* A PS entry in a PDPT or PD maps memory, not a table. */
        if (!(e & PTE_P) || (level < 4 && (e & PTE_PS)))
            continue;
        if (holds_table(w, e & PTE_ADDR_MASK, level - 1))
            return true;
    }
    return false;
}

/* Does the guest-virtual range [base, base+len) touch the physical page of gpa? */
static bool range_touches(const struct watch_guard_env *env, uint64_t base, uint64_t len,
                          uint64_t page)
{
    if (len == 0)
        return false;
    uint64_t end = base + len - 1;
    if (end < base)
        end = UINT64_MAX; /* wraps: up to the top */
    for (uint64_t va = base & PAGE_MASK;; va += PAGE) {
        uint64_t gpa;
        if (guest_virt_translate(env->mem, env->sregs, va, &gpa) == 0 && (gpa & PAGE_MASK) == page)
            return true;
        if (va >= (end & PAGE_MASK))
            return false;
    }
}

int watch_guard_check(const struct watch_guard_env *env, uint64_t va, uint64_t gpa, char *why,
                      size_t whylen)
{
    const struct vcpu_sregs *s = env->sregs;
    uint64_t page = gpa & PAGE_MASK;
    const char *what = NULL;
    char buf[160];

    struct guest_access access = guest_mem_access(env->mem);
    struct pagewalk_result walk;
    if (pagewalk_translate(&access, s->cr0, s->cr3, s->cr4, s->efer, va, &walk) == 0 &&
        walk.executable && walk.fault == PAGEWALK_OK)
        what = "holds code (the page tables map it executable): the CPU cannot fetch "
               "instructions from a trapped page";

    struct table_walk tw = {.mem = env->mem, .target = page, .budget = TABLE_WALK_BUDGET};
    if (!what && (s->cr0 & (1ULL << 31)) && holds_table(&tw, s->cr3 & PTE_ADDR_MASK, 4))
        what = "holds page tables: the CPU walks them (and sets their accessed bits) itself";

    if (!what && range_touches(env, s->gdt.base, (uint64_t)s->gdt.limit + 1, page))
        what = "holds the GDT: the CPU reads it while it delivers an exception";
    if (!what && range_touches(env, s->idt.base, (uint64_t)s->idt.limit + 1, page))
        what = "holds the IDT: the CPU reads it while it delivers an exception";
    if (!what && range_touches(env, s->tr.base, (uint64_t)s->tr.limit + 1, page))
        what = "holds the TSS: the CPU reads it while it delivers an exception";

    for (int i = 0; !what && i < TSS_IST_COUNT; i++) {
        uint64_t ist = 0, ist_gpa;
        if (guest_virt_translate(env->mem, s, s->tr.base + TSS_IST_OFFSET + 8 * (uint64_t)i,
                                 &ist_gpa) < 0 ||
            guest_mem_copy_in(env->mem, ist_gpa, &ist, sizeof(ist)) < 0 || ist == 0)
            continue;
        if (range_touches(env, ist - UKVM_IST_STACK_SIZE, UKVM_IST_STACK_SIZE, page)) {
            snprintf(buf, sizeof(buf),
                     "is an exception stack (IST%d): the CPU pushes exception frames there "
                     "itself",
                     i + 1);
            what = buf;
        }
    }

    if (!what && env->layout && env->layout->stack_top > UKVM_STACK_SIZE &&
        range_touches(env, env->layout->stack_top - UKVM_STACK_SIZE, UKVM_STACK_SIZE, page)) {
        snprintf(buf, sizeof(buf),
                 "is part of the stack (0x%llx-0x%llx): the CPU pushes exception frames there "
                 "itself",
                 (unsigned long long)(env->layout->stack_top - UKVM_STACK_SIZE),
                 (unsigned long long)env->layout->stack_top);
        what = buf;
    }
    if (!what && range_touches(env, (env->regs->rsp & PAGE_MASK) - PAGE, 2 * PAGE, page))
        what = "is the stack in use (rsp's page or the one below): the CPU pushes exception "
               "frames there itself";

    if (!what)
        return 0;
    snprintf(why, whylen, "the page 0x%llx %s", (unsigned long long)page, what);
    return -1;
}
