/*
 * debug_state.h: what the debug core keeps (struct debug_core) and how it says why the
 * guest stopped (struct debug_stop). The operations are debug_core.h's; this header is
 * the types alone, so that the core's parts (stop_events.c, core_symbols.c) can share
 * them without depending on each other.
 */
#ifndef UKVM_DEBUG_STATE_H
#define UKVM_DEBUG_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "breakpoint_patches.h"
#include "breakpoints.h"
#include "ukvm/inspect/symbolize.h"
#include "ukvm/run/run_loop.h"
#include "ukvm/vm/vm.h"
#include "watchpoints.h"

enum debug_stop_reason {
    DEBUG_STOP_ENTRY,      /* before the first guest instruction */
    DEBUG_STOP_STEP,       /* one instruction was executed */
    DEBUG_STOP_SW_BREAK,   /* a software breakpoint of ours; rip at it */
    DEBUG_STOP_HW_BREAK,   /* a hardware breakpoint; hw_slot says which */
    DEBUG_STOP_WATCH,      /* a watchpoint: watch_kind, watch_addr; rip after the access */
    DEBUG_STOP_GUEST_INT3, /* an int3 in the guest's own code; rip after it */
    DEBUG_STOP_INTERRUPT,  /* debug_core_request_stop() */
    DEBUG_STOP_FAULT,      /* a fatal CPU exception (vector); vCPU in the faulting context */
    DEBUG_STOP_ABORT,      /* solo5_abort or the stack protector; vCPU at the caller */
    DEBUG_STOP_CRASH,      /* triple fault, KVM internal error, hlt, bad hypercall, ... */
    DEBUG_STOP_EXITED,     /* the guest is gone: exit_status */
    /*
     * A trapped page turned into one the CPU uses by itself (page tables, exception
     * frames) while the guest ran, and the guest could not go on: the trap was lifted
     * (message says which page and why); continuing retries what failed.
     */
    DEBUG_STOP_WATCH_LIFTED,
    /* A recorded run (--record): gone back as far as its history reaches. */
    DEBUG_STOP_HISTORY_BEGIN,
    /* Internal to reverse execution: a replay reached the hypercall it was to stop after. */
    DEBUG_STOP_RECORD_MARK,
};

struct debug_stop {
    enum debug_stop_reason reason;
    uint64_t vector;   /* FAULT */
    int hw_slot;       /* HW_BREAK */
    int exit_status;   /* EXITED: ukvm's exit status */
    int signal;        /* EXITED by SIGINT/SIGTERM to ukvm: that signal; else 0 */
    char message[512]; /* what happened, in words, for FAULT, ABORT, CRASH; else empty */

    /* WATCH: the kind of watchpoint hit, and the first watched address the access touched. */
    enum watch_kind watch_kind;
    uint64_t watch_addr;
};

struct debug_core {
    struct run_context *run;
    struct breakpoints bps;
    struct watchpoints watches;
    struct debug_stop stop;
    /* A fatal stop keeps the event, so that resuming ends the guest as without a debugger. */
    bool fatal;
    struct run_event fatal_event;
    atomic_bool stop_requested;
    pthread_t vcpu_thread;
    struct vcpu_debug applied; /* the debug controls last given to the vCPU */
    bool applied_valid;
    struct symbolizer *symbols; /* opened on first use */
    bool symbols_tried;
    /*
     * A recorded run (ukvm/replay/recorder.h; NULL: none) and where the guest is in it:
     * steps instructions since its last hypercall, when steps_known.
     */
    struct recorder *record;
    struct breakpoint_patches patches; /* our int3s, which its checkpoints leave out */
    uint64_t steps;
    bool steps_known;
    /* Reverse execution's own runs: no breakpoint or watchpoint of the user's stops them. */
    bool quiet;
};

#endif /* UKVM_DEBUG_STATE_H */
