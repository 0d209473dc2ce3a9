/*
 * recorder.c: the hypercall log, its replay and the checkpoints (see recorder.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recorder.h"

#define DEFAULT_INTERVAL_MS 20
/*
 * A checkpoint may take this share of the run at most: the next one waits at least this
 * many times as long as the last one took.
 */
#define CHECKPOINT_COST_RATIO 20

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int recorder_init(struct recorder *r, uint64_t limit_mib, bool verify, const struct guest_mem *mem,
                  struct vcpu *vcpu)
{
    memset(r, 0, sizeof(*r));
    r->limit = (limit_mib ? limit_mib : RECORD_DEFAULT_MIB) << 20;
    r->verify = verify;
    r->mem = mem;
    r->vcpu = vcpu;
    r->interval_ns = DEFAULT_INTERVAL_MS * 1000000ULL;
    const char *ms = getenv("UKVM_RECORD_CHECKPOINT_MS");
    if (ms && *ms) {
        char *end;
        unsigned long long v = strtoull(ms, &end, 10);
        if (*end == '\0' && v <= 3600000)
            r->interval_ns = v * 1000000ULL;
    }
    host_backing_open(&r->backing);
    const char *perturb = getenv("UKVM_TEST_RECORD_PERTURB");
    if (perturb && *perturb)
        r->perturb = (unsigned)strtoul(perturb, NULL, 10);
    return 0;
}

static void call_free(struct record_call *c)
{
    free(c->written);
    c->written = NULL;
}

static uint64_t call_bytes(const struct record_call *c)
{
    uint64_t n = sizeof(*c);
    for (unsigned i = 0; i < c->naccess; i++)
        if (c->access[i].write)
            n += c->access[i].len;
    return n;
}

void recorder_destroy(struct recorder *r)
{
    for (uint64_t i = r->first; i < r->end; i++)
        call_free(&r->calls[i - r->first]);
    free(r->calls);
    for (size_t i = 0; i < r->ncks; i++)
        checkpoint_release(&r->cks[i]);
    free(r->cks);
    host_backing_close(&r->backing);
    memset(r, 0, sizeof(*r));
}

/* Drops the oldest checkpoint and the calls before the next one. */
static void drop_oldest(struct recorder *r)
{
    r->bytes -= checkpoint_release(&r->cks[0]);
    memmove(&r->cks[0], &r->cks[1], (r->ncks - 1) * sizeof(r->cks[0]));
    r->ncks--;
    uint64_t keep_from = r->cks[0].position;
    uint64_t drop = keep_from - r->first;
    for (uint64_t i = 0; i < drop; i++) {
        r->bytes -= call_bytes(&r->calls[i]);
        call_free(&r->calls[i]);
    }
    memmove(&r->calls[0], &r->calls[drop], (r->end - keep_from) * sizeof(r->calls[0]));
    r->first = keep_from;
    if (r->dropped_to == 0)
        fprintf(stderr,
                "ukvm: record: the record reached its limit of %" PRIu64 " MiB (--record=MiB): "
                "history before hypercall %" PRIu64 " is dropped, and more of the oldest will "
                "be as the run goes on\n",
                r->limit >> 20, keep_from);
    r->dropped_to = keep_from;
}

static void keep_within_limit(struct recorder *r)
{
    while (r->bytes > r->limit && r->ncks > 1)
        drop_oldest(r);
}

static int take_checkpoint(struct recorder *r)
{
    if (r->ncks == r->cks_cap) {
        size_t cap = r->cks_cap ? 2 * r->cks_cap : 16;
        struct checkpoint *n = realloc(r->cks, cap * sizeof(*n));
        if (!n)
            return -1;
        r->cks = n;
        r->cks_cap = cap;
    }
    uint64_t t0 = monotonic_ns();
    const struct checkpoint *prev = r->ncks ? &r->cks[r->ncks - 1] : NULL;
    if (checkpoint_take(&r->cks[r->ncks], prev, r->position, r->mem, r->patches, &r->backing,
                        r->vcpu) < 0)
        return -1;
    r->bytes += r->cks[r->ncks].new_bytes;
    r->ncks++;
    uint64_t t1 = monotonic_ns();
    r->last_ck_ns = t1;
    r->ck_cost_ns = t1 - t0;
    r->ck_total_ns += t1 - t0;
    keep_within_limit(r);
    return 0;
}

