/*
 * stop_events.c: how the debug core turns what the run loop reports (struct run_event)
 * into a debugger's stop: breakpoints whichever way KVM reports them, watchpoints, single
 * steps, stop requests, faults kept for a post-mortem, the guest's end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core_symbols.h"
#include "stop_events.h"
#include "ukvm/abi/core/trap_frame.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/inspect/x86_decode.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/run/stop_signals.h"

/* DR6 (SDM 17.2.3): B0-B3 say which hardware breakpoint hit; BS says single step. */
#define DR6_BREAKPOINT_MASK 0xfULL
#define DR6_BS              (1ULL << 14)
/* BD (a debug-register access with DR7.GD) and BT (a task switch): never ours. */
#define DR6_OTHER_CAUSES (1ULL << 13 | 1ULL << 15)
#define RFLAGS_TF        (1ULL << 8)

#define KVM_INTERNAL_ERROR_EMULATION 1

void debug_stop_set(struct debug_core *core, enum debug_stop_reason reason)
{
    memset(&core->stop, 0, sizeof(core->stop));
    core->stop.reason = reason;
    core->stop.hw_slot = -1;
}

void debug_stop_end_guest(struct debug_core *core, int status, int signo)
{
    debug_stop_set(core, DEBUG_STOP_EXITED);
    core->stop.exit_status = status;
    core->stop.signal = signo;
    core->fatal = false;
}

/* The fault, in one line for the debugger's console. */
static void describe_trap(struct debug_core *core, const struct ukvm_trap_frame *f, char *buf,
                          size_t len)
{
    char where[256] = "", code[160] = "";
    struct symbolizer *sym = debug_core_symbols(core);
    if (sym)
        symbolizer_format(sym, f->rip, where, sizeof(where));
    else
        snprintf(where, sizeof(where), "0x%" PRIx64, f->rip);
    if (x86_exception_has_error_code(f->vector))
        x86_error_code_describe(f->vector, f->error_code, code, sizeof(code));
    int n = snprintf(buf, len, "ukvm: %s (%s) at %s", x86_exception_name(f->vector),
                     x86_exception_mnemonic(f->vector), where);
    if (n >= 0 && (size_t)n < len && code[0])
        n += snprintf(buf + n, len - (size_t)n, ": %s", code);
    if (n >= 0 && (size_t)n < len && f->vector == X86_EXC_DB)
        n += snprintf(buf + n, len - (size_t)n, ": %s", X86_DB_FOREIGN);
    if (n >= 0 && (size_t)n < len && f->vector == X86_EXC_PF)
        snprintf(buf + n, len - (size_t)n, "; address 0x%" PRIx64 "%s", f->cr2,
                 f->cr2 < UKVM_PAGE_SIZE ? " (null pointer)"
                 : (core->run->layout && core->run->layout->stack_guarded &&
                    f->cr2 >= core->run->layout->stack_guard &&
                    f->cr2 < core->run->layout->stack_guard + UKVM_PAGE_SIZE)
                     ? " (stack overflow into the guard page)"
                     : "");
}

/* Puts the vCPU back into the context a trap frame describes (the faulting code). */
static int restore_frame(struct debug_core *core, const struct ukvm_trap_frame *frame)
{
    struct vcpu_regs regs;
    trap_frame_to_regs(frame, &regs);
    return vcpu_set_regs(core->run->vcpu, &regs);
}

/*
 * Shows an abort as a stop inside the aborting routine (solo5_abort, __stack_chk_fail),
 * at its first instruction with the return address on the stack, as a process stopped in
 * abort() looks: the caller is one frame up. The frame records the state as if the call
 * had returned, so that state is rebuilt one step earlier. Without the routine's address,
 * the caller's context itself is shown.
 */
static void restore_abort_context(struct debug_core *core, const struct run_event *ev)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    trap_frame_to_regs(&ev->frame, &regs);
    uint64_t ret = ev->frame.rip;
    if (ev->abort_function && vcpu_get_sregs(core->run->vcpu, &sregs) == 0 &&
        guest_virt_write(core->run->mem, &sregs, regs.rsp - 8, &ret, sizeof(ret)) == 0) {
        regs.rsp -= 8;
        regs.rip = ev->abort_function;
    }
    vcpu_set_regs(core->run->vcpu, &regs);
}

