/*
 * mem_slots.c: guest memory as slots with trapped pages (see mem_slots.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem_slots.h"
#include "vm.h"

static int vm_map_adapter(void *ctx, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
                          bool read_only, char *err, size_t errlen)
{
    return vm_map_memory(ctx, slot, gpa, size, host, read_only, err, errlen);
}

int mem_slots_init(struct mem_slots *ms, uint8_t *host, uint64_t size, mem_slots_map_fn map,
                   void *map_ctx, uint32_t max_slots, char *err, size_t errlen)
{
    memset(ms, 0, sizeof(*ms));
    ms->host = host;
    ms->size = size;
    ms->map = map;
    ms->map_ctx = map_ctx;
    ms->max_slots = max_slots;
    ms->read_only_ok = true;
    if (size == 0 || size % MEM_SLOTS_PAGE_SIZE || max_slots == 0) {
        snprintf(err, errlen, "guest memory of 0x%llx bytes cannot be mapped in pages",
                 (unsigned long long)size);
        return -1;
    }
    ms->slots = malloc(sizeof(*ms->slots));
    if (!ms->slots) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ms->slots_cap = 1;
    ms->map_calls++;
    if (map(map_ctx, 0, 0, size, host, false, err, errlen) < 0)
        return -1;
    ms->slots[0] = (struct mem_slot){.id = 0, .gpa = 0, .size = size, .read_only = false};
    ms->nslots = 1;
    return 0;
}

int mem_slots_init_vm(struct mem_slots *ms, struct vm *vm, uint8_t *host, uint64_t size, char *err,
                      size_t errlen)
{
    if (mem_slots_init(ms, host, size, vm_map_adapter, vm, vm_max_memory_slots(vm), err, errlen) <
        0)
        return -1;
    ms->read_only_ok = vm_has_read_only_memory(vm);
    return 0;
}

void mem_slots_destroy(struct mem_slots *ms)
{
    free(ms->want);
    free(ms->slots);
    ms->want = NULL;
    ms->slots = NULL;
    ms->nwant = ms->want_cap = ms->nslots = ms->slots_cap = 0;
}

/* The index of the first wanted entry with page >= page. */
static size_t want_lower_bound(const struct mem_slots *ms, uint64_t page)
{
    size_t lo = 0, hi = ms->nwant;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ms->want[mid].page < page)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int mem_slots_set(struct mem_slots *ms, uint64_t gpa, enum mem_page_state state)
{
    if (gpa >= ms->size)
        return -1;
    uint64_t page = gpa / MEM_SLOTS_PAGE_SIZE;
    size_t i = want_lower_bound(ms, page);
    bool found = i < ms->nwant && ms->want[i].page == page;
    if (state == MEM_PAGE_NORMAL) {
        if (found) {
            memmove(&ms->want[i], &ms->want[i + 1], (ms->nwant - i - 1) * sizeof(ms->want[0]));
            ms->nwant--;
        }
        return 0;
    }
    if (found) {
        ms->want[i].state = state;
        return 0;
    }
    if (ms->nwant == ms->want_cap) {
        size_t cap = ms->want_cap ? ms->want_cap * 2 : 16;
        struct mem_page_trap *grown = realloc(ms->want, cap * sizeof(*grown));
        if (!grown)
            return -1;
        ms->want = grown;
        ms->want_cap = cap;
    }
    memmove(&ms->want[i + 1], &ms->want[i], (ms->nwant - i) * sizeof(ms->want[0]));
    ms->want[i] = (struct mem_page_trap){.page = page, .state = state};
    ms->nwant++;
    return 0;
}

void mem_slots_reset(struct mem_slots *ms)
{
    ms->nwant = 0;
}

enum mem_page_state mem_slots_wanted(const struct mem_slots *ms, uint64_t gpa)
{
    if (gpa >= ms->size)
        return MEM_PAGE_NORMAL;
    uint64_t page = gpa / MEM_SLOTS_PAGE_SIZE;
    size_t i = want_lower_bound(ms, page);
    return i < ms->nwant && ms->want[i].page == page ? ms->want[i].state : MEM_PAGE_NORMAL;
}