int recorder_start(struct recorder *r)
{
    return take_checkpoint(r);
}

int recorder_restart(struct recorder *r)
{
    for (uint64_t i = r->first; i < r->end; i++)
        call_free(&r->calls[i - r->first]);
    for (size_t i = 0; i < r->ncks; i++)
        checkpoint_release(&r->cks[i]);
    r->ncks = 0;
    r->bytes = 0;
    r->first = r->end = r->position;
    r->went_back = false;
    return take_checkpoint(r);
}

uint64_t recorder_checkpoint_before(const struct recorder *r, uint64_t position)
{
    size_t i = r->ncks;
    while (i > 1 && r->cks[i - 1].position >= position)
        i--;
    return r->ncks ? r->cks[i - 1].position : 0;
}

uint64_t recorder_history_start(const struct recorder *r)
{
    return r->ncks ? r->cks[0].position : 0;
}

bool recorder_same_point(const struct vcpu_regs *a, const struct vcpu_regs *b)
{
    struct vcpu_regs x = *a, y = *b;
    x.rflags &= ~(1ULL << 16 | 1ULL << 8);
    y.rflags &= ~(1ULL << 16 | 1ULL << 8);
    return memcmp(&x, &y, sizeof(x)) == 0;
}

static void note_divergence(struct recorder *r, const char *fmt, uint64_t a, uint64_t b)
{
    if (r->diverged)
        return;
    r->diverged = true;
    int n = snprintf(r->divergence, sizeof(r->divergence),
                     "replay diverged at hypercall %" PRIu64 ": ", r->position);
    if (n > 0 && (size_t)n < sizeof(r->divergence))
        snprintf(r->divergence + n, sizeof(r->divergence) - (size_t)n, fmt, a, b);
    fprintf(stderr, "ukvm: record: %s\n", r->divergence);
}

enum record_serve recorder_replay(struct recorder *r, unsigned nr, struct hc_context *hc)
{
    if (r->position >= r->end || r->position < r->first)
        return r->replay_only ? RECORD_END : RECORD_LIVE;
    const struct record_call *c = &r->calls[r->position - r->first];
    struct vcpu_regs regs;
    r->replayed++;
    if (c->nr != nr) {
        note_divergence(r, "the guest made call %" PRIu64 " where the record has %" PRIu64, nr,
                        c->nr);
    } else if (vcpu_get_regs(r->vcpu, &regs) == 0) {
        r->checked++;
        if (!recorder_same_point(&regs, &c->regs))
            note_divergence(r,
                            "rip 0x%" PRIx64 " where the record has 0x%" PRIx64 " (or other "
                            "registers differ)",
                            regs.rip, c->regs.rip);
    }
    const uint8_t *bytes = c->written;
    hc->naccess = 0;
    for (unsigned i = 0; i < c->naccess; i++) {
        hc->access[hc->naccess++] = c->access[i];
        if (!c->access[i].write)
            continue;
        uint8_t *dst = guest_mem_range(r->mem, c->access[i].gpa, c->access[i].len);
        if (dst)
            memcpy(dst, bytes, c->access[i].len);
        /* TEST-ONLY: an altered result, which the next call's check must notice. */
        if (dst && r->perturb && r->position + 1 == r->perturb && c->access[i].len)
            dst[0] ^= 0x5a;
        bytes += c->access[i].len;
    }
    if (c->fs_gs_set) {
        struct vcpu_sregs sregs;
        if (vcpu_get_sregs(r->vcpu, &sregs) == 0) {
            sregs.fs.base = c->fs_base;
            sregs.gs.base = c->gs_base;
            vcpu_set_sregs(r->vcpu, &sregs);
        }
    }
    /* As recorded: memory once the call's results are in. */
    if (r->verify && c->nr == nr) {
        uint64_t hash = checkpoint_hash_memory(r->mem, r->patches, &r->backing);
        if (hash != c->mem_hash)
            note_divergence(r, "guest memory differs (hash %" PRIx64 ", recorded %" PRIx64 ")",
                            hash, c->mem_hash);
    }
    return RECORD_REPLAYED;
}

