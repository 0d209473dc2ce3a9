/*
 * checkpoint.c: guest snapshots with pages shared between neighbours (see checkpoint.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

#define PAGE 4096u

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

/* Does [page_gpa, page_gpa + PAGE) hold one of the breakpoints' int3s? */
static bool page_has_breakpoint(const struct breakpoints *bps, uint64_t page_gpa)
{
    for (size_t i = 0; bps && i < bps->nsw; i++)
        if (!bps->sw[i].lifted && bps->sw[i].gpa - page_gpa < PAGE)
            return true;
    return false;
}

/* The page as a debugger sees it: originals under the int3s. */
static void page_unpatched(const struct breakpoints *bps, const uint8_t *src, uint64_t page_gpa,
                           uint8_t *out)
{
    memcpy(out, src, PAGE);
    for (size_t i = 0; bps && i < bps->nsw; i++)
        if (!bps->sw[i].lifted && bps->sw[i].gpa - page_gpa < PAGE)
            out[bps->sw[i].gpa - page_gpa] = bps->sw[i].original;
}

int checkpoint_take(struct checkpoint *ck, const struct checkpoint *prev, uint64_t position,
                    const struct guest_mem *mem, const struct breakpoints *bps,
                    struct vcpu *vcpu)
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
    for (size_t i = 0; i < ck->npages; i++) {
        uint64_t gpa = (uint64_t)i * PAGE;
        const uint8_t *now = mem->host + gpa;
        if (page_has_breakpoint(bps, gpa)) {
            page_unpatched(bps, now, gpa, scratch);
            now = scratch;
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
                       struct breakpoints *bps, struct vcpu *vcpu)
{
    if (ck->npages != mem->size / PAGE) {
        errno = EINVAL;
        return -1;
    }
    for (size_t i = 0; i < ck->npages; i++) {
        uint8_t *now = mem->host + (uint64_t)i * PAGE;
        if (memcmp(now, ck->pages[i]->data, PAGE) != 0)
            memcpy(now, ck->pages[i]->data, PAGE);
    }
    for (size_t i = 0; bps && i < bps->nsw; i++) {
        struct sw_breakpoint *bp = &bps->sw[i];
        if (bp->gpa >= mem->size)
            continue;
        bp->original = mem->host[bp->gpa];
        if (!bp->lifted)
            mem->host[bp->gpa] = X86_INT3;
    }
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

uint64_t checkpoint_hash_memory(const struct guest_mem *mem, const struct breakpoints *bps)
{
    /* FNV-1a over 64-bit words: fast enough for a test's every hypercall, and order-aware. */
    uint64_t h = 0xcbf29ce484222325ULL;
    uint8_t scratch[PAGE];
    for (uint64_t gpa = 0; gpa + PAGE <= mem->size; gpa += PAGE) {
        const uint8_t *page = mem->host + gpa;
        if (page_has_breakpoint(bps, gpa)) {
            page_unpatched(bps, page, gpa, scratch);
            page = scratch;
        }
        for (unsigned off = 0; off < PAGE; off += 8) {
            uint64_t w;
            memcpy(&w, page + off, 8);
            h = (h ^ w) * 0x100000001b3ULL;
        }
    }
    return h;
}
