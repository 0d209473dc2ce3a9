/*
 * debug_core.c: stop/resume and breakpoints for debuggers (see debug_core.h); what each
 * run event means as a stop is stop_events.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug_core.h"
#include "stop_events.h"
#include "ukvm/abi/core/trap_frame.h"
#include "ukvm/crash/run_end.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/inspect/x86_decode.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/replay/recorder.h"
#include "ukvm/run/stop_signals.h"
#include "ukvm/run/step_pushf.h"
#include "ukvm/run/user_mode.h"

/* The signal that kicks the vCPU thread out of KVM_RUN (SIGINT belongs to the terminal). */
#define DEBUG_KICK_SIGNAL SIGUSR2

static void on_kick(int signo)
{
    /* Nothing to do: delivery alone makes KVM_RUN or ppoll return EINTR. */
    (void)signo;
}

int debug_core_init(struct debug_core *core, struct run_context *run)
{
    memset(core, 0, sizeof(*core));
    core->run = run;
    core->vcpu_thread = pthread_self();
    core->stop.reason = DEBUG_STOP_ENTRY;
    atomic_init(&core->stop_requested, false);
    watchpoints_init(&core->watches, run->mem, run->slots, &core->bps);
    core->watches.pages_only = run->user_mode;
    run->watch_ops = &watchpoints_run_ops;
    run->watch_ctx = &core->watches;
    core->record = run->record;
    if (core->record) {
        breakpoint_patches_init(&core->patches, &core->bps, run->mem);
        core->record->patches = &core->patches.ops;
        core->steps_known = true; /* at the first instruction: hypercall 0 + 0 */
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_kick;
    sigemptyset(&sa.sa_mask);
    return sigaction(DEBUG_KICK_SIGNAL, &sa, NULL);
}

void debug_core_apply_watchpoints(struct debug_core *core)
{
    char err[256];
    if (watchpoints_apply(&core->watches, err, sizeof(err)) < 0)
        fprintf(stderr, "ukvm: watchpoints: cannot map guest memory as they need: %s\n", err);
}

void debug_core_destroy(struct debug_core *core)
{
    watchpoints_clear(&core->watches);
    debug_core_apply_watchpoints(core);
    watchpoints_destroy(&core->watches);
    core->run->watch_ops = NULL;
    core->run->watch_ctx = NULL;
    breakpoints_clear(&core->bps, core->run->mem);
    symbolizer_close(core->symbols);
    core->symbols = NULL;
}

bool debug_core_ended(const struct debug_core *core)
{
    return core->stop.reason == DEBUG_STOP_EXITED;
}

void debug_core_request_stop(struct debug_core *core)
{
    atomic_store(&core->stop_requested, true);
    /* Each of the three covers a different moment the vCPU thread may be in. */
    vcpu_request_exit(core->run->vcpu); /* about to enter KVM_RUN */
    if (core->run->wake_fd >= 0) {      /* asleep in solo5_yield's ppoll */
        uint64_t one = 1;
        ssize_t ignored = write(core->run->wake_fd, &one, sizeof(one));
        (void)ignored;
    }
    pthread_kill(core->vcpu_thread, DEBUG_KICK_SIGNAL); /* inside KVM_RUN */
}

long debug_core_read(struct debug_core *core, uint64_t va, void *buf, size_t len)
{
    struct vcpu_sregs sregs;
    if (vcpu_get_sregs(core->run->vcpu, &sregs) < 0)
        return -1;
    long n = guest_virt_read(core->run->mem, &sregs, va, buf, len);
    if (n > 0)
        breakpoints_shadow(&core->bps, va, buf, (size_t)n);
    return n;
}

bool debug_core_in_past(const struct debug_core *core)
{
    return core->record && recorder_in_past(core->record);
}

void debug_core_changed_guest(struct debug_core *core)
{
    if (!core->record || debug_core_ended(core))
        return;
    /* Only after the first change: the record starts again here once, not at every byte. */
    if (core->record->end == core->record->position && core->steps_known && core->steps == 0 &&
        recorder_history_start(core->record) == core->record->position)
        return;
    if (recorder_restart(core->record) < 0) {
        fprintf(stderr, "ukvm: record: cannot start the record again: %s\n", strerror(errno));
        return;
    }
    core->steps = 0;
    core->steps_known = true;
    fprintf(stderr, "ukvm: record: the debugger changed the guest: history before this point is "
                    "dropped, and recording starts again here\n");
}

int debug_core_write(struct debug_core *core, uint64_t va, const void *buf, size_t len)
{
    struct vcpu_sregs sregs;
    if (debug_core_in_past(core)) {
        fprintf(stderr, "ukvm: refused a memory write at 0x%" PRIx64 ": %s\n", va,
                DEBUG_CORE_PAST_ERROR);
        errno = EPERM;
        return -1;
    }
    if (vcpu_get_sregs(core->run->vcpu, &sregs) < 0 ||
        guest_virt_write(core->run->mem, &sregs, va, buf, len) < 0)
        return -1;
    breakpoints_after_write(&core->bps, core->run->mem, va, len);
    debug_core_changed_guest(core);
    return 0;
}

int debug_core_insert_sw(struct debug_core *core, uint64_t va)
{
    struct vcpu_sregs sregs;
    if (vcpu_get_sregs(core->run->vcpu, &sregs) < 0)
        return -1;
    return breakpoints_insert_sw(&core->bps, core->run->mem, &sregs, va);
}

int debug_core_remove_sw(struct debug_core *core, uint64_t va)
{
    return breakpoints_remove_sw(&core->bps, core->run->mem, va);
}

/*
 * In user mode an execution breakpoint in a debug register would have to reach the
 * monitor through the guest's #DB, which KVM's guest-debug controls do not arm at CPL 3
 * everywhere: a hardware breakpoint is an int3 there, which stops the same way.
 */
int debug_core_insert_hw(struct debug_core *core, uint64_t va)
{
    if (core->run->user_mode)
        return debug_core_insert_sw(core, va);
    return breakpoints_insert_hw(&core->bps, va);
}

int debug_core_remove_hw(struct debug_core *core, uint64_t va)
{
    if (core->run->user_mode)
        return debug_core_remove_sw(core, va);
    return breakpoints_remove_hw(&core->bps, va);
}

int debug_core_insert_watch(struct debug_core *core, enum watch_kind kind, uint64_t va,
                            uint64_t len, char *err, size_t errlen)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    if (vcpu_get_regs(core->run->vcpu, &regs) < 0 || vcpu_get_sregs(core->run->vcpu, &sregs) < 0) {
        snprintf(err, errlen, "cannot watch 0x%" PRIx64 ": the vCPU's registers are unavailable",
                 va);
        return -1;
    }
    struct watch_env env = {.regs = &regs, .sregs = &sregs, .layout = core->run->layout};
    if (watchpoints_insert(&core->watches, &env, kind, va, len) < 0) {
        snprintf(err, errlen, "cannot watch 0x%" PRIx64 " (%" PRIu64 " bytes): %s", va, len,
                 core->watches.error);
        return -1;
    }
    return 0;
}