/* The record cannot grow: it ends here, said once; reverse execution is refused after. */
static void out_of_memory(struct recorder *r)
{
    if (!r->broken)
        fprintf(stderr,
                "ukvm: record: out of memory at hypercall %" PRIu64 ": recording stops, and "
                "reverse execution with it\n",
                r->position);
    r->broken = true;
}

/* A new entry at the log's end for the call about to complete, zeroed; NULL: none. */
static struct record_call *append(struct recorder *r)
{
    if (r->broken || r->position != r->end)
        return NULL; /* a call served live in the past (cannot happen): not the log's */
    if (r->end - r->first == r->calls_cap) {
        size_t cap = r->calls_cap ? 2 * r->calls_cap : 1024;
        struct record_call *n = realloc(r->calls, cap * sizeof(*n));
        if (!n) {
            out_of_memory(r);
            return NULL;
        }
        r->calls = n;
        r->calls_cap = cap;
    }
    struct record_call *c = &r->calls[r->end - r->first];
    memset(c, 0, sizeof(*c));
    return c;
}

/* The entry append() gave is complete: it counts. */
static void appended(struct recorder *r, struct record_call *c)
{
    if (r->verify)
        c->mem_hash = checkpoint_hash_memory(r->mem, r->patches, &r->backing);
    r->bytes += call_bytes(c);
    r->end++;
    r->went_back = false; /* a live call: the guest is at the front of the record again */
}

void recorder_log(struct recorder *r, unsigned nr, const struct hc_context *hc)
{
    struct record_call *c = append(r);
    if (!c)
        return;
    c->nr = nr;
    c->naccess = hc->naccess;
    memcpy(c->access, hc->access, sizeof(c->access));
    uint64_t wlen = 0;
    for (unsigned i = 0; i < c->naccess; i++)
        if (c->access[i].write)
            wlen += c->access[i].len;
    if (wlen) {
        c->written = malloc(wlen);
        if (!c->written) {
            out_of_memory(r);
            return;
        }
        uint8_t *p = c->written;
        for (unsigned i = 0; i < c->naccess; i++) {
            if (!c->access[i].write)
                continue;
            const void *src = guest_mem_range(r->mem, c->access[i].gpa, c->access[i].len);
            if (src)
                memcpy(p, src, c->access[i].len);
            else
                memset(p, 0, c->access[i].len);
            p += c->access[i].len;
        }
    }
    vcpu_get_regs(r->vcpu, &c->regs);
    if (hc->vcpu_changed) {
        struct vcpu_sregs sregs;
        if (vcpu_get_sregs(r->vcpu, &sregs) == 0) {
            c->fs_gs_set = true;
            c->fs_base = sregs.fs.base;
            c->gs_base = sregs.gs.base;
        }
    }
    appended(r, c);
}

void recorder_log_tsc(struct recorder *r, const struct vcpu_regs *at, uint64_t tsc)
{
    struct record_call *c = append(r);
    if (!c)
        return;
    c->nr = RECORD_NR_TSC;
    c->regs = *at;
    c->tsc = tsc;
    appended(r, c);
}

