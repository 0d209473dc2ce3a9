/*
 * breakpoint_patches.h: the debugger's software breakpoints as the memory patches a
 * recorded run's checkpoints leave out (ukvm/replay/checkpoint.h): a checkpoint holds the
 * guest's bytes under the int3s, and after a restore the int3s go back in.
 */
#ifndef UKVM_BREAKPOINT_PATCHES_H
#define UKVM_BREAKPOINT_PATCHES_H

#include "breakpoints.h"
#include "ukvm/replay/checkpoint.h"

struct breakpoint_patches {
    struct breakpoints *bps;
    const struct guest_mem *mem;
    struct memory_patches ops; /* ops.ctx is this struct */
};

/* Makes p describe bps's int3s in mem; hand &p->ops to the recorder. */
void breakpoint_patches_init(struct breakpoint_patches *p, struct breakpoints *bps,
                             const struct guest_mem *mem);

#endif /* UKVM_BREAKPOINT_PATCHES_H */
