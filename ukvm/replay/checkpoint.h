/*
 * checkpoint.h: a snapshot of the whole guest, to go back to: guest memory and the
 * vCPU's state (general, segment, control, debug and x87/SSE registers).
 *
 * Memory is kept page by page, and a page unchanged since the previous checkpoint is
 * shared with it rather than copied (a reference count per page), so a checkpoint costs
 * its page table (8 bytes per guest page) plus the pages the guest wrote since the one
 * before. Finding those pages compares each page with the previous checkpoint's, which
 * works on every hypervisor and under any memory-slot layout (watchpoints remap pages).
 *
 * The debugger's software breakpoints are guest memory too: a checkpoint holds the
 * original bytes under them, never their int3s, so that breakpoints inserted or removed
 * later are not undone by going back (the caller puts its int3s back after a restore).
 */
#ifndef UKVM_CHECKPOINT_H
#define UKVM_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "ukvm/debug/breakpoints.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vm.h"

struct checkpoint_page; /* a reference-counted copy of one guest page */

struct checkpoint {
    uint64_t position; /* hypercalls completed when it was taken */
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    struct vcpu_fpu fpu;
    struct vcpu_debugregs debugregs;
    struct checkpoint_page **pages; /* one per guest page */
    size_t npages;
    size_t new_bytes; /* memory this checkpoint added: its page table and its new pages */
};

/*
 * Takes a checkpoint of the guest at position: memory (pages equal to prev's shared with
 * it; prev may be NULL for the first) with the original bytes under bps's software
 * breakpoints (bps may be NULL), and the vCPU's registers, which must be at an
 * instruction boundary (no exit pending). Returns 0, or -1 with errno (ENOMEM, or a
 * register read that failed).
 */
int checkpoint_take(struct checkpoint *ck, const struct checkpoint *prev, uint64_t position,
                    const struct guest_mem *mem, const struct breakpoints *bps,
                    struct vcpu *vcpu);

/*
 * Puts the guest back as the checkpoint holds it: memory and registers. Software
 * breakpoints in bps (may be NULL) are written again over the restored memory, each
 * keeping the restored byte as its original. Returns 0, or -1 with errno.
 */
int checkpoint_restore(const struct checkpoint *ck, const struct guest_mem *mem,
                       struct breakpoints *bps, struct vcpu *vcpu);

/*
 * Releases the checkpoint's references to its pages; *ck is then empty. Returns the bytes
 * freed: its page table and the pages no other checkpoint shared.
 */
size_t checkpoint_release(struct checkpoint *ck);

/*
 * A 64-bit hash of all of guest memory as a debugger sees it (original bytes under
 * bps's breakpoints; bps may be NULL), for comparing a replay with its record.
 */
uint64_t checkpoint_hash_memory(const struct guest_mem *mem, const struct breakpoints *bps);

#endif /* UKVM_CHECKPOINT_H */