enum record_serve recorder_replay_tsc(struct recorder *r, const struct vcpu_regs *at, uint64_t *tsc)
{
    if (r->position >= r->end || r->position < r->first)
        return r->replay_only ? RECORD_END : RECORD_LIVE;
    const struct record_call *c = &r->calls[r->position - r->first];
    r->replayed++;
    if (c->nr != RECORD_NR_TSC) {
        note_divergence(r,
                        "the guest read the time-stamp counter (%" PRIu64 ") where the "
                        "record has call %" PRIu64,
                        at->rip, c->nr);
        *tsc = 0;
        return RECORD_REPLAYED;
    }
    r->checked++;
    if (!recorder_same_point(at, &c->regs))
        note_divergence(r,
                        "rip 0x%" PRIx64 " where the record has 0x%" PRIx64 " (or other "
                        "registers differ)",
                        at->rip, c->regs.rip);
    *tsc = c->tsc;
    return RECORD_REPLAYED;
}

bool recorder_in_past(const struct recorder *r)
{
    return r->position < r->end || r->went_back;
}

bool recorder_completed(struct recorder *r)
{
    r->position++;
    if (r->has_target && r->position == r->target)
        return true;
    /* Only at the live edge: the past has its checkpoints already. */
    if (r->position == r->end && !r->no_checkpoints) {
        uint64_t now = monotonic_ns();
        uint64_t wait = r->interval_ns;
        /* Interval 0 (UKVM_RECORD_CHECKPOINT_MS=0): at every call, whatever they cost. */
        if (wait && r->ck_cost_ns * CHECKPOINT_COST_RATIO > wait)
            wait = r->ck_cost_ns * CHECKPOINT_COST_RATIO;
        if (now - r->last_ck_ns >= wait) {
            /* A checkpoint holds the vCPU between instructions: finish the exit's first. */
            if (vcpu_complete_pending_exit(r->vcpu) == 0 && take_checkpoint(r) < 0)
                fprintf(stderr, "ukvm: record: cannot take a checkpoint: %s\n", strerror(errno));
        }
        /*
         * Here, as the record grows, and never while the guest replays: dropping history
         * under a reverse operation would take away the checkpoints it replays from.
         */
        keep_within_limit(r);
    }
    return false;
}

void recorder_set_target(struct recorder *r, uint64_t target)
{
    r->has_target = true;
    r->target = target;
}

void recorder_clear_target(struct recorder *r)
{
    r->has_target = false;
}

int64_t recorder_restore(struct recorder *r, uint64_t position)
{
    size_t i = r->ncks;
    while (i > 1 && r->cks[i - 1].position > position)
        i--;
    if (i == 0) {
        errno = ENOENT;
        return -1;
    }
    const struct checkpoint *ck = &r->cks[i - 1];
    if (checkpoint_restore(ck, r->mem, r->patches, &r->backing, r->vcpu) < 0)
        return -1;
    r->position = ck->position;
    r->went_back = true;
    return (int64_t)ck->position;
}

void recorder_describe(const struct recorder *r, uint64_t steps, bool steps_known, FILE *out)
{
    fprintf(out,
            "recording: %" PRIu64 " hypercalls recorded, history from hypercall %" PRIu64
            ", %zu checkpoints, %.1f MiB of %" PRIu64 " MiB\n",
            r->end, recorder_history_start(r), r->ncks, (double)r->bytes / (1 << 20),
            r->limit >> 20);
    if (steps_known)
        fprintf(out, "position: hypercall %" PRIu64 " + %" PRIu64 " instructions", r->position,
                steps);
    else
        fprintf(out, "position: hypercall %" PRIu64 " + some instructions", r->position);
    if (r->position < r->end)
        fprintf(out, " (in the past: %" PRIu64 " recorded hypercalls ahead)\n",
                r->end - r->position);
    else if (r->went_back)
        fprintf(out, " (in the past: after the last recorded hypercall)\n");
    else
        fprintf(out, " (the end of the record: running forward is live)\n");
    fprintf(out, "replay: %" PRIu64 " hypercalls replayed, %" PRIu64 " checked: %s\n", r->replayed,
            r->checked, r->diverged ? r->divergence : "all matched the record");
    if (r->cpuid_visible)
        fprintf(out, "cpuid: the host's, with RDRAND and RDSEED (this KVM does not apply the "
                     "VM's own): a guest that uses them will not replay the same\n");
}