/*
 * Calls emit for each slot of the wanted layout, in ascending order: normal runs between
 * trapped pages, runs of adjacent read-only pages merged; absent pages get none.
 * Returns the number of slots.
 */
/* The state a page gets: read-only is absent where the hypervisor has no read-only slots. */
static enum mem_page_state effective(const struct mem_slots *ms, enum mem_page_state st)
{
    return st == MEM_PAGE_READ_ONLY && !ms->read_only_ok ? MEM_PAGE_ABSENT : st;
}

static size_t wanted_layout(const struct mem_slots *ms, struct mem_slot *out)
{
    size_t n = 0;
    uint64_t pos = 0;
    for (size_t i = 0; i < ms->nwant;) {
        uint64_t start = ms->want[i].page * MEM_SLOTS_PAGE_SIZE;
        if (pos < start) {
            if (out)
                out[n] = (struct mem_slot){.gpa = pos, .size = start - pos, .read_only = false};
            n++;
        }
        size_t j = i + 1;
        enum mem_page_state st = effective(ms, ms->want[i].state);
        while (j < ms->nwant && effective(ms, ms->want[j].state) == st &&
               ms->want[j].page == ms->want[j - 1].page + 1)
            j++;
        uint64_t end = (ms->want[j - 1].page + 1) * MEM_SLOTS_PAGE_SIZE;
        if (st == MEM_PAGE_READ_ONLY) {
            if (out)
                out[n] = (struct mem_slot){.gpa = start, .size = end - start, .read_only = true};
            n++;
        }
        pos = end;
        i = j;
    }
    if (pos < ms->size) {
        if (out)
            out[n] = (struct mem_slot){.gpa = pos, .size = ms->size - pos, .read_only = false};
        n++;
    }
    return n;
}

size_t mem_slots_needed(const struct mem_slots *ms)
{
    return wanted_layout(ms, NULL);
}

static bool same_slot(const struct mem_slot *a, const struct mem_slot *b)
{
    return a->gpa == b->gpa && a->size == b->size && a->read_only == b->read_only;
}

/* Is id in use by any current slot? */
static bool id_in_use(const struct mem_slots *ms, uint32_t id)
{
    for (size_t i = 0; i < ms->nslots; i++)
        if (ms->slots[i].id == id)
            return true;
    return false;
}

static void remove_current(struct mem_slots *ms, size_t i)
{
    memmove(&ms->slots[i], &ms->slots[i + 1], (ms->nslots - i - 1) * sizeof(ms->slots[0]));
    ms->nslots--;
}

/* Inserts s into the current slots, keeping them ascending by gpa (capacity is ensured). */
static void insert_current(struct mem_slots *ms, const struct mem_slot *s)
{
    size_t i = 0;
    while (i < ms->nslots && ms->slots[i].gpa < s->gpa)
        i++;
    memmove(&ms->slots[i + 1], &ms->slots[i], (ms->nslots - i) * sizeof(ms->slots[0]));
    ms->slots[i] = *s;
    ms->nslots++;
}

/*
 * Undoes a half-done apply: deletes the slots it added (added[0..nadded)) and adds back
 * the ones it deleted (old[0..nold), the layout before), so that the guest sees the
 * memory it saw before. Returns 0, or -1 when the hypervisor refused that too (the
 * current slots then still say exactly what it holds).
 */
static int roll_back(struct mem_slots *ms, const struct mem_slot *old, size_t nold)
{
    char ignored[128];
    int rc = 0;
    for (size_t i = 0; i < ms->nslots;) {
        bool was = false;
        for (size_t j = 0; j < nold && !was; j++)
            was = same_slot(&ms->slots[i], &old[j]) && ms->slots[i].id == old[j].id;
        if (was) {
            i++;
            continue;
        }
        ms->map_calls++;
        if (ms->map(ms->map_ctx, ms->slots[i].id, ms->slots[i].gpa, 0, ms->host + ms->slots[i].gpa,
                    ms->slots[i].read_only, ignored, sizeof(ignored)) < 0) {
            rc = -1;
            i++;
            continue;
        }
        remove_current(ms, i);
    }
    for (size_t j = 0; j < nold; j++) {
        bool have = false;
        for (size_t i = 0; i < ms->nslots && !have; i++)
            have = same_slot(&ms->slots[i], &old[j]);
        if (have)
            continue;
        /* Its number is free again: every slot added since was just deleted. */
        if (id_in_use(ms, old[j].id)) {
            rc = -1;
            continue;
        }
        ms->map_calls++;
        if (ms->map(ms->map_ctx, old[j].id, old[j].gpa, old[j].size, ms->host + old[j].gpa,
                    old[j].read_only, ignored, sizeof(ignored)) < 0) {
            rc = -1;
            continue;
        }
        insert_current(ms, &old[j]);
    }
    return rc;
}

