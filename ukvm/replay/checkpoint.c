/*
 * checkpoint.c: guest snapshots with pages shared between neighbours (see checkpoint.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

#define PAGE CHECKPOINT_PAGE_SIZE

struct checkpoint_page {
    unsigned refs;
    uint8_t data[PAGE];
};

/*
 * Every all-zero page of every checkpoint is this one (most of a fresh guest's memory
 * is): never freed, its count only ever above 1.
 */
static struct checkpoint_page zero_page = {.refs = 1};

/* Drops one reference; returns the bytes freed. */
static size_t page_put(struct checkpoint_page *p)
{
    if (p && --p->refs == 0) {
        free(p);
        return sizeof(*p);
    }
    return 0;
}

/*
 * The page at gpa as the guest sees it: now itself, or a copy in scratch without patches,
 * or the zero page's bytes when the host never backed it (no patch can be there: writing
 * one backs the page).
 */
static const uint8_t *guest_view(const struct memory_patches *patches, struct host_backing *backing,
                                 uint64_t gpa, const uint8_t *now, uint8_t *scratch)
{
    if (backing && host_backing_never(backing, now))
        return zero_page.data;
    if (!patches || !patches->in_page(patches->ctx, gpa))
        return now;
    memcpy(scratch, now, PAGE);
    patches->unpatch(patches->ctx, gpa, scratch);
    return scratch;
}

int checkpoint_take(struct checkpoint *ck, const struct checkpoint *prev, uint64_t position,
                    const struct guest_mem *mem, const struct memory_patches *patches,
                    struct host_backing *backing, struct vcpu *vcpu)
{
    memset(ck, 0, sizeof(*ck));
    ck->position = position;
    if (vcpu_get_regs(vcpu, &ck->regs) < 0 || vcpu_get_sregs(vcpu, &ck->sregs) < 0 ||
        vcpu_get_fpu(vcpu, &ck->fpu) < 0 || vcpu_get_debugregs(vcpu, &ck->debugregs) < 0)
        return -1;
    ck->npages = mem->size / PAGE;
    ck->pages = calloc(ck->npages, sizeof(*ck->pages));
    if (!ck->pages)
        return -1;
    ck->new_bytes = ck->npages * sizeof(*ck->pages);
    bool share = prev && prev->npages == ck->npages;
    uint8_t scratch[PAGE];
    if (backing)
        host_backing_rewind(backing);
    for (size_t i = 0; i < ck->npages; i++) {
        uint64_t gpa = (uint64_t)i * PAGE;
        const uint8_t *now = guest_view(patches, backing, gpa, mem->host + gpa, scratch);
        if (now == zero_page.data) {
            /* Never backed: the zero page, which is what comparing would find too. */
            zero_page.refs++;
            ck->pages[i] = &zero_page;
            continue;
        }
        struct checkpoint_page *old = share ? prev->pages[i] : NULL;
        if (old && memcmp(old->data, now, PAGE) == 0) {
            old->refs++;
            ck->pages[i] = old;
            continue;
        }
        if (memcmp(zero_page.data, now, PAGE) == 0) {
            zero_page.refs++;
            ck->pages[i] = &zero_page;
            continue;
        }
        struct checkpoint_page *p = malloc(sizeof(*p));
        if (!p) {
            checkpoint_release(ck);
            errno = ENOMEM;
            return -1;
        }
        p->refs = 1;
        memcpy(p->data, now, PAGE);
        ck->pages[i] = p;
        ck->new_bytes += sizeof(*p);
    }
    return 0;
}

int checkpoint_restore(const struct checkpoint *ck, const struct guest_mem *mem,
                       const struct memory_patches *patches, struct host_backing *backing,
                       struct vcpu *vcpu)
{
    if (ck->npages != mem->size / PAGE) {
        errno = EINVAL;
        return -1;
    }
    if (backing)
        host_backing_rewind(backing);
    for (size_t i = 0; i < ck->npages; i++) {
        uint8_t *now = mem->host + (uint64_t)i * PAGE;
        /* A page never backed is zero: nothing to compare, and comparing would back it. */
        if (backing && host_backing_never(backing, now)) {
            if (ck->pages[i] != &zero_page)
                memcpy(now, ck->pages[i]->data, PAGE);
            continue;
        }
        if (memcmp(now, ck->pages[i]->data, PAGE) != 0)
            memcpy(now, ck->pages[i]->data, PAGE);
    }
    if (patches)
        patches->repatch(patches->ctx);
    if (vcpu_set_sregs(vcpu, &ck->sregs) < 0 || vcpu_set_regs(vcpu, &ck->regs) < 0 ||
        vcpu_set_fpu(vcpu, &ck->fpu) < 0 || vcpu_set_debugregs(vcpu, &ck->debugregs) < 0)
        return -1;
    return 0;
}

size_t checkpoint_release(struct checkpoint *ck)
{
    size_t freed = ck->pages ? ck->npages * sizeof(*ck->pages) : 0;
    for (size_t i = 0; ck->pages && i < ck->npages; i++)
        freed += page_put(ck->pages[i]);
    free(ck->pages);
    memset(ck, 0, sizeof(*ck));
    return freed;
}

uint64_t checkpoint_hash_memory(const struct guest_mem *mem, const struct memory_patches *patches,
                                struct host_backing *backing)
{
    /* FNV-1a over 64-bit words: fast enough for a test's every hypercall, and order-aware. */
    uint64_t h = 0xcbf29ce484222325ULL;
    uint8_t scratch[PAGE];
    if (backing)
        host_backing_rewind(backing);
    for (uint64_t gpa = 0; gpa + PAGE <= mem->size; gpa += PAGE) {
        const uint8_t *page = guest_view(patches, backing, gpa, mem->host + gpa, scratch);
        for (unsigned off = 0; off < PAGE; off += 8) {
            uint64_t w;
            memcpy(&w, page + off, 8);
            h = (h ^ w) * 0x100000001b3ULL;
        }
    }
    return h;
}
