/*
 * watchpoints.c: data watchpoints by debug register or page trap (see watchpoints.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dr_probe.h"
#include "ukvm/guest/guest_virt.h"
#include "watch_guard.h"
#include "watchpoints.h"

#define PAGE      MEM_SLOTS_PAGE_SIZE
#define PAGE_MASK (~(PAGE - 1))

void watchpoints_init(struct watchpoints *wp, const struct guest_mem *mem, struct mem_slots *slots,
                      struct breakpoints *bps)
{
    memset(wp, 0, sizeof(*wp));
    wp->mem = mem;
    wp->slots = slots;
    wp->bps = bps;
}

static const char *kind_name(enum watch_kind kind)
{
    return kind == WATCH_WRITE ? "write" : kind == WATCH_READ ? "read" : "access";
}

static struct watchpoint *find(struct watchpoints *wp, enum watch_kind kind, uint64_t va,
                               uint64_t len)
{
    for (size_t i = 0; i < wp->n; i++)
        if (wp->w[i].kind == kind && wp->w[i].va == va && wp->w[i].len == len)
            return &wp->w[i];
    return NULL;
}

/*
 * The state a page needs for the page-trapped watchpoints on it (skipping index skip):
 * absent when any of them stops on reads, read-only when they stop on writes only.
 */
static enum mem_page_state page_need(const struct watchpoints *wp, uint64_t page, size_t skip)
{
    enum mem_page_state need = MEM_PAGE_NORMAL;
    for (size_t i = 0; i < wp->n; i++) {
        const struct watchpoint *w = &wp->w[i];
        if (i == skip || w->hw_slot >= 0 || w->lifted)
            continue;
        for (size_t j = 0; j < w->npieces; j++) {
            if ((w->pieces[j].gpa & PAGE_MASK) != page)
                continue;
            if (w->kind & WATCH_READ)
                return MEM_PAGE_ABSENT;
            need = MEM_PAGE_READ_ONLY;
        }
    }
    return need;
}

/* Re-derives the wanted state of every page of w (after w was added or before it goes). */
static void update_pages(struct watchpoints *wp, const struct watchpoint *w, size_t skip)
{
    for (size_t j = 0; j < w->npieces; j++) {
        uint64_t page = w->pieces[j].gpa & PAGE_MASK;
        mem_slots_set(wp->slots, page, page_need(wp, page, skip));
    }
}

/* Splits [va, va+len) into per-page pieces with their guest-physical addresses. */
static int translate(struct watchpoints *wp, const struct watch_env *env, struct watchpoint *w)
{
    size_t max = (size_t)((((w->va + w->len - 1) & PAGE_MASK) - (w->va & PAGE_MASK)) / PAGE) + 1;
    w->pieces = calloc(max, sizeof(*w->pieces));
    if (!w->pieces) {
        snprintf(wp->error, sizeof(wp->error), "out of memory");
        return -1;
    }
    for (uint64_t va = w->va; va < w->va + w->len;) {
        uint64_t chunk = PAGE - (va & (PAGE - 1)), gpa;
        if (chunk > w->va + w->len - va)
            chunk = w->va + w->len - va;
        if (guest_virt_translate(wp->mem, env->sregs, va, &gpa) < 0 ||
            !guest_mem_range_ok(wp->mem, gpa, chunk)) {
            snprintf(wp->error, sizeof(wp->error),
                     "0x%llx is not mapped to guest memory by the guest's page tables",
                     (unsigned long long)va);
            return -1;
        }
        w->pieces[w->npieces++] = (struct watch_piece){.va = va, .gpa = gpa, .len = chunk};
        va += chunk;
    }
    return 0;
}

/* Can w use a debug register? Asks the probe only for watchpoints that would fit one. */
static int try_debug_register(struct watchpoints *wp, const struct watchpoint *w)
{
    if (w->kind == WATCH_READ || (w->len != 1 && w->len != 2 && w->len != 4 && w->len != 8) ||
        w->va % w->len || wp->pages_only || !dr_probe_data_breakpoints())
        return -1;
    return breakpoints_insert_hw_data(wp->bps, w->va, (size_t)w->len,
                                      w->kind == WATCH_WRITE ? HW_RW_WRITE : HW_RW_ACCESS);
}

static void free_watch(struct watchpoint *w)
{
    free(w->pieces);
    w->pieces = NULL;
    w->npieces = 0;
}

