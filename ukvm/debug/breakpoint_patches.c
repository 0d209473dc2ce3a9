/*
 * breakpoint_patches.c: software breakpoints as checkpoint memory patches (see
 * breakpoint_patches.h).
 */
#include "breakpoint_patches.h"

/* An int3 of ours is in guest memory now: inserted and not lifted for a step. */
static bool in_memory(const struct sw_breakpoint *bp, const struct guest_mem *mem)
{
    return !bp->lifted && bp->gpa < mem->size;
}

static bool in_page(void *ctx, uint64_t page_gpa)
{
    const struct breakpoint_patches *p = ctx;
    for (size_t i = 0; i < p->bps->nsw; i++)
        if (in_memory(&p->bps->sw[i], p->mem) &&
            p->bps->sw[i].gpa - page_gpa < CHECKPOINT_PAGE_SIZE)
            return true;
    return false;
}

static void unpatch(void *ctx, uint64_t page_gpa, uint8_t *page)
{
    const struct breakpoint_patches *p = ctx;
    for (size_t i = 0; i < p->bps->nsw; i++) {
        const struct sw_breakpoint *bp = &p->bps->sw[i];
        if (in_memory(bp, p->mem) && bp->gpa - page_gpa < CHECKPOINT_PAGE_SIZE)
            page[bp->gpa - page_gpa] = bp->original;
    }
}

/*
 * The restored byte is the guest's own at each breakpoint (a checkpoint never holds an
 * int3 of ours), also for one lifted now, whose byte stays in memory.
 */
static void repatch(void *ctx)
{
    struct breakpoint_patches *p = ctx;
    for (size_t i = 0; i < p->bps->nsw; i++) {
        struct sw_breakpoint *bp = &p->bps->sw[i];
        if (bp->gpa >= p->mem->size)
            continue;
        bp->original = p->mem->host[bp->gpa];
        if (!bp->lifted)
            p->mem->host[bp->gpa] = X86_INT3;
    }
}

void breakpoint_patches_init(struct breakpoint_patches *p, struct breakpoints *bps,
                             const struct guest_mem *mem)
{
    p->bps = bps;
    p->mem = mem;
    p->ops = (struct memory_patches){
        .ctx = p, .in_page = in_page, .unpatch = unpatch, .repatch = repatch};
}
