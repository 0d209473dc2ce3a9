/*
 * checkpoint.h: a snapshot of the whole guest, to go back to: guest memory and the
 * vCPU's state (general, segment, control, debug and x87/SSE registers).
 *
 * Memory is kept page by page, and a page unchanged since the previous checkpoint is
 * shared with it rather than copied (a reference count per page). The page table is in
 * chunks of CHECKPOINT_CHUNK_PAGES pages (2 MiB of guest memory), and a chunk whose pages
 * are all the previous checkpoint's is shared too, so a checkpoint costs 8 bytes per
 * chunk, plus a chunk (4 KiB) and a page for each page the guest wrote since the one
 * before; not 8 bytes per guest page (1 MiB for 512 MiB), which made the page tables of
 * a hypercall-heavy run most of its record. Finding the written pages compares each page
 * with the previous checkpoint's, which works on every hypervisor and under any
 * memory-slot layout (watchpoints remap pages).
 *
 * A debugger's software breakpoints are in guest memory too: a checkpoint holds the
 * guest's bytes under them, never their int3s (struct memory_patches), so that
 * breakpoints inserted or removed later are not undone by going back.
 */
#ifndef UKVM_CHECKPOINT_H
#define UKVM_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "host_backing.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vm.h"

#define CHECKPOINT_PAGE_SIZE   4096u
#define CHECKPOINT_CHUNK_PAGES 512u /* pages per chunk of a checkpoint's page table */

struct checkpoint_page;  /* a reference-counted copy of one guest page */
struct checkpoint_chunk; /* CHECKPOINT_CHUNK_PAGES pages' pointers, reference-counted */

/*
 * Bytes in guest memory that are not the guest's own (a debugger's int3s), given by
 * whoever put them there.
 */
struct memory_patches {
    void *ctx;
    /* True when [page_gpa, page_gpa + CHECKPOINT_PAGE_SIZE) holds any. */
    bool (*in_page)(void *ctx, uint64_t page_gpa);
    /* Puts the guest's own bytes back into page, a copy of the page at page_gpa. */
    void (*unpatch)(void *ctx, uint64_t page_gpa, uint8_t *page);
    /* Guest memory was just restored: its bytes are the guest's own; patch it again. */
    void (*repatch)(void *ctx);
};

struct checkpoint {
    uint64_t position; /* hypercalls completed when it was taken */
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    struct vcpu_fpu fpu;
    struct vcpu_debugregs debugregs;
    struct checkpoint_chunk **chunks; /* page i is in chunks[i / CHECKPOINT_CHUNK_PAGES] */
    size_t npages, nchunks;
    size_t new_bytes; /* memory this checkpoint added: its chunk table, new chunks and pages */
};

/*
 * Takes a checkpoint of the guest at position: memory (pages equal to prev's shared with
 * it; prev may be NULL for the first) with the guest's own bytes under patches (may be
 * NULL), and the vCPU's registers, which must be at an instruction boundary (no exit
 * pending). Pages that backing (may be NULL: every page is read) says the host never
 * backed are taken as zero without reading them. Returns 0, or -1 with errno (ENOMEM, or
 * a register read that failed).
 */
int checkpoint_take(struct checkpoint *ck, const struct checkpoint *prev, uint64_t position,
                    const struct guest_mem *mem, const struct memory_patches *patches,
                    struct host_backing *backing, struct vcpu *vcpu);

/*
 * Puts the guest back as the checkpoint holds it: memory and registers, then has patches
 * (may be NULL) patch memory again. Pages never backed (backing, may be NULL) are written
 * only where the checkpoint's are not zero. Returns 0, or -1 with errno.
 */
int checkpoint_restore(const struct checkpoint *ck, const struct guest_mem *mem,
                       const struct memory_patches *patches, struct host_backing *backing,
                       struct vcpu *vcpu);

/*
 * Releases the checkpoint's references to its pages; *ck is then empty. Returns the bytes
 * freed: its page table and the pages no other checkpoint shared.
 */
size_t checkpoint_release(struct checkpoint *ck);

/*
 * A 64-bit hash of all of guest memory as the guest sees it (its own bytes under
 * patches, which may be NULL; pages never backed read as zero through backing, which may
 * be NULL), for comparing a replay with its record.
 */
uint64_t checkpoint_hash_memory(const struct guest_mem *mem, const struct memory_patches *patches,
                                struct host_backing *backing);

#endif /* UKVM_CHECKPOINT_H */