/* A stop after an event that ends the guest unless the debugger intervenes. */
static void fatal_stop(struct debug_core *core, const struct run_event *ev)
{
    core->fatal = true;
    core->fatal_event = *ev;
    run_record_exception(core->run, ev);
    switch (ev->kind) {
    case RUN_EVENT_TRAP:
        debug_stop_set(core, DEBUG_STOP_FAULT);
        core->stop.vector = ev->frame.vector;
        restore_frame(core, &ev->frame);
        describe_trap(core, &ev->frame, core->stop.message, sizeof(core->stop.message));
        break;
    case RUN_EVENT_ABORT:
        debug_stop_set(core, DEBUG_STOP_ABORT);
        restore_abort_context(core, ev);
        snprintf(core->stop.message, sizeof(core->stop.message), "ukvm: guest aborted: %s",
                 ev->message[0] ? ev->message : "(no message)");
        break;
    default:
        debug_stop_set(core, DEBUG_STOP_CRASH);
        snprintf(core->stop.message, sizeof(core->stop.message), "ukvm: %s%s%s", ev->headline,
                 ev->explanation ? ": " : "", ev->explanation ? ev->explanation : "");
        break;
    }
}

/* Reads the byte at rip through the guest's page tables; -1 if unmapped. */
static int byte_at_rip(struct debug_core *core, uint64_t rip)
{
    struct vcpu_sregs sregs;
    uint8_t b;
    if (vcpu_get_sregs(core->run->vcpu, &sregs) < 0 ||
        guest_virt_read(core->run->mem, &sregs, rip, &b, 1) != 1)
        return -1;
    return b;
}

/*
 * An int3 ran at pc: ours is a breakpoint stop with rip at it; the guest's own is a
 * SIGTRAP with rip after it, so that continuing goes on past it.
 */
static void int3_stop(struct debug_core *core, uint64_t pc)
{
    struct vcpu_regs regs;
    if (vcpu_get_regs(core->run->vcpu, &regs) == 0) {
        struct sw_breakpoint *bp = breakpoints_find_sw(&core->bps, pc);
        regs.rip = bp ? pc : pc + 1;
        vcpu_set_regs(core->run->vcpu, &regs);
        debug_stop_set(core, bp ? DEBUG_STOP_SW_BREAK : DEBUG_STOP_GUEST_INT3);
    } else {
        debug_stop_set(core, DEBUG_STOP_SW_BREAK);
    }
}

/*
 * The guest could not go on (a fault, KVM unable to go on): was a watchpoint's trapped
 * page the cause? The guard runs when a watchpoint is inserted; a page the guest turns
 * into page tables or a stack while it runs is still trapped, and the CPU's own accesses
 * there fail (an exception frame that cannot be pushed ends as a double fault, a walk
 * that cannot set an accessed bit as an emulation failure). Each watchpoint on a page the
 * guard refuses now is lifted, and the guest stops with that reason (WATCH_LIFTED),
 * back in the faulting context (frame; NULL: the vCPU is there already), so that
 * continuing retries what failed with the page mapped normally. False when no trapped
 * page is to blame: the event is what it says.
 */
static bool lift_guarded_watch(struct debug_core *core, const struct ukvm_trap_frame *frame)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    if (core->watches.n == 0 || vcpu_get_regs(core->run->vcpu, &regs) < 0 ||
        vcpu_get_sregs(core->run->vcpu, &sregs) < 0)
        return false;
    if (frame)
        trap_frame_to_regs(frame, &regs); /* rsp where the CPU was pushing */
    struct watch_env env = {.regs = &regs, .sregs = &sregs, .layout = core->run->layout};
    char why[320];
    if (watchpoints_lift_guarded(&core->watches, &env, why, sizeof(why)) == 0)
        return false;
    if (frame && vcpu_set_regs(core->run->vcpu, &regs) < 0)
        return false;
    debug_stop_set(core, DEBUG_STOP_WATCH_LIFTED);
    snprintf(core->stop.message, sizeof(core->stop.message),
             "ukvm: %s, since the watchpoint was set: the trap is lifted and continuing "
             "retries (delete the watchpoint)",
             why);
    /* On ukvm's stderr too, as the reasons for refused watchpoints. */
    fprintf(stderr, "%s\n", core->stop.message);
    return true;
}

