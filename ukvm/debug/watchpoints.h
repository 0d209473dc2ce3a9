/*
 * watchpoints.h: the debugger's data watchpoints (gdb's watch, rwatch, awatch).
 *
 * Two mechanisms, chosen per watchpoint when it is inserted:
 *
 *   debug register  where the run-time probe (dr_probe.h) shows hardware data
 *                   breakpoints fire: write and access watches of 1, 2, 4 or 8 bytes,
 *                   aligned, while one of the four slots is free (shared with hbreak).
 *   page trap       everywhere else: read watches (x86 debug registers have no
 *                   read-only mode), other lengths, beyond four, and on KVMs where data
 *                   breakpoints never fire. A write watch makes its pages read-only; a
 *                   read or access watch makes them absent (mem_slots.h). Any number, of
 *                   any mix, on any pages watch_guard.h allows.
 *
 * A trapped page may hold other data and several watchpoints. Each guest access that
 * exits is completed by the monitor (watchpoints_run_ops.mmio): a write lands in guest
 * memory, a read gets its bytes from there. If the access overlaps a watched range of the
 * right kind, the guest stops right after the instruction, as x86 reports data
 * breakpoints, with the kind and the first watched address the access touched; anything
 * else goes on unnoticed but slower. Hypercalls that read or write guest memory in the
 * monitor (a block read into a watched buffer) are reported the same way, stopped after
 * the hypercall's instruction (watchpoints_run_ops.monitor_access).
 *
 * Watchpoints are on guest-virtual addresses, translated to guest-physical pages through
 * the guest's page tables when inserted (gdb inserts them again at every resume).
 */
#ifndef UKVM_WATCHPOINTS_H
#define UKVM_WATCHPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "breakpoints.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/run/run_loop.h"
#include "ukvm/vm/mem_slots.h"
#include "ukvm/vm/vcpu_state.h"

/* What a watchpoint stops on: a bit for writes, a bit for reads. */
enum watch_kind {
    WATCH_WRITE = 1,  /* gdb's watch (Z2) */
    WATCH_READ = 2,   /* rwatch (Z3) */
    WATCH_ACCESS = 3, /* awatch (Z4): reads and writes */
};

/* The longest range one watchpoint may cover (bytes). */
#define WATCH_MAX_LEN (1ULL << 20)

/* The part of a watchpoint that lies in one guest page. */
struct watch_piece {
    uint64_t va, gpa;
    uint64_t len;
};

struct watchpoint {
    enum watch_kind kind;
    uint64_t va, len;
    unsigned refs; /* inserted this many times (gdb may insert one location twice) */
    int hw_slot;   /* a debug register slot, or -1 for page traps */
    bool lifted;   /* page trap given up (watchpoints_lift_guarded): traps nothing */
    struct watch_piece *pieces;
    size_t npieces;
};

/* A hit: which kind of watchpoint, and the first watched address the access touched. */
struct watch_hit {
    bool valid;
    enum watch_kind kind;
    uint64_t addr; /* guest-virtual */
};

struct watchpoints {
    const struct guest_mem *mem;
    struct mem_slots *slots; /* NULL: page traps unavailable */
    struct breakpoints *bps; /* owner of the debug-register slots */
    /*
     * Page traps only: the guest runs in user mode, where the debug registers would
     * report through the guest's #DB (not armed by KVM's controls at CPL 3 everywhere).
     */
    bool pages_only;
    struct watchpoint *w;
    size_t n, cap;
    struct watch_hit hit;   /* the first hit since the last watchpoints_take_hit */
    uint64_t trapped_exits; /* statistics: accesses completed for trapped pages */
    char error[320];        /* why the last insert or remove failed */
};

/* The stopped vCPU, for translating and checking a new watchpoint. layout may be NULL. */
struct watch_env {
    const struct vcpu_regs *regs;
    const struct vcpu_sregs *sregs;
    const struct boot_layout *layout;
};

/* Starts an empty table. slots may be NULL (then only debug registers can be used). */
void watchpoints_init(struct watchpoints *wp, const struct guest_mem *mem, struct mem_slots *slots,
                      struct breakpoints *bps);

/*
 * Inserts a watchpoint of kind on [va, va+len). Inserting the same one again counts
 * once more. Returns 0, or -1 with the reason in wp->error (length 0 or over
 * WATCH_MAX_LEN, an unmapped page, a page watch_guard.h refuses, too many memory
 * slots). Takes effect for the guest at watchpoints_apply.
 */
int watchpoints_insert(struct watchpoints *wp, const struct watch_env *env, enum watch_kind kind,
                       uint64_t va, uint64_t len);

/* Removes one insertion of that watchpoint. Returns 0, or -1 when there is none. */
int watchpoints_remove(struct watchpoints *wp, enum watch_kind kind, uint64_t va, uint64_t len);

/* Removes every watchpoint (pages back to normal at the next watchpoints_apply). */
void watchpoints_clear(struct watchpoints *wp);

/* Frees the table (after watchpoints_clear and watchpoints_apply). */
void watchpoints_destroy(struct watchpoints *wp);

/*
 * Makes the hypervisor's memory slots match the watchpoints: call before the guest runs.
 * Asks the hypervisor only for what changed. Returns 0, or -1 with a reason in err.
 */
int watchpoints_apply(struct watchpoints *wp, char *err, size_t errlen);

/*
 * The guard (watch_guard.h) runs when a watchpoint is inserted; a page that becomes page
 * tables or a stack later, while the guest runs, is still trapped, and the CPU's own
 * accesses there fail. Checks every page-trapped watchpoint against the guest as it is
 * now (env) and lifts each one with a page the guard refuses now: it stays in the table
 * (so that its removal works) but traps nothing (its pages take effect at the next
 * watchpoints_apply). Returns how many were lifted; why gets the first one's reason, e.g.
 * "watchpoint at 0x1000 (8 bytes): the page 0x1000 is the stack in use ...".
 */
size_t watchpoints_lift_guarded(struct watchpoints *wp, const struct watch_env *env, char *why,
                                size_t whylen);

/* The hit recorded since the last call, if any (and forgets it). */
bool watchpoints_take_hit(struct watchpoints *wp, struct watch_hit *hit);

/* A debug register slot fired: records the hit of the watchpoint in it; false if none. */
bool watchpoints_hw_hit(struct watchpoints *wp, int slot);

/* How many watchpoints are inserted (each counted once). */
size_t watchpoints_count(const struct watchpoints *wp);

/* The run loop's hooks for trapped pages; ctx is the struct watchpoints. */
extern const struct run_watch_ops watchpoints_run_ops;

#endif /* UKVM_WATCHPOINTS_H */