int mem_slots_apply(struct mem_slots *ms, char *err, size_t errlen)
{
    size_t n = wanted_layout(ms, NULL);
    if (n > ms->max_slots) {
        snprintf(err, errlen, "the trapped pages need %zu memory slots; the hypervisor offers %u",
                 n, ms->max_slots);
        return -1;
    }
    /* Room for the current slots plus every wanted one, the most there can be at once. */
    if (ms->slots_cap < ms->nslots + n) {
        struct mem_slot *grown = realloc(ms->slots, (ms->nslots + n) * sizeof(*grown));
        if (!grown) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        ms->slots = grown;
        ms->slots_cap = ms->nslots + n;
    }
    /* The wanted layout, and the current one kept to roll back to if the hypervisor fails. */
    struct mem_slot *want = calloc(n + ms->nslots + 1, sizeof(*want));
    if (!want) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    wanted_layout(ms, want);
    struct mem_slot *old = want + n;
    size_t nold = ms->nslots;
    memcpy(old, ms->slots, nold * sizeof(*old));

    /* Deletions: every current slot not wanted exactly as it is. */
    for (size_t i = 0; i < ms->nslots;) {
        bool keep = false;
        for (size_t j = 0; j < n && !keep; j++)
            keep = same_slot(&ms->slots[i], &want[j]);
        if (keep) {
            i++;
            continue;
        }
        ms->map_calls++;
        if (ms->map(ms->map_ctx, ms->slots[i].id, ms->slots[i].gpa, 0, ms->host + ms->slots[i].gpa,
                    ms->slots[i].read_only, err, errlen) < 0)
            goto failed;
        remove_current(ms, i);
    }
    /* Additions: every wanted slot not there yet, in the lowest free slot number. */
    uint32_t next_id = 0;
    for (size_t j = 0; j < n; j++) {
        bool have = false;
        for (size_t i = 0; i < ms->nslots && !have; i++)
            have = same_slot(&ms->slots[i], &want[j]);
        if (have)
            continue;
        while (id_in_use(ms, next_id))
            next_id++;
        want[j].id = next_id;
        ms->map_calls++;
        if (ms->map(ms->map_ctx, want[j].id, want[j].gpa, want[j].size, ms->host + want[j].gpa,
                    want[j].read_only, err, errlen) < 0)
            goto failed;
        insert_current(ms, &want[j]);
    }
    free(want);
    return 0;

failed:
    /*
     * Half a layout would leave guest memory with holes nobody asked for (a neighbour of a
     * trapped page deleted and not yet added back): the guest would die on its next access
     * there. Put the previous layout back; the wanted states stay for a later apply.
     */
    if (roll_back(ms, old, nold) < 0) {
        size_t len = strlen(err);
        snprintf(err + len, errlen > len ? errlen - len : 0,
                 "; restoring the previous memory slots failed too");
    }
    free(want);
    return -1;
}

enum mem_page_state mem_slots_state(const struct mem_slots *ms, uint64_t gpa)
{
    size_t lo = 0, hi = ms->nslots;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct mem_slot *s = &ms->slots[mid];
        if (gpa < s->gpa)
            hi = mid;
        else if (gpa - s->gpa >= s->size)
            lo = mid + 1;
        else
            return s->read_only ? MEM_PAGE_READ_ONLY : MEM_PAGE_NORMAL;
    }
    return MEM_PAGE_ABSENT;
}

bool mem_slots_trapped(const struct mem_slots *ms, uint64_t gpa)
{
    return gpa < ms->size && mem_slots_state(ms, gpa) != MEM_PAGE_NORMAL;
}
