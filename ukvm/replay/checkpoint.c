/*
 * checkpoint.c: guest snapshots with pages shared between neighbours (see checkpoint.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

#define PAGE CHECKPOINT_PAGE_SIZE

struct checkpoint_page {
    unsigned refs; /* chunks that hold it */
    uint8_t data[PAGE];
};

/* CHECKPOINT_CHUNK_PAGES pages' pointers, shared by the checkpoints where all are equal. */
struct checkpoint_chunk {
    unsigned refs; /* checkpoints that hold it */
    struct checkpoint_page *pages[CHECKPOINT_CHUNK_PAGES];
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

/* Pages in chunk c of a checkpoint of npages (the last chunk may hold fewer). */
static size_t chunk_len(size_t npages, size_t c)
{
    size_t left = npages - c * CHECKPOINT_CHUNK_PAGES;
    return left < CHECKPOINT_CHUNK_PAGES ? left : CHECKPOINT_CHUNK_PAGES;
}

/* Drops one reference to a chunk of n pages, and its pages' with it; returns the bytes freed. */
static size_t chunk_put(struct checkpoint_chunk *ch, size_t n)
{
    if (!ch || --ch->refs)
        return 0;
    size_t freed = sizeof(*ch);
    for (size_t i = 0; i < n; i++)
        freed += page_put(ch->pages[i]);
    free(ch);
    return freed;
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

/*
 * Chunk c of ck's pages into pages[] (no reference taken yet): each one prev's page
 * where the guest's equals it, the zero page where it is zero, else a new copy (refs 0,
 * counted in ck->new_bytes). Returns 0, or -1 when out of memory, the new copies freed.
 */
static int collect_chunk(struct checkpoint *ck, const struct checkpoint_chunk *prev, size_t c,
                         const struct guest_mem *mem, const struct memory_patches *patches,
                         struct host_backing *backing, struct checkpoint_page **pages)
{
    size_t n = chunk_len(ck->npages, c);
    uint8_t scratch[PAGE];
    for (size_t i = 0; i < n; i++) {
        uint64_t gpa = (uint64_t)(c * CHECKPOINT_CHUNK_PAGES + i) * PAGE;
        const uint8_t *now = guest_view(patches, backing, gpa, mem->host + gpa, scratch);
        struct checkpoint_page *old = prev ? prev->pages[i] : NULL;
        if (now == zero_page.data) {
            /* Never backed: the zero page, which is what comparing would find too. */
            pages[i] = &zero_page;
        } else if (old && memcmp(old->data, now, PAGE) == 0) {
            pages[i] = old;
        } else if (memcmp(zero_page.data, now, PAGE) == 0) {
            pages[i] = &zero_page;
        } else if ((pages[i] = malloc(sizeof(*pages[i])))) {
            pages[i]->refs = 0;
            memcpy(pages[i]->data, now, PAGE);
            ck->new_bytes += sizeof(*pages[i]);
        } else {
            /* The copies of this chunk are nobody else's yet (refs 0): free them. */
            for (size_t j = 0; j < i; j++)
                if (pages[j]->refs == 0)
                    free(pages[j]);
            errno = ENOMEM;
            return -1;
        }
    }
    return 0;
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
    ck->nchunks = (ck->npages + CHECKPOINT_CHUNK_PAGES - 1) / CHECKPOINT_CHUNK_PAGES;
    ck->chunks = calloc(ck->nchunks, sizeof(*ck->chunks));
    if (!ck->chunks)
        return -1;
    ck->new_bytes = ck->nchunks * sizeof(*ck->chunks);
    bool share = prev && prev->npages == ck->npages;
    struct checkpoint_page *pages[CHECKPOINT_CHUNK_PAGES];
    if (backing)
        host_backing_rewind(backing);
    for (size_t c = 0; c < ck->nchunks; c++) {
        const struct checkpoint_chunk *old = share ? prev->chunks[c] : NULL;
        size_t n = chunk_len(ck->npages, c);
        if (collect_chunk(ck, old, c, mem, patches, backing, pages) < 0) {
            checkpoint_release(ck);
            errno = ENOMEM;
            return -1;
        }
        /* The same pages as the previous checkpoint's chunk: share the chunk itself. */
        if (old && memcmp(old->pages, pages, n * sizeof(pages[0])) == 0) {
            prev->chunks[c]->refs++;
            ck->chunks[c] = prev->chunks[c];
            continue;
        }
        struct checkpoint_chunk *ch = malloc(sizeof(*ch));
        if (!ch) {
            for (size_t i = 0; i < n; i++)
                if (pages[i]->refs == 0)
                    free(pages[i]);
            checkpoint_release(ck);
            errno = ENOMEM;
            return -1;
        }
        ch->refs = 1;
        for (size_t i = 0; i < n; i++) {
            pages[i]->refs++;
            ch->pages[i] = pages[i];
        }
        ck->chunks[c] = ch;
        ck->new_bytes += sizeof(*ch);
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
        const struct checkpoint_page *want =
            ck->chunks[i / CHECKPOINT_CHUNK_PAGES]->pages[i % CHECKPOINT_CHUNK_PAGES];
        /* A page never backed is zero: nothing to compare, and comparing would back it. */
        if (backing && host_backing_never(backing, now)) {
            if (want != &zero_page)
                memcpy(now, want->data, PAGE);
            continue;
        }
        if (memcmp(now, want->data, PAGE) != 0)
            memcpy(now, want->data, PAGE);
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
    size_t freed = ck->chunks ? ck->nchunks * sizeof(*ck->chunks) : 0;
    for (size_t c = 0; ck->chunks && c < ck->nchunks; c++)
        freed += chunk_put(ck->chunks[c], chunk_len(ck->npages, c));
    free(ck->chunks);
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
