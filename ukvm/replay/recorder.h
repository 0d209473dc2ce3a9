/*
 * recorder.h: a recorded run (ukvm --record): every hypercall's results, checkpoints of
 * the whole guest, and the replay of both, so that a debugger can go back in time.
 *
 * A ukvm guest has one vCPU and no interrupts, and everything from outside reaches it
 * through a hypercall; its kernel takes time from a hypercall too in a recorded run
 * (include/ukvm_abi.h's clock_mode) and CPUID hides RDRAND and RDSEED. So the run is a
 * function of its hypercalls' results, and a position in it is
 *
 *   (hypercalls completed, instructions since the last of them)
 *
 * The recorder logs each completed call: what it wrote into guest memory, the ranges it
 * read, the registers at its exit (and, with verification, a hash of guest memory).
 * Once the guest has gone back (to a checkpoint), the calls it makes again up to the end
 * of the log are replayed from it: the logged bytes are written back, nothing reaches a
 * device (console output is not printed twice, disk writes are not redone), and the
 * registers are compared with the record, so a replay that diverges says so. Past the
 * end of the log the guest is live again and the log grows.
 *
 * Checkpoints (checkpoint.h) are taken as calls complete, spaced in time so that they
 * cost a small share of the run. The record keeps within its memory limit by dropping
 * its oldest checkpoints and the log before them, and says so on stderr.
 */
#ifndef UKVM_RECORDER_H
#define UKVM_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checkpoint.h"
#include "ukvm/abi/core/hc_core.h"

#define RECORD_DEFAULT_MIB 1024 /* --record without =MiB */

/* A record_call's nr for what is not a hypercall: a read of the time-stamp counter. */
#define RECORD_NR_TSC 0xffffffffu

/*
 * One completed hypercall, as recorded; or, for a Solo5 hvt guest in user mode, one read
 * of the time-stamp counter (nr RECORD_NR_TSC), the other input from outside it has.
 */
struct record_call {
    uint32_t nr;
    uint32_t naccess;
    struct hc_access access[HC_ACCESS_MAX]; /* what it read and wrote */
    uint8_t *written;      /* the bytes of the written ranges, in order; NULL if none */
    struct vcpu_regs regs; /* at its exit */
    uint64_t mem_hash;     /* with verification: guest memory at its exit; else 0 */
    bool fs_gs_set;        /* it set the FS or GS base (fs_base, gs_base after it) */
    uint64_t fs_base, gs_base;
    uint64_t tsc; /* RECORD_NR_TSC: the value read */
};

struct recorder {
    uint64_t limit; /* bytes the record may use */
    bool verify;    /* hash guest memory at every call and compare it in replays */
    const struct guest_mem *mem;
    struct vcpu *vcpu;
    const struct memory_patches *patches; /* a debugger's int3s, not the guest's memory */
    struct host_backing backing;          /* pages never backed: checkpoints skip them */

    /* calls[i - first] for first <= i < end */
    struct record_call *calls;
    size_t calls_cap;
    uint64_t first, end;

    uint64_t position; /* calls the guest has completed */
    /*
     * The guest went back (a restore) and has made no live call since: even at the log's
     * end it may be behind where it was, in time the record has seen.
     */
    bool went_back;
    struct checkpoint *cks; /* oldest first; cks[0] is the start of history */
    size_t ncks, cks_cap;
    uint64_t bytes;       /* what the log and the checkpoints hold */
    uint64_t interval_ns; /* least time between two checkpoints */
    uint64_t last_ck_ns;  /* host time of the last checkpoint */
    uint64_t ck_cost_ns;  /* how long the last one took */
    uint64_t live_ns;     /* host time the guest has run live since the start */
    uint64_t ck_total_ns; /* time spent taking checkpoints */
    bool no_checkpoints;  /* the debugger is single-stepping: not now */

    bool has_target; /* a replay that ends when position reaches target */
    uint64_t target;
    bool replay_only; /* reverse execution's runs: a call past the log's end is not served */

    uint64_t replayed; /* calls replayed from the log */
    uint64_t checked;  /* of those, checked against the record */
    bool diverged;
    char divergence[320];
    uint64_t dropped_to; /* history before this call was dropped (0: none) */
    bool broken;         /* out of memory: the record stopped growing (reverse is refused) */
    /* The guest sees the host's CPUID (RDRAND, RDSEED): this KVM ignores the VM's own. */
    bool cpuid_visible;
    unsigned perturb; /* TEST-ONLY: UKVM_TEST_RECORD_PERTURB: replay call N's bytes altered */
};

