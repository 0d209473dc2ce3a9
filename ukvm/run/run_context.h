/*
 * run_context.h: the types of a run and of its events, shared by the exit dispatcher
 * (run_loop.h) and the parts it calls (user_mode.h), and used by everything above.
 */
#ifndef UKVM_RUN_CONTEXT_H
#define UKVM_RUN_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "exit_trace.h"
#include "ukvm/abi/ukvm/last_exception.h"
#include "ukvm/devices/block_dev.h"
#include "ukvm/devices/net_dev.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vm.h"
#include "ukvm_abi.h"

struct guest_abi;
struct mem_slots;
struct recorder;
struct run_watch_ops;

struct run_context {
    struct vcpu *vcpu;
    const struct guest_mem *mem;
    struct mem_slots *slots; /* how mem is mapped: pages may be trapped (watchpoints) */
    const struct block_devs *blocks;
    struct net_devs *nets; /* may be NULL: no network devices */
    const struct boot_layout *layout;
    const struct elf_image *image; /* the loaded segments (for inspection); may be NULL */
    const char *kernel_path;
    const struct guest_abi *abi; /* the guest's ABI: its hypercalls (ukvm/abi/guest_abi.h) */
    void *abi_state;             /* that ABI's own state, handed to its hypercalls */
    /*
     * A hypercall a stop interrupted (HC_INTERRUPTED) and its exit: dispatched again
     * before the vCPU runs, when the guest resumes.
     */
    bool hc_pending;
    struct vm_exit hc_pending_exit;
    uint64_t hc_pending_progress; /* how far it had got (struct hc_context's progress) */
    int wake_fd;
    bool trace;            /* --trace: print each exit and hypercall to stderr */
    bool core;             /* --core: core file when the guest dies (ukvm/crash/core_capture.h) */
    const char *core_path; /* --core=PATH; NULL: the default name */
    struct exit_trace exits;
    struct last_exception last_exception;
    /*
     * Trapped guest memory (the debug core's watchpoints): asked about every MMIO exit
     * before it is called a crash, and told of the guest memory each hypercall touched.
     * NULL when nothing is watched.
     */
    const struct run_watch_ops *watch_ops;
    void *watch_ctx;
    /*
     * User mode (ukvm/run/user_mode.h): the guest runs at CPL 3. The rest is its
     * debugging state: int3 and #DB go to the debugger (intercept), single-stepping by
     * the trap flag (step), which is set now (armed) for the step from step_rip.
     */
    bool user_mode;
    bool user_intercept, user_step, user_step_armed;
    uint64_t user_step_rip;
    /*
     * A debugger's single step is under way: a hypercall served in kernel mode ends it
     * right after the call's instruction, as in user mode. (On a KVM that emulates guest
     * code, KVM's own step over a port write lands one instruction late.)
     */
    bool stepping;
    /* --record: the run's record (ukvm/replay/recorder.h); NULL when not recording. */
    struct recorder *record;
    uint64_t clock_origin_ns; /* CLOCK_MONOTONIC at the guest's start (UKVM_HC_CLOCK) */
};

/* What the watch layer made of an MMIO exit. */
enum run_mmio_outcome {
    RUN_MMIO_NOT_MINE, /* not a trapped page: a real access outside guest memory */
    RUN_MMIO_DONE,     /* completed as the guest meant it; no watchpoint hit: go on */
    RUN_MMIO_HIT,      /* completed, and it hit a watchpoint: stop once it is done */
};

struct run_watch_ops {
    /*
     * An MMIO exit: completes the access on a trapped page (a write lands in guest
     * memory; a read gets its bytes from there, vcpu_set_mmio_read_data) and says
     * whether it touched a watched range.
     */
    enum run_mmio_outcome (*mmio)(void *ctx, struct vcpu *vcpu, const struct vm_exit *exit);
    /*
     * The monitor itself read or wrote [gpa, gpa+len) of guest memory for a hypercall;
     * true when that touches a watched range (the stop follows the hypercall).
     */
    bool (*monitor_access)(void *ctx, uint64_t gpa, uint64_t len, bool write);
};

enum run_event_kind {
    RUN_EVENT_HALT,           /* solo5_exit: status */
    RUN_EVENT_ABORT,          /* solo5_abort / stack protector: message, frame */
    RUN_EVENT_TRAP,           /* a CPU exception the guest reported: frame */
    RUN_EVENT_CRASH,          /* the hypervisor saw the guest die: headline, explanation */
    RUN_EVENT_INTERNAL_ERROR, /* KVM could not go on: exit.internal (int3 where emulated) */
    RUN_EVENT_DEBUG,          /* single step or breakpoint: exit.debug */
    RUN_EVENT_WATCH,          /* a watchpoint hit (watch_ops), its instruction completed */
    RUN_EVENT_INTERRUPTED,    /* a signal or vcpu_request_exit(); no guest exit */
    RUN_EVENT_FAILED,         /* KVM_RUN itself failed: errno in status */
    RUN_EVENT_HOST_ERROR,     /* a device's host side failed (a tap went away): headline */
    RUN_EVENT_RECORD_MARK,    /* a recorded run reached the hypercall a replay was to stop at */
};

struct run_event {
    enum run_event_kind kind;
    struct vm_exit exit; /* the exit that produced the event */
    bool exit_pending;   /* the exit was port I/O or MMIO: see vcpu_complete_pending_exit */
    int status;          /* HALT: exit status (0-255); FAILED: errno */
    char message[256];   /* ABORT: the guest's message */
    struct ukvm_trap_frame frame; /* TRAP, ABORT */
    bool frame_partial;           /* TRAP: see struct hc_context's; never resume from it */
    uint64_t abort_function;      /* ABORT: the aborting routine's entry, or 0 */
    char headline[320];      /* CRASH, INTERNAL_ERROR: "guest crashed: triple fault"; HOST_ERROR */
    const char *explanation; /* CRASH, INTERNAL_ERROR: what it usually means; may be NULL */
};

#endif /* UKVM_RUN_CONTEXT_H */
