/*
 * test_mem_slots.c: guest memory split into slots around trapped pages
 * (ukvm/vm/mem_slots.h), against a fake hypervisor that enforces KVM's rules: a slot
 * number is either free or holds one slot, a slot is deleted before its number is reused
 * with another range or other flags, and no two slots overlap.
 */
#include <stdlib.h>

#include "ukvm/vm/mem_slots.h"
#include "unit.h"

#define PAGE     MEM_SLOTS_PAGE_SIZE
#define MEM_SIZE (64 * PAGE)
#define MAX_IDS  64

struct fake_slot {
    bool used;
    uint64_t gpa, size;
    bool ro;
    void *host;
};

struct fake_hv {
    struct fake_slot slot[MAX_IDS];
    int calls, deletes, adds;
    int fail_at, fail_also; /* call numbers (1-based) that fail; 0: none */
    bool no_ro;             /* refuses read-only slots, as a KVM without READONLY_MEM */
    char violation[200];
};

static int fake_map(void *ctx, uint32_t id, uint64_t gpa, uint64_t size, void *host, bool ro,
                    char *err, size_t errlen)
{
    struct fake_hv *hv = ctx;
    hv->calls++;
    if ((hv->fail_at && hv->calls == hv->fail_at) ||
        (hv->fail_also && hv->calls == hv->fail_also)) {
        snprintf(err, errlen, "injected failure");
        return -1;
    }
    if (hv->no_ro && ro && size) {
        snprintf(err, errlen, "read-only slot refused");
        return -1;
    }
    if (id >= MAX_IDS) {
        snprintf(hv->violation, sizeof(hv->violation), "slot id %u out of range", id);
        return -1;
    }
    struct fake_slot *s = &hv->slot[id];
    if (size == 0) {
        if (!s->used)
            snprintf(hv->violation, sizeof(hv->violation), "delete of free slot %u", id);
        s->used = false;
        hv->deletes++;
        return 0;
    }
    if (s->used) {
        snprintf(hv->violation, sizeof(hv->violation), "slot %u changed in place", id);
        return -1;
    }
    for (int i = 0; i < MAX_IDS; i++) {
        struct fake_slot *o = &hv->slot[i];
        if (o->used && gpa < o->gpa + o->size && o->gpa < gpa + size) {
            snprintf(hv->violation, sizeof(hv->violation), "slot %u overlaps slot %d", id, i);
            return -1;
        }
    }
    *s = (struct fake_slot){.used = true, .gpa = gpa, .size = size, .ro = ro, .host = host};
    hv->adds++;
    return 0;
}

static uint8_t *host;
static struct fake_hv hv;
static struct mem_slots ms;

static int setup(uint32_t max_slots)
{
    char err[128];
    memset(&hv, 0, sizeof(hv));
    mem_slots_destroy(&ms);
    return mem_slots_init(&ms, host, MEM_SIZE, fake_map, &hv, max_slots, err, sizeof(err));
}

/* The state of page p as the fake hypervisor maps it, -1 if inconsistent. */
static int fake_state(uint64_t p)
{
    int found = -1;
    for (int i = 0; i < MAX_IDS; i++) {
        struct fake_slot *s = &hv.slot[i];
        if (s->used && p * PAGE >= s->gpa && p * PAGE < s->gpa + s->size) {
            if (found >= 0 || s->host != host + s->gpa)
                return -1;
            found = s->ro ? MEM_PAGE_READ_ONLY : MEM_PAGE_NORMAL;
        }
    }
    return found < 0 ? MEM_PAGE_ABSENT : found;
}

static int fake_count(void)
{
    int n = 0;
    for (int i = 0; i < MAX_IDS; i++)
        n += hv.slot[i].used;
    return n;
}

/* Every page: hypervisor == wanted == mem_slots_state. */
static bool consistent(void)
{
    for (uint64_t p = 0; p < MEM_SIZE / PAGE; p++) {
        int f = fake_state(p);
        if (f != (int)mem_slots_wanted(&ms, p * PAGE) || f != (int)mem_slots_state(&ms, p * PAGE))
            return false;
    }
    return hv.violation[0] == '\0' && fake_count() == (int)ms.nslots;
}

static int apply(void)
{
    char err[128];
    return mem_slots_apply(&ms, err, sizeof(err));
}

UNIT_TEST(init_maps_one_slot)
{
    CHECK_EQ_U64(setup(32), 0);
    CHECK_EQ_U64(hv.calls, 1);
    CHECK_EQ_U64(ms.nslots, 1);
    CHECK(hv.slot[0].used && hv.slot[0].gpa == 0 && hv.slot[0].size == MEM_SIZE && !hv.slot[0].ro);
    CHECK(consistent());
    CHECK(!mem_slots_trapped(&ms, 0));
    CHECK(mem_slots_trapped(&ms, MEM_SIZE) == false); /* outside memory: not ours */
    CHECK_EQ_U64(mem_slots_state(&ms, MEM_SIZE), MEM_PAGE_ABSENT);
}