int debug_core_remove_watch(struct debug_core *core, enum watch_kind kind, uint64_t va,
                            uint64_t len)
{
    return watchpoints_remove(&core->watches, kind, va, len);
}

void debug_core_clear_breakpoints(struct debug_core *core)
{
    /* Watchpoints first: they give their debug-register slots back to the table. */
    watchpoints_clear(&core->watches);
    breakpoints_clear(&core->bps, core->run->mem);
    debug_core_apply_watchpoints(core); /* every page mapped normally again, at once */
}

static int apply_debug(struct debug_core *core, bool step, bool use_hw)
{
    struct vcpu_debug dbg;
    memset(&dbg, 0, sizeof(dbg)); /* compared with memcmp: padding must be zero too */
    dbg.enabled = true;
    dbg.single_step = step;
    dbg.intercept_int3 = true;
    /* Stepping off an execution breakpoint (!use_hw) keeps the data watchpoints armed. */
    dbg.dr7 = use_hw ? breakpoints_dr7(&core->bps) : breakpoints_dr7_data(&core->bps);
    if (core->quiet)
        dbg.dr7 = 0; /* reverse execution's own runs: nothing of the user's stops them */
    dbg.hw_breakpoints = dbg.dr7 != 0;
    /*
     * A slot DR7 leaves off gets address 0, not what it last held: a disabled slot whose
     * address matches may still set its bit in DR6 (breakpoints_dr6_enabled).
     */
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++)
        dbg.dr[i] = (dbg.dr7 & (3ULL << (2 * i))) ? core->bps.hw_addr[i] : 0;
    /* Stepping repeats the same controls thousands of times: one ioctl saved per step. */
    if (core->applied_valid && !memcmp(&dbg, &core->applied, sizeof(dbg)))
        return 0;
    if (user_mode_set_debug(core->run, &dbg) < 0) {
        core->applied_valid = false;
        return -1;
    }
    core->applied = dbg;
    core->applied_valid = true;
    return 0;
}