/* A fault (rip at the instruction that raised it), which running again raises again. */
static bool retryable_vector(uint64_t vector)
{
    return vector != X86_EXC_DB && vector != X86_EXC_BP && vector != 4 /* #OF */ && vector < 32;
}

/* A watchpoint hit the watch layer recorded: the stop, or false when there is none. */
static bool watch_stop(struct debug_core *core)
{
    struct watch_hit hit;
    if (!watchpoints_take_hit(&core->watches, &hit))
        return false;
    debug_stop_set(core, DEBUG_STOP_WATCH);
    core->stop.watch_kind = hit.kind;
    core->stop.watch_addr = hit.addr;
    return true;
}

/* A #DB from debug registers: true (and the stop) when a data watchpoint's slot fired. */
static bool hw_watch_stop(struct debug_core *core, uint64_t dr6)
{
    bool data = false;
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++)
        if ((dr6 & (1ULL << i)) && breakpoints_hw_is_data(&core->bps, i))
            data |= watchpoints_hw_hit(&core->watches, i);
    return data && watch_stop(core);
}

/*
 * A #DB the debugger's controls intercepted but did not cause (no step of ours, no slot
 * of ours): the guest's own int1/icebp, trap flag, or debug-register use. It is the
 * guest's: handed to its IDT, as it would have been without a debugger, so the guest
 * handles it (ukvm's kernel reports it as a fatal trap, which stops here as a fault).
 * A single-step bit with the guest's trap flag clear is a late exit of an earlier step
 * of ours instead, and is dropped.
 */
static enum event_outcome foreign_debug_exception(struct debug_core *core, uint64_t dr6)
{
    struct vcpu_regs regs;
    if (vcpu_get_regs(core->run->vcpu, &regs) < 0)
        return EVENT_FAILED;
    if ((dr6 & DR6_BS) && !(regs.rflags & RFLAGS_TF) && !(dr6 & DR6_OTHER_CAUSES))
        return EVENT_RUN_ON;
    return vcpu_inject_exception(core->run->vcpu, X86_EXC_DB) < 0 ? EVENT_FAILED : EVENT_RUN_ON;
}