UNIT_TEST(one_read_only_page_splits_in_three)
{
    CHECK_EQ_U64(setup(32), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE + 123, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(hv.calls, 1); /* nothing happens before apply */
    CHECK_EQ_U64(mem_slots_needed(&ms), 3);
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
    CHECK_EQ_U64(ms.nslots, 3);
    CHECK_EQ_U64(hv.deletes, 1);
    CHECK_EQ_U64(hv.adds, 1 + 3); /* init, then the three pieces */
    CHECK(mem_slots_trapped(&ms, 10 * PAGE));
    CHECK(mem_slots_trapped(&ms, 11 * PAGE - 1));
    CHECK(!mem_slots_trapped(&ms, 11 * PAGE));
    CHECK(!mem_slots_trapped(&ms, 10 * PAGE - 1));
}

UNIT_TEST(absent_page_has_no_slot)
{
    CHECK_EQ_U64(setup(32), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 5 * PAGE, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
    CHECK_EQ_U64(ms.nslots, 2);
    CHECK_EQ_U64(mem_slots_state(&ms, 5 * PAGE), MEM_PAGE_ABSENT);
}

UNIT_TEST(runs_merge)
{
    CHECK_EQ_U64(setup(32), 0);
    for (uint64_t p = 20; p < 24; p++)
        CHECK_EQ_U64(mem_slots_set(&ms, p * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(mem_slots_needed(&ms), 3); /* rw, one ro run, rw */
    CHECK_EQ_U64(mem_slots_set(&ms, 24 * PAGE, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 25 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(mem_slots_needed(&ms), 4); /* rw, ro 20-23, (24 absent), ro 25, rw */
    CHECK_EQ_U64(mem_slots_set(&ms, 30 * PAGE, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 31 * PAGE, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(mem_slots_needed(&ms), 5);
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
}

UNIT_TEST(edges_of_memory)
{
    CHECK_EQ_U64(setup(32), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 0, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, MEM_SIZE - 1, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(mem_slots_needed(&ms), 2);
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
    CHECK_EQ_U64(mem_slots_set(&ms, MEM_SIZE, MEM_PAGE_ABSENT), (uint64_t)-1);
    /* Every page trapped: only the read-only run is a slot. */
    for (uint64_t p = 0; p < MEM_SIZE / PAGE; p++)
        mem_slots_set(&ms, p * PAGE, MEM_PAGE_ABSENT);
    CHECK_EQ_U64(mem_slots_needed(&ms), 0);
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
    CHECK_EQ_U64(fake_count(), 0);
}

UNIT_TEST(only_changes_reach_the_hypervisor)
{
    CHECK_EQ_U64(setup(32), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 40 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(apply(), 0);
    int before = hv.calls;
    /* Removed and put back before apply, as gdb does around every stop: no call at all. */
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_NORMAL), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(apply(), 0);
    CHECK_EQ_U64(hv.calls, before);
    /* Page 40 becomes absent: its ro slot goes, the neighbours stay. */
    CHECK_EQ_U64(mem_slots_set(&ms, 40 * PAGE, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(apply(), 0);
    CHECK_EQ_U64(hv.calls, before + 1);
    CHECK(consistent());
    /* Page 10 back to normal: three slots become one. */
    before = hv.calls;
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_NORMAL), 0);
    CHECK_EQ_U64(apply(), 0);
    CHECK_EQ_U64(hv.calls, before + 3 + 1);
    CHECK(consistent());
    mem_slots_reset(&ms);
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
    CHECK_EQ_U64(ms.nslots, 1);
}

UNIT_TEST(slot_limit)
{
    CHECK_EQ_U64(setup(4), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 20 * PAGE, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(mem_slots_needed(&ms), 4);
    CHECK_EQ_U64(apply(), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 30 * PAGE, MEM_PAGE_ABSENT), 0);
    char err[128] = "";
    CHECK_EQ_U64(mem_slots_apply(&ms, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "need 5 memory slots; the hypervisor offers 4");
    CHECK_EQ_U64(mem_slots_set(&ms, 30 * PAGE, MEM_PAGE_NORMAL), 0);
    CHECK(consistent());
    /* Slot ids stay below the limit. */
    for (int i = 0; i < MAX_IDS; i++)
        CHECK(!hv.slot[i].used || i < 4);
}

UNIT_TEST(failure_rolls_back_and_retry_works)
{
    CHECK_EQ_U64(setup(32), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 40 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(apply(), 0);
    int before[MEM_SIZE / PAGE];
    for (uint64_t p = 0; p < MEM_SIZE / PAGE; p++)
        before[p] = fake_state(p);
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_READ_ONLY), 0);
    hv.fail_at = hv.calls + 3; /* the delete and one add succeed, the second add fails */
    char err[128] = "";
    CHECK_EQ_U64(mem_slots_apply(&ms, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "injected failure");
    CHECK(strstr(err, "restoring") == NULL);
    /* The guest sees exactly the memory it saw before: no hole where the split stopped. */
    for (uint64_t p = 0; p < MEM_SIZE / PAGE; p++) {
        CHECK_EQ_U64(fake_state(p), before[p]);
        CHECK_EQ_U64(mem_slots_state(&ms, p * PAGE), before[p]);
    }
    CHECK(!mem_slots_trapped(&ms, 20 * PAGE));
    CHECK(!mem_slots_trapped(&ms, 10 * PAGE));
    CHECK(mem_slots_trapped(&ms, 40 * PAGE));
    CHECK(hv.violation[0] == '\0' && fake_count() == (int)ms.nslots);
    hv.fail_at = 0;
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
    CHECK(mem_slots_trapped(&ms, 10 * PAGE));
}

UNIT_TEST(failed_roll_back_leaves_a_true_picture)
{
    CHECK_EQ_U64(setup(32), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_READ_ONLY), 0);
    /* The second add fails, and so does the first call of the roll-back. */
    hv.fail_at = hv.calls + 3;
    hv.fail_also = hv.calls + 4;
    char err[160] = "";
    CHECK_EQ_U64(mem_slots_apply(&ms, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "restoring the previous memory slots failed too");
    for (uint64_t p = 0; p < MEM_SIZE / PAGE; p++)
        CHECK_EQ_U64(mem_slots_state(&ms, p * PAGE), fake_state(p));
    CHECK(hv.violation[0] == '\0' && fake_count() == (int)ms.nslots);
    hv.fail_at = hv.fail_also = 0;
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
}

UNIT_TEST(without_read_only_slots_pages_are_absent)
{
    CHECK_EQ_U64(setup(32), 0);
    hv.no_ro = true;
    ms.read_only_ok = false; /* as mem_slots_init_vm finds it on such a hypervisor */
    CHECK_EQ_U64(mem_slots_set(&ms, 10 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 11 * PAGE, MEM_PAGE_ABSENT), 0);
    CHECK_EQ_U64(mem_slots_set(&ms, 12 * PAGE, MEM_PAGE_READ_ONLY), 0);
    CHECK_EQ_U64(mem_slots_needed(&ms), 2); /* rw, (10-12 absent), rw */
    CHECK_EQ_U64(apply(), 0);
    CHECK(hv.violation[0] == '\0' && fake_count() == 2);
    for (uint64_t p = 10; p <= 12; p++) {
        CHECK_EQ_U64(fake_state(p), MEM_PAGE_ABSENT);
        CHECK_EQ_U64(mem_slots_state(&ms, p * PAGE), MEM_PAGE_ABSENT);
        CHECK(mem_slots_trapped(&ms, p * PAGE));
    }
    CHECK_EQ_U64(mem_slots_wanted(&ms, 10 * PAGE), MEM_PAGE_READ_ONLY);
    CHECK_EQ_U64(fake_state(9), MEM_PAGE_NORMAL);
    CHECK_EQ_U64(fake_state(13), MEM_PAGE_NORMAL);
    mem_slots_reset(&ms);
    CHECK_EQ_U64(apply(), 0);
    CHECK(consistent());
}

UNIT_TEST(many_scattered_pages)
{
    CHECK_EQ_U64(setup(MAX_IDS), 0);
    /* A pseudo-random walk of set and clear, checked against the fake after each apply. */
    uint32_t x = 12345;
    for (int round = 0; round < 200; round++) {
        for (int k = 0; k < 3; k++) {
            x = x * 1103515245 + 12345;
            uint64_t p = (x >> 8) % (MEM_SIZE / PAGE);
            enum mem_page_state st = (enum mem_page_state)((x >> 20) % 3);
            CHECK_EQ_U64(mem_slots_set(&ms, p * PAGE, st), 0);
        }
        if (mem_slots_needed(&ms) > MAX_IDS)
            continue;
        CHECK_EQ_U64(apply(), 0);
        if (!consistent())
            UNIT_FAIL("round %d: %s", round, hv.violation[0] ? hv.violation : "state mismatch");
    }
}

int main(void)
{
    host = aligned_alloc(PAGE, MEM_SIZE);
    UNIT_RUN(init_maps_one_slot);
    UNIT_RUN(one_read_only_page_splits_in_three);
    UNIT_RUN(absent_page_has_no_slot);
    UNIT_RUN(runs_merge);
    UNIT_RUN(edges_of_memory);
    UNIT_RUN(only_changes_reach_the_hypervisor);
    UNIT_RUN(slot_limit);
    UNIT_RUN(failure_rolls_back_and_retry_works);
    UNIT_RUN(failed_roll_back_leaves_a_true_picture);
    UNIT_RUN(without_read_only_slots_pages_are_absent);
    UNIT_RUN(many_scattered_pages);
    mem_slots_destroy(&ms);
    free(host);
    return UNIT_EXIT_STATUS();
}