/* The page-trap checks and bookkeeping for a new watchpoint w at index wp->n (not yet counted). */
static int trap_pages(struct watchpoints *wp, const struct watch_env *env, struct watchpoint *w)
{
    if (!wp->slots) {
        snprintf(wp->error, sizeof(wp->error), "this monitor cannot trap guest pages");
        return -1;
    }
    struct watch_guard_env genv = {
        .mem = wp->mem, .regs = env->regs, .sregs = env->sregs, .layout = env->layout};
    char why[256];
    for (size_t j = 0; j < w->npieces; j++) {
        if (watch_guard_check(&genv, w->pieces[j].va, w->pieces[j].gpa, why, sizeof(why)) < 0) {
            snprintf(wp->error, sizeof(wp->error), "%s", why);
            return -1;
        }
    }
    /* Count it in, set its pages, and check the slots it needs before keeping it. */
    wp->n++;
    update_pages(wp, w, (size_t)-1);
    size_t needed = mem_slots_needed(wp->slots);
    if (needed > wp->slots->max_slots) {
        wp->n--;
        update_pages(wp, w, (size_t)-1);
        snprintf(wp->error, sizeof(wp->error),
                 "the trapped pages would need %zu memory slots; KVM offers %u", needed,
                 wp->slots->max_slots);
        return -1;
    }
    return 0;
}

int watchpoints_insert(struct watchpoints *wp, const struct watch_env *env, enum watch_kind kind,
                       uint64_t va, uint64_t len)
{
    wp->error[0] = '\0';
    if (len == 0 || len > WATCH_MAX_LEN) {
        snprintf(wp->error, sizeof(wp->error), "a watchpoint covers 1 to %llu bytes, not %llu",
                 (unsigned long long)WATCH_MAX_LEN, (unsigned long long)len);
        return -1;
    }
    /* Its own message: "covers 1 to 1048576 bytes, not 8" would blame a good length. */
    if (va + len < va) {
        snprintf(wp->error, sizeof(wp->error),
                 "0x%llx + %llu bytes runs past the end of the address space",
                 (unsigned long long)va, (unsigned long long)len);
        return -1;
    }
    struct watchpoint *same = find(wp, kind, va, len);
    if (same) {
        same->refs++;
        return 0;
    }
    if (wp->n == wp->cap) {
        size_t cap = wp->cap ? wp->cap * 2 : 8;
        struct watchpoint *grown = realloc(wp->w, cap * sizeof(*grown));
        if (!grown) {
            snprintf(wp->error, sizeof(wp->error), "out of memory");
            return -1;
        }
        wp->w = grown;
        wp->cap = cap;
    }
    struct watchpoint *w = &wp->w[wp->n];
    *w = (struct watchpoint){.kind = kind, .va = va, .len = len, .refs = 1, .hw_slot = -1};
    if (translate(wp, env, w) < 0) {
        free_watch(w);
        return -1;
    }
    w->hw_slot = try_debug_register(wp, w);
    if (w->hw_slot >= 0) {
        wp->n++;
        return 0;
    }
    if (trap_pages(wp, env, w) < 0) {
        free_watch(w);
        return -1;
    }
    return 0;
}

int watchpoints_remove(struct watchpoints *wp, enum watch_kind kind, uint64_t va, uint64_t len)
{
    struct watchpoint *w = find(wp, kind, va, len);
    if (!w) {
        snprintf(wp->error, sizeof(wp->error), "no %s watchpoint at 0x%llx (%llu bytes)",
                 kind_name(kind), (unsigned long long)va, (unsigned long long)len);
        return -1;
    }
    if (--w->refs > 0)
        return 0;
    size_t i = (size_t)(w - wp->w);
    if (w->hw_slot >= 0)
        breakpoints_release_hw(wp->bps, w->hw_slot);
    else
        update_pages(wp, w, i);
    free_watch(w);
    wp->w[i] = wp->w[--wp->n];
    return 0;
}

void watchpoints_clear(struct watchpoints *wp)
{
    for (size_t i = 0; i < wp->n; i++) {
        if (wp->w[i].hw_slot >= 0)
            breakpoints_release_hw(wp->bps, wp->w[i].hw_slot);
        free_watch(&wp->w[i]);
    }
    wp->n = 0;
    wp->hit.valid = false;
    if (wp->slots)
        mem_slots_reset(wp->slots);
}