/*
 * Prepares a record of at most limit_mib MiB (0: RECORD_DEFAULT_MIB) of the guest in mem
 * driven by vcpu. Verification (memory hashes) is on when verify is true.
 * UKVM_RECORD_CHECKPOINT_MS in the environment sets the least time between two
 * checkpoints (default 20 ms; 0: one at every hypercall, for tests). Returns 0, or -1
 * with errno.
 */
int recorder_init(struct recorder *r, uint64_t limit_mib, bool verify, const struct guest_mem *mem,
                  struct vcpu *vcpu);

/* Takes the first checkpoint, at position 0: call it before the first instruction runs. */
int recorder_start(struct recorder *r);

/* Frees the log and the checkpoints. */
void recorder_destroy(struct recorder *r);

enum record_serve {
    RECORD_LIVE,     /* serve the call as usual (recorder_log it once it completes) */
    RECORD_REPLAYED, /* the call was replayed: its outcome is HC_CONTINUE */
    RECORD_END,      /* replay_only and past the log: stop the guest at the call, unserved */
};

/*
 * A hypercall nr exited and is about to be served: when the log holds it (the guest is
 * in the recorded past), replays it into guest memory and the vCPU and fills hc->access
 * as the call did. A replay that diverges from the record is noted (diverged,
 * divergence, and a line on stderr) and replayed nonetheless.
 */
enum record_serve recorder_replay(struct recorder *r, unsigned nr, struct hc_context *hc);

/*
 * A live hypercall nr completed with HC_CONTINUE (hc->vcpu_changed says it set vCPU
 * state): logs it. Out of memory is said on stderr once, and the record stops there.
 */
void recorder_log(struct recorder *r, unsigned nr, const struct hc_context *hc);

/*
 * A hypercall completed (replayed or logged): counts it, and takes a checkpoint when one
 * is due, after completing the exit. Returns true when a replay target was reached
 * (recorder_set_target): the guest must stop here.
 */
bool recorder_completed(struct recorder *r);

/*
 * Drops all history: the guest as it is now becomes the record's start (a debugger
 * changed it). The vCPU must be between instructions. Returns 0, or -1 with errno.
 */
int recorder_restart(struct recorder *r);

/*
 * A read of the time-stamp counter by the guest's instruction whose registers are at
 * (before it runs), which the monitor serves: recorder_replay_tsc gives the recorded value
 * in the past (checking the registers as for a hypercall; RECORD_END as there), and
 * recorder_log_tsc logs a live one. Either counts as a call: recorder_completed follows.
 */
enum record_serve recorder_replay_tsc(struct recorder *r, const struct vcpu_regs *at,
                                      uint64_t *tsc);
void recorder_log_tsc(struct recorder *r, const struct vcpu_regs *at, uint64_t tsc);

/* Makes the guest stop once position reaches target (after that call); clear: none. */
void recorder_set_target(struct recorder *r, uint64_t target);
void recorder_clear_target(struct recorder *r);

/*
 * True when two register sets are the same point of a deterministic run: every general
 * register, rip and rflags but for RF and TF, which belong to a debugger's stepping.
 */
bool recorder_same_point(const struct vcpu_regs *a, const struct vcpu_regs *b);

/* True when the guest is at a point of the run the record has been past already. */
bool recorder_in_past(const struct recorder *r);

/*
 * The position of the latest checkpoint before position (at or after the start of
 * history; the start itself when there is none before).
 */
uint64_t recorder_checkpoint_before(const struct recorder *r, uint64_t position);

/* The first position history still holds (its oldest checkpoint's). */
uint64_t recorder_history_start(const struct recorder *r);

/*
 * Puts the guest back at the latest checkpoint at or before position; returns that
 * checkpoint's position, or -1 with errno when the vCPU refused its state.
 */
int64_t recorder_restore(struct recorder *r, uint64_t position);

/* Prints the record's state in a few lines (the shell's `record`). */
void recorder_describe(const struct recorder *r, uint64_t steps, bool steps_known, FILE *out);

#endif /* UKVM_RECORDER_H */