enum event_outcome debug_stop_handle_event(struct debug_core *core, const struct run_event *ev,
                                           bool stepping)
{
    if (ev->exit_pending && vcpu_complete_pending_exit(core->run->vcpu) < 0)
        return EVENT_FAILED;
    struct vcpu_regs regs;
    switch (ev->kind) {
    case RUN_EVENT_DEBUG: {
        if (ev->exit.debug.exception == X86_EXC_BP) {
            int3_stop(core, ev->exit.debug.pc);
            return EVENT_STOPPED;
        }
        /* Only the slots armed for this run count: a disabled slot's bit means nothing. */
        uint64_t dr6 = breakpoints_dr6_enabled(ev->exit.debug.dr6,
                                               core->applied_valid ? core->applied.dr7 : 0);
        /* A data watchpoint fired (after the access): the watch, even when stepping. */
        if ((dr6 & DR6_BREAKPOINT_MASK) && hw_watch_stop(core, dr6))
            return EVENT_STOPPED;
        if (!stepping && (dr6 & DR6_BREAKPOINT_MASK)) {
            debug_stop_set(core, DEBUG_STOP_HW_BREAK);
            for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++)
                if (dr6 & (1ULL << i))
                    core->stop.hw_slot = i;
            return EVENT_STOPPED;
        }
        if (stepping) {
            debug_stop_set(core, DEBUG_STOP_STEP);
            return EVENT_STOPPED;
        }
        return foreign_debug_exception(core, dr6);
    }
    case RUN_EVENT_INTERNAL_ERROR:
        /* Where KVM emulates guest code, an int3 ends emulation instead of raising #BP. */
        if (ev->exit.internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
            vcpu_get_regs(core->run->vcpu, &regs) == 0 && byte_at_rip(core, regs.rip) == X86_INT3) {
            int3_stop(core, regs.rip);
            return EVENT_STOPPED;
        }
        if (!lift_guarded_watch(core, NULL))
            fatal_stop(core, ev);
        return EVENT_STOPPED;
    case RUN_EVENT_INTERRUPTED: {
        int signo = stop_signals_received();
        if (signo) {
            fflush(stdout);
            fprintf(stderr, "ukvm: guest ended by %s\n", strsignal(signo));
            debug_stop_end_guest(core, UKVM_EXIT_SIGNAL_BASE + signo, signo);
            return EVENT_STOPPED;
        }
        /*
         * Drain first, then look at the flag: a wake left readable with no request behind
         * it would make every later host-side sleep (an hvt POLL) return at once and be
         * dispatched again, a busy spin; a request that comes after the drain writes the
         * wake descriptor again.
         */
        debug_stop_drain_wake(core);
        if (atomic_exchange(&core->stop_requested, false)) {
            debug_stop_set(core, DEBUG_STOP_INTERRUPT);
            return EVENT_STOPPED;
        }
        return EVENT_RUN_ON;
    }
    case RUN_EVENT_WATCH:
        /* The run loop already finished the instruction: rip is past it on every KVM. */
        if (core->quiet) {
            struct watch_hit ignored;
            watchpoints_take_hit(&core->watches, &ignored);
        } else if (watch_stop(core)) {
            return EVENT_STOPPED;
        }
        if (stepping) {
            debug_stop_set(core, DEBUG_STOP_STEP);
            return EVENT_STOPPED;
        }
        return EVENT_RUN_ON;
    case RUN_EVENT_HALT:
        debug_stop_end_guest(core, ev->status, 0);
        return EVENT_STOPPED;
    case RUN_EVENT_TRAP:
        /*
         * A #BP that reached the guest's own IDT: where KVM's USE_SW_BP intercept does not
         * catch int3 (QEMU's emulated SVM checks only INTn's), ours arrive this way, rip
         * past the int3. Back in the interrupted context, it is the stop hardware KVM's
         * KVM_EXIT_DEBUG gives: a breakpoint at ours, the guest's own int3 elsewhere.
         */
        if (ev->frame.vector == X86_EXC_BP && !ev->frame_partial &&
            restore_frame(core, &ev->frame) == 0) {
            int3_stop(core, ev->frame.rip - 1);
            return EVENT_STOPPED;
        }
        /* Its handler kept only part of the registers: going on would corrupt the rest. */
        if (ev->frame.vector == X86_EXC_BP && breakpoints_find_sw(&core->bps, ev->frame.rip - 1))
            fprintf(stderr, "ukvm: a breakpoint's int3 reached the guest's own #BP handler "
                            "(this KVM does not intercept int3: ukvm --probe), which did not "
                            "save every register, so the guest cannot go on; use hbreak here\n");
        if (!retryable_vector(ev->frame.vector) || !lift_guarded_watch(core, &ev->frame))
            fatal_stop(core, ev);
        return EVENT_STOPPED;
    case RUN_EVENT_ABORT:
    case RUN_EVENT_CRASH:
        fatal_stop(core, ev);
        return EVENT_STOPPED;
    case RUN_EVENT_FAILED:
        return EVENT_FAILED;
    case RUN_EVENT_RECORD_MARK:
        debug_stop_set(core, DEBUG_STOP_RECORD_MARK);
        return EVENT_STOPPED;
    case RUN_EVENT_HOST_ERROR:
        /* Not the guest's fault, and nothing a debugger can repair: the run is over. */
        fprintf(stderr, "ukvm: %s\n", ev->headline);
        debug_stop_end_guest(core, UKVM_EXIT_DEVICE, 0);
        return EVENT_STOPPED;
    }
    return EVENT_FAILED;
}

void debug_stop_drain_wake(struct debug_core *core)
{
    uint64_t count;
    if (core->run->wake_fd >= 0) {
        ssize_t ignored = read(core->run->wake_fd, &count, sizeof(count));
        (void)ignored;
    }
}