void watchpoints_destroy(struct watchpoints *wp)
{
    watchpoints_clear(wp);
    free(wp->w);
    wp->w = NULL;
    wp->cap = 0;
}

int watchpoints_apply(struct watchpoints *wp, char *err, size_t errlen)
{
    return wp->slots ? mem_slots_apply(wp->slots, err, errlen) : 0;
}

size_t watchpoints_lift_guarded(struct watchpoints *wp, const struct watch_env *env, char *why,
                                size_t whylen)
{
    struct watch_guard_env genv = {
        .mem = wp->mem, .regs = env->regs, .sregs = env->sregs, .layout = env->layout};
    size_t lifted = 0;
    char reason[256];
    for (size_t i = 0; i < wp->n; i++) {
        struct watchpoint *w = &wp->w[i];
        if (w->hw_slot >= 0 || w->lifted)
            continue;
        for (size_t j = 0; j < w->npieces; j++) {
            if (watch_guard_check(&genv, w->pieces[j].va, w->pieces[j].gpa, reason,
                                  sizeof(reason)) == 0)
                continue;
            if (lifted++ == 0)
                snprintf(why, whylen, "watchpoint at 0x%llx (%llu bytes): %s",
                         (unsigned long long)w->va, (unsigned long long)w->len, reason);
            w->lifted = true;
            update_pages(wp, w, (size_t)-1);
            break;
        }
    }
    return lifted;
}

bool watchpoints_take_hit(struct watchpoints *wp, struct watch_hit *hit)
{
    *hit = wp->hit;
    wp->hit.valid = false;
    return hit->valid;
}

static void record_hit(struct watchpoints *wp, enum watch_kind kind, uint64_t addr)
{
    if (!wp->hit.valid)
        wp->hit = (struct watch_hit){.valid = true, .kind = kind, .addr = addr};
}

bool watchpoints_hw_hit(struct watchpoints *wp, int slot)
{
    for (size_t i = 0; i < wp->n; i++) {
        if (wp->w[i].hw_slot == slot) {
            record_hit(wp, wp->w[i].kind, wp->w[i].va);
            return true;
        }
    }
    return false;
}

size_t watchpoints_count(const struct watchpoints *wp)
{
    return wp->n;
}

/*
 * An access to guest-physical [gpa, gpa+len) of the given direction (WATCH_WRITE or
 * WATCH_READ): records the first watchpoint it hits, with the first byte it touched.
 */
static bool match(struct watchpoints *wp, uint64_t gpa, uint64_t len, enum watch_kind dir)
{
    for (size_t i = 0; i < wp->n; i++) {
        const struct watchpoint *w = &wp->w[i];
        if (!(w->kind & dir) || w->lifted)
            continue;
        for (size_t j = 0; j < w->npieces; j++) {
            const struct watch_piece *p = &w->pieces[j];
            /* Overlap of [gpa, gpa+len) and [p->gpa, p->gpa+p->len), wrap-free. */
            if (gpa - p->gpa < p->len || p->gpa - gpa < len) {
                uint64_t first = gpa > p->gpa ? gpa : p->gpa;
                record_hit(wp, w->kind, p->va + (first - p->gpa));
                return true;
            }
        }
    }
    return false;
}

static enum run_mmio_outcome on_mmio(void *ctx, struct vcpu *vcpu, const struct vm_exit *exit)
{
    struct watchpoints *wp = ctx;
    uint64_t gpa = exit->mmio.gpa, len = exit->mmio.len;
    if (!wp->slots || len == 0 || len > sizeof(exit->mmio.data) ||
        !mem_slots_trapped(wp->slots, gpa) || !guest_mem_range_ok(wp->mem, gpa, len))
        return RUN_MMIO_NOT_MINE;
    uint8_t *host = wp->mem->host + gpa;
    if (exit->mmio.is_write)
        memcpy(host, exit->mmio.data, len);
    else if (vcpu_set_mmio_read_data(vcpu, host, len) < 0)
        return RUN_MMIO_NOT_MINE;
    wp->trapped_exits++;
    return match(wp, gpa, len, exit->mmio.is_write ? WATCH_WRITE : WATCH_READ) ? RUN_MMIO_HIT
                                                                               : RUN_MMIO_DONE;
}

static bool on_monitor_access(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
    return match(ctx, gpa, len, write ? WATCH_WRITE : WATCH_READ);
}

const struct run_watch_ops watchpoints_run_ops = {
    .mmio = on_mmio,
    .monitor_access = on_monitor_access,
};