/*
 * After a kernel-mode step: KVM stepped with TF, which a stepped pushf leaves on the
 * guest's stack (step_pushf.h). User mode clears it in its own #DB path. Whatever the
 * stop says (a watchpoint on the stack slot stops as the watch), the instruction ran if
 * rip moved.
 */
static void unpush_kernel_step(struct debug_core *core, uint64_t step_rip)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    if (core->run->user_mode || debug_core_ended(core) || core->fatal ||
        vcpu_get_regs(core->run->vcpu, &regs) < 0 || regs.rip == step_rip ||
        vcpu_get_sregs(core->run->vcpu, &sregs) < 0)
        return;
    step_unpush_trap_flag(core->run->mem, &sregs, step_rip, regs.rsp, false);
}

/* Runs until the next stop with the given debug controls; rip: where the vCPU is now. */
static int run_to_stop(struct debug_core *core, bool step, bool use_hw, uint64_t rip)
{
    if (apply_debug(core, step, use_hw) < 0)
        return -1;
    debug_core_apply_watchpoints(core);
    if (core->record)
        core->record->no_checkpoints = step; /* checkpoints hold a vCPU between instructions */
    core->run->stepping = step;
    /* A hit that a fatal event or a stop signal overtook last time is stale now. */
    struct watch_hit stale;
    watchpoints_take_hit(&core->watches, &stale);
    /*
     * A request that stopped the guest may write the wake descriptor only after the stop
     * was taken (it sets the flag and the vCPU's exit request first): left readable, it
     * would end every later host-side wait at once, and a guest yielding in a loop would
     * spin. A request still pending keeps its flag and exit request, so nothing is lost.
     */
    debug_stop_drain_wake(core);
    /*
     * A stop request may have been consumed by vcpu_complete_pending_exit (which clears
     * immediate_exit) while another stop was being reported: renew it so it is not lost.
     */
    if (atomic_load(&core->stop_requested))
        vcpu_request_exit(core->run->vcpu);
    for (;;) {
        struct run_event ev;
        run_until_event(core->run, &ev);
        switch (debug_stop_handle_event(core, &ev, step)) {
        case EVENT_RUN_ON:
            continue;
        case EVENT_STOPPED:
            core->run->stepping = false;
            /* A step that stopped before its #DB (user mode) must not leave TF behind. */
            if (step) {
                user_mode_disarm_step(core->run);
                unpush_kernel_step(core, rip);
            }
            /* Whoever looks at a capture file while the guest is stopped sees every frame. */
            if (core->run->nets)
                net_devs_flush(core->run->nets);
            return 0;
        case EVENT_FAILED:
            core->run->stepping = false;
            fprintf(stderr, "ukvm: KVM_RUN failed: %s\n", strerror(errno));
            debug_stop_end_guest(core, UKVM_EXIT_KVM, 0);
            return -1;
        }
    }
}

/*
 * Ends a guest stopped at a fatal event as it would have ended without a debugger: the
 * crash report and, with --core, a core file. The debugger's int3s leave guest memory
 * first, so that the core holds the program as written (the guest never runs again).
 */
static int finish_fatal(struct debug_core *core)
{
    debug_core_clear_breakpoints(core);
    return run_event_finish(core->run, &core->fatal_event);
}

/* Lifts every int3 of ours that is in guest memory (a quiet run); returns how many. */
static size_t lift_all(struct debug_core *core, bool *lifted)
{
    size_t n = 0;
    for (size_t i = 0; i < core->bps.nsw; i++) {
        lifted[i] = !core->bps.sw[i].lifted;
        if (lifted[i]) {
            breakpoints_lift(&core->bps.sw[i], core->run->mem);
            n++;
        }
    }
    return n;
}

