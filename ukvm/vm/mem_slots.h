/*
 * mem_slots.h: the guest's memory as hypervisor memory slots, with pages that can be
 * trapped one by one (watchpoints, ukvm/debug/watchpoints.h).
 *
 * Guest memory is one host mapping. Normally one slot maps all of it. A page can instead
 * be read-only (guest writes exit as VM_EXIT_MMIO with the value written; reads go on at
 * full speed) or absent (no slot at all: reads and writes both exit as VM_EXIT_MMIO).
 * The layer turns the pages' states into as few slots as it can, runs of normal pages
 * and runs of read-only pages each merged into one slot:
 *
 *   page state   N N N N R R N N A N N N
 *   slots        [ 0: rw   ][1:ro][2 ][ ][ 3: rw ]      (A: absent, no slot)
 *
 * Changing a page's state costs nothing until mem_slots_apply(), which asks the
 * hypervisor only for the slots that differ from what it has (a slot's size or flags
 * cannot change in place: it is deleted and added again). So a debugger that removes and
 * re-inserts the same watchpoints around every stop causes no hypervisor call at all.
 *
 * The hypervisor is reached through one callback with vm_map_memory's shape, so the
 * layout logic is unit-tested without /dev/kvm (tests/unit/test_mem_slots.c).
 */
#ifndef UKVM_MEM_SLOTS_H
#define UKVM_MEM_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

#define MEM_SLOTS_PAGE_SIZE 0x1000ULL

enum mem_page_state {
    MEM_PAGE_NORMAL,    /* in a read-write slot */
    MEM_PAGE_READ_ONLY, /* in a read-only slot: writes exit */
    MEM_PAGE_ABSENT,    /* in no slot: reads and writes exit */
};

/*
 * Maps [gpa, gpa+size) of the guest to host in slot number slot (size 0 deletes the
 * slot), as vm_map_memory does. Returns 0, or -1 with a reason in err.
 */
typedef int (*mem_slots_map_fn)(void *ctx, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
                                bool read_only, char *err, size_t errlen);

struct mem_slot {
    uint32_t id;
    uint64_t gpa, size;
    bool read_only;
};

struct mem_page_trap {
    uint64_t page; /* gpa / MEM_SLOTS_PAGE_SIZE */
    enum mem_page_state state;
};

struct mem_slots {
    uint8_t *host;
    uint64_t size; /* bytes, a multiple of MEM_SLOTS_PAGE_SIZE */
    mem_slots_map_fn map;
    void *map_ctx;
    uint32_t max_slots;
    /*
     * The hypervisor maps read-only slots (KVM_CAP_READONLY_MEM). Without them a page
     * wanted read-only is made absent instead: its reads exit too, and are completed like
     * its writes, so a write trap still works, only slower. mem_slots_init sets it true;
     * mem_slots_init_vm asks the VM.
     */
    bool read_only_ok;
    /* The wanted states: every page not MEM_PAGE_NORMAL, ascending by page. */
    struct mem_page_trap *want;
    size_t nwant, want_cap;
    /* The slots the hypervisor has now, ascending by gpa. */
    struct mem_slot *slots;
    size_t nslots, slots_cap;
    uint64_t map_calls; /* hypervisor calls made so far (for tests and statistics) */
};

/*
 * Maps all of [host, host+size) into the guest at 0 as one read-write slot (number 0).
 * max_slots is how many slots the hypervisor offers. Returns 0, or -1 with a reason in
 * err.
 */
int mem_slots_init(struct mem_slots *ms, uint8_t *host, uint64_t size, mem_slots_map_fn map,
                   void *map_ctx, uint32_t max_slots, char *err, size_t errlen);

/*
 * mem_slots_init on a VM: vm_map_memory, vm_max_memory_slots slots, and read-only slots
 * only where vm_has_read_only_memory says the VM has them.
 */
int mem_slots_init_vm(struct mem_slots *ms, struct vm *vm, uint8_t *host, uint64_t size, char *err,
                      size_t errlen);

/* Frees the layer's tables (the slots stay: they go with the VM). NULL-safe fields. */
void mem_slots_destroy(struct mem_slots *ms);

/*
 * Sets the wanted state of the page holding gpa; takes effect at mem_slots_apply.
 * Returns 0, or -1 when gpa lies outside guest memory or memory is exhausted.
 */
int mem_slots_set(struct mem_slots *ms, uint64_t gpa, enum mem_page_state state);

/* Every page wanted normal again (apply to take effect). */
void mem_slots_reset(struct mem_slots *ms);

/*
 * The wanted state of the page holding gpa (MEM_PAGE_NORMAL outside guest memory), as
 * set: a read-only page stays read-only here even where it is mapped absent.
 */
enum mem_page_state mem_slots_wanted(const struct mem_slots *ms, uint64_t gpa);

/* How many slots the wanted states need. */
size_t mem_slots_needed(const struct mem_slots *ms);

/*
 * Makes the hypervisor's slots match the wanted states, with a call only for each slot
 * that differs: deletions first, then additions, so slots never overlap. Returns 0, or
 * -1 with a reason in err (more slots needed than offered, or the hypervisor refused).
 * A refusal halfway rolls back: the calls that succeeded are undone, so the guest sees
 * the slots it saw before (if the hypervisor refuses the roll-back too, the slots reflect
 * exactly the calls that succeeded, and err says so). A later apply retries.
 */
int mem_slots_apply(struct mem_slots *ms, char *err, size_t errlen);

/*
 * The state the guest sees now (as applied, not as wanted) for the page holding gpa:
 * MEM_PAGE_ABSENT for a page in no slot, including gpa outside guest memory.
 */
enum mem_page_state mem_slots_state(const struct mem_slots *ms, uint64_t gpa);

/* True when gpa is inside guest memory and its page is read-only or absent now. */
bool mem_slots_trapped(const struct mem_slots *ms, uint64_t gpa);

#endif /* UKVM_MEM_SLOTS_H */