static int resume_unrecorded(struct debug_core *core, bool step, bool step_off,
                             struct debug_stop *stop);

/*
 * Where a recorded run is after a resume: one instruction further after a step within a
 * hypercall's interval, at its start after a step or replay that completed a call, and
 * unknown after a run (counted again when reverse execution needs it).
 */
int debug_core_resume(struct debug_core *core, bool step, bool step_off, struct debug_stop *stop)
{
    if (!core->record)
        return resume_unrecorded(core, step, step_off, stop);
    uint64_t before = core->record->position;
    bool *lifted = NULL;
    if (core->quiet && core->bps.nsw) {
        lifted = calloc(core->bps.nsw, sizeof(*lifted));
        if (lifted)
            lift_all(core, lifted);
    }
    int rc = resume_unrecorded(core, step, step_off && !core->quiet, stop);
    if (lifted) {
        for (size_t i = 0; i < core->bps.nsw; i++)
            if (lifted[i])
                breakpoints_restore(&core->bps.sw[i], core->run->mem);
        free(lifted);
    }
    if (core->record->position != before && stop->reason != DEBUG_STOP_RECORD_MARK &&
        !(step && stop->reason == DEBUG_STOP_STEP)) {
        core->steps_known = false;
    } else if (core->record->position != before) {
        core->steps = 0;
        core->steps_known = true;
    } else if (step && stop->reason == DEBUG_STOP_STEP) {
        core->steps++;
    } else {
        core->steps_known = false;
    }
    return rc;
}

static int resume_unrecorded(struct debug_core *core, bool step, bool step_off,
                             struct debug_stop *stop)
{
    int rc = 0;
    if (core->fatal) {
        debug_stop_end_guest(core, finish_fatal(core), 0);
    } else if (!debug_core_ended(core)) {
        struct vcpu_regs regs;
        if (vcpu_get_regs(core->run->vcpu, &regs) < 0) {
            debug_stop_end_guest(core, UKVM_EXIT_KVM, 0);
            rc = -1;
            goto out;
        }
        /*
         * With step_off, step off a breakpoint at rip first, out of the way: the int3 put back
         * (or the debug registers re-armed) only once the instruction has run.
         */
        struct sw_breakpoint *bp = step_off ? breakpoints_find_sw(&core->bps, regs.rip) : NULL;
        bool on_hw = step_off && breakpoints_find_hw(&core->bps, regs.rip) >= 0;
        if (bp || on_hw) {
            uint64_t va = regs.rip;
            if (bp)
                breakpoints_lift(bp, core->run->mem);
            rc = run_to_stop(core, true, false, va);
            /* The table may have moved (no), but look the breakpoint up again to be safe. */
            bp = breakpoints_find_sw(&core->bps, va);
            if (bp && bp->lifted)
                breakpoints_restore(bp, core->run->mem);
            if (rc < 0 || step || core->stop.reason != DEBUG_STOP_STEP)
                goto out;
        }
        /* A step starts at regs.rip: after a step off, only a continue gets here. */
        rc = run_to_stop(core, step, true, regs.rip);
    }
out:
    *stop = core->stop;
    return rc;
}

int debug_core_kill(struct debug_core *core)
{
    if (core->fatal)
        debug_stop_end_guest(core, finish_fatal(core), 0);
    else if (!debug_core_ended(core))
        debug_stop_end_guest(core, UKVM_EXIT_SIGNAL_BASE + SIGKILL, SIGKILL);
    return core->stop.exit_status;
}

void debug_core_clear_stop_request(struct debug_core *core)
{
    atomic_store(&core->stop_requested, false);
    debug_stop_drain_wake(core);
}

int debug_core_detach(struct debug_core *core)
{
    debug_core_clear_breakpoints(core);
    /* Nobody is left to take a stop: a pending request (and its wake) is spent. */
    debug_core_clear_stop_request(core);
    if (core->fatal || debug_core_ended(core))
        return debug_core_kill(core);
    struct vcpu_debug off = {.enabled = false};
    user_mode_set_debug(core->run, &off);
    core->applied_valid = false;
    debug_stop_end_guest(core, run_loop(core->run), 0);
    return core->stop.exit_status;
}
