/*
 * run_loop.c: the exit dispatcher (see run_loop.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fault_site.h"
#include "run_loop.h"
#include "ukvm/abi/core/trap_frame.h"
#include "stop_signals.h"
#include "ukvm/abi/guest_abi.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/inspect/x86_decode.h"
#include "ukvm/process/sandbox.h"
#include "ukvm/replay/recorder.h"
#include "user_mode.h"

static const char *internal_error_explanation(uint32_t suberror)
{
    switch (suberror) {
    case 1: /* KVM_INTERNAL_ERROR_EMULATION */
        return "KVM could not emulate the instruction at rip. Where KVM emulates guest code "
               "in software (no VMX/SVM), int3 and SSE arithmetic end this way; build guest "
               "code with -mgeneral-regs-only and use ukvm --gdb for breakpoints";
    case 2: /* KVM_INTERNAL_ERROR_SIMUL_EX */
        return "an exception occurred while KVM was delivering another one";
    case 3: /* KVM_INTERNAL_ERROR_DELIVERY_EV */
        return "KVM could not deliver an event (exception or interrupt) to the guest";
    default:
        return "KVM stopped the vCPU with an internal error";
    }
}

static void crash_event(struct run_event *ev, const char *explanation, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void crash_event(struct run_event *ev, const char *explanation, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->headline, sizeof(ev->headline), fmt, ap);
    va_end(ap);
    ev->kind = RUN_EVENT_CRASH;
    ev->explanation = explanation;
}

/* True if port is one of the guest ABI's hypercall ports. */
static bool is_hypercall_port(const struct run_context *ctx, uint16_t port)
{
    return port >= ctx->abi->hc_port_base &&
           port - ctx->abi->hc_port_base < ctx->abi->hc_port_count;
}

/* Did the memory the last hypercall read or wrote touch a watched range? */
static bool hypercall_hit_watch(struct run_context *ctx, const struct hc_context *hc)
{
    bool hit = false;
    if (ctx->watch_ops && ctx->watch_ops->monitor_access)
        for (unsigned i = 0; i < hc->naccess; i++)
            hit |= ctx->watch_ops->monitor_access(ctx->watch_ctx, hc->access[i].gpa,
                                                  hc->access[i].len, hc->access[i].write);
    return hit;
}

/*
 * Serves one hypercall exit; returns true when the guest simply goes on (*watch_hit set
 * when the call touched a watched range).
 */
static bool serve_hypercall(struct run_context *ctx, struct hc_context *hc, struct run_event *ev,
                            bool *watch_hit)
{
    hc->naccess = 0;
    uint16_t port = ev->exit.io.port;
    uint32_t value = ev->exit.io.value;
    if (ev->exit.reason == VM_EXIT_MMIO) {
        /* User mode's store: the same call as the port write (user_mode.h). */
        unsigned nr = 0;
        uint64_t arg = 0;
        user_mode_classify(ctx, &ev->exit, &nr, &arg);
        if (arg > UINT32_MAX) {
            crash_event(ev, "ukvm ABI hypercall arguments lie in guest memory, below 4 GiB",
                        "guest error: hypercall %s: argument address 0x%" PRIx64 " is above 4 GiB",
                        ctx->abi->hypercall_name(nr), arg);
            return false;
        }
        port = (uint16_t)(ctx->abi->hc_port_base + nr);
        value = (uint32_t)arg;
    }
    /* In a recorded run's past, the call's results come from the record (recorder.h). */
    unsigned nr = (unsigned)(port - ctx->abi->hc_port_base);
    bool final = nr < 64 && (ctx->abi->final_calls & (1ULL << nr));
    enum record_serve served =
        ctx->record && !final ? recorder_replay(ctx->record, nr, hc) : RECORD_LIVE;
    if (served == RECORD_END) {
        ev->kind = RUN_EVENT_RECORD_MARK; /* reverse execution reached the record's end */
        return false;
    }
    bool replayed = served == RECORD_REPLAYED;
    enum hc_outcome outcome = replayed ? HC_CONTINUE : ctx->abi->dispatch(hc, port, value);
    uint64_t progress = hc->progress;
    hc->progress = 0; /* the next call starts afresh */
    if ((outcome == HC_TRAP || outcome == HC_ABORT) && ctx->abi->fatal_context)
        ctx->abi->fatal_context(hc, &outcome, ctx->vcpu);
    switch (outcome) {
    case HC_CONTINUE:
        if (ctx->record) {
            if (!replayed)
                recorder_log(ctx->record, nr, hc);
            if (recorder_completed(ctx->record)) {
                /* A replay's destination: the call is done, the guest stops after it. */
                ev->kind = RUN_EVENT_RECORD_MARK;
                return false;
            }
        }
        if (hypercall_hit_watch(ctx, hc))
            *watch_hit = true;
        return true;
    case HC_HALT:
        ev->kind = RUN_EVENT_HALT;
        ev->status = (int)(hc->exit_status & 0xff);
        return false;
    case HC_ABORT:
        ev->kind = RUN_EVENT_ABORT;
        ev->frame = hc->frame;
        ev->abort_function = hc->abort_function;
        memcpy(ev->message, hc->message, sizeof(ev->message));
        return false;
    case HC_TRAP:
        ev->kind = RUN_EVENT_TRAP;
        ev->frame = hc->frame;
        ev->frame_partial = hc->frame_partial;
        return false;
    case HC_INTERRUPTED:
        ctx->hc_pending = true;
        ctx->hc_pending_exit = ev->exit;
        ctx->hc_pending_progress = progress;
        ev->kind = RUN_EVENT_INTERRUPTED;
        return false;
    case HC_HOST_ERROR:
        ev->kind = RUN_EVENT_HOST_ERROR;
        snprintf(ev->headline, sizeof(ev->headline), "%s", hc->error);
        return false;
    case HC_GUEST_ERROR:
        crash_event(ev,
                    "the guest made a malformed hypercall; it was refused and the guest "
                    "stopped",
                    "guest error: %s", hc->error);
        return false;
    }
    return false;
}

static void hlt_event(struct run_event *ev)
{
    crash_event(ev, "the guest halted without calling solo5_exit(); nothing can wake it",
                "guest crashed: hlt with interrupts off");
}

static void record_exit(struct run_context *ctx, const struct vm_exit *exit);

/*
 * A port access: a hypercall when it is a 4-byte write to one of the ABI's ports, else a
 * guest error. Both a port I/O exit (kernel mode) and an emulated out (user mode, the
 * ABI's user_fault) come here, so that they are the same call.
 */
static bool serve_port_access(struct run_context *ctx, struct hc_context *hc, struct run_event *ev,
                              bool *watch_hit)
{
    const struct vm_exit *exit = &ev->exit;
    if (!is_hypercall_port(ctx, exit->io.port) || !exit->io.is_write || exit->io.size != 4) {
        crash_event(ev,
                    "ukvm emulates no devices: hypercalls are 4-byte writes to the guest "
                    "ABI's ports",
                    "guest error: unexpected %u-byte port %s on port 0x%x (%s ABI "
                    "hypercalls: ports 0x%x-0x%x)",
                    exit->io.size, exit->io.is_write ? "write" : "read", exit->io.port,
                    ctx->abi->name, ctx->abi->hc_port_base,
                    ctx->abi->hc_port_base + ctx->abi->hc_port_count - 1);
        return false;
    }
    if (exit->io.count != 1) {
        /*
         * A string instruction (rep outsl) hands KVM several values at once; a hypercall
         * takes one, and serving only the first would drop the rest without a word.
         */
        crash_event(ev,
                    "a hypercall is one 4-byte out instruction; string port output (rep "
                    "outs) to the hypercall ports is refused",
                    "guest error: rep outs to hypercall port 0x%x (%s ABI: a hypercall is a "
                    "single 4-byte write)",
                    exit->io.port, ctx->abi->name);
        return false;
    }
    return serve_hypercall(ctx, hc, ev, watch_hit);
}

/*
 * True when the port exit came from a `rep outs` at rip with elements still to come. KVM's
 * instruction emulator hands a rep outs to user space one element per exit (count 1),
 * rip held at the instruction until rcx runs out, so the count alone does not show it;
 * rcx at the exit counts the elements after this one here, or this one too on a KVM that
 * decrements it later: either way it is not 0 at the first of two or more. Prefixes:
 * operand and address size, segment overrides, rep, REX.
 */
static bool rep_outs_at_rip(struct run_context *ctx)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    uint8_t code[15];
    if (vcpu_get_regs(ctx->vcpu, &regs) < 0 || vcpu_get_sregs(ctx->vcpu, &sregs) < 0)
        return false;
    long n = guest_virt_read(ctx->mem, &sregs, regs.rip, code, sizeof(code));
    bool rep = false, addr32 = !sregs.cs.l; /* the count is ecx with 32-bit addressing */
    for (long i = 0; i < n; i++) {
        uint8_t b = code[i];
        if (b == 0xf2 || b == 0xf3)
            rep = true;
        else if (b == 0x67)
            addr32 = !addr32;
        else if (b == 0x6e || b == 0x6f)
            return rep && (addr32 ? (uint32_t)regs.rcx : regs.rcx) != 0;
        else if (!(b == 0x66 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
                   b == 0x65 || (b >= 0x40 && b <= 0x4f)))
            return false;
    }
    return false;
}

/*
 * After a triple fault, some KVMs leave the vCPU in its reset state (protected mode off,
 * rip 0xfff0) rather than at the fault: a guest ukvm runs is always in long mode, so a
 * vCPU with CR0.PE clear was reset.
 */
static bool vcpu_was_reset(struct run_context *ctx)
{
    struct vcpu_sregs sregs;
    return vcpu_get_sregs(ctx->vcpu, &sregs) == 0 && !(sregs.cr0 & X86_CR0_PE);
}

/*
 * A kernel-mode step over a hypercall: stops right after the port write, as the step's
 * own #DB reports it (the exit stays pending: the debug core completes it). True when it
 * did.
 */
static bool finish_kernel_step(struct run_context *ctx, struct run_event *ev)
{
    if (!ctx->stepping || ctx->user_mode)
        return false;
    struct vcpu_regs regs;
    uint64_t pc = vcpu_get_regs(ctx->vcpu, &regs) == 0 ? regs.rip : 0;
    memset(&ev->exit.debug, 0, sizeof(ev->exit.debug));
    ev->kind = RUN_EVENT_DEBUG;
    ev->exit.reason = VM_EXIT_DEBUG;
    ev->exit.debug.exception = X86_EXC_DB;
    ev->exit.debug.pc = pc;
    ev->exit.debug.dr6 = 1ULL << 14; /* BS: a single step */
    return true;
}

/*
 * Classifies an exit; returns true when it was served and the guest goes on (a hypercall,
 * or an access to a trapped page). *watch_hit is set when that touched a watchpoint.
 */
static bool classify_exit(struct run_context *ctx, struct hc_context *hc, struct run_event *ev,
                          bool *watch_hit)
{
    const struct vm_exit *exit = &ev->exit;
    switch (exit->reason) {
    case VM_EXIT_IO:
        ev->exit_pending = true;
        /* Marked as the string instruction it is: serve_port_access refuses it. */
        if (exit->io.is_write && exit->io.count == 1 && is_hypercall_port(ctx, exit->io.port) &&
            rep_outs_at_rip(ctx))
            ev->exit.io.count = 2;
        if (!serve_port_access(ctx, hc, ev, watch_hit))
            return false;
        return *watch_hit || !finish_kernel_step(ctx, ev);
    case VM_EXIT_HLT:
        hlt_event(ev);
        return false;
    case VM_EXIT_SHUTDOWN:
        crash_event(ev,
                    vcpu_was_reset(ctx)
                        ? "an exception could not be delivered (no IDT yet, or the handler "
                          "itself faulted), so the CPU shut down; this KVM then reset the vCPU "
                          "(kvm_amd re-initialises it after a shutdown), so the registers are "
                          "the reset state, not the fault's (ukvm --probe says which KVMs do)"
                        : "an exception could not be delivered (no IDT yet, or the handler "
                          "itself faulted), so the CPU shut down",
                    "guest crashed: triple fault");
        return false;
    case VM_EXIT_INTERNAL_ERROR:
        ev->kind = RUN_EVENT_INTERNAL_ERROR;
        snprintf(ev->headline, sizeof(ev->headline), "guest crashed: KVM internal error %u",
                 exit->internal.suberror);
        ev->explanation = internal_error_explanation(exit->internal.suberror);
        return false;
    case VM_EXIT_MMIO: {
        ev->exit_pending = true;
        unsigned index;
        uint64_t value;
        switch (user_mode_classify(ctx, exit, &index, &value)) {
        case USER_PAGE_HYPERCALL:
            /*
             * A store that exits raises no #DB for a pending single step (KVM finished the
             * write in its emulator): a step over the hypercall stops right after it.
             */
            if (!serve_hypercall(ctx, hc, ev, watch_hit))
                return false;
            /* A watchpoint the call touched stops the guest as the watch (below) instead. */
            return *watch_hit || !user_mode_finish_step(ctx, ev);
        case USER_PAGE_TRAP:
            switch (user_mode_trap(ctx, index, ev)) {
            case USER_TRAP_EVENT:
                return false;
            case USER_TRAP_CONTINUE:
                return !user_mode_finish_step(ctx, ev);
            case USER_TRAP_EXIT:
                /* An emulated out or hlt: traced and served as the exit it stands for. */
                record_exit(ctx, &ev->exit);
                if (ev->exit.reason == VM_EXIT_IO) {
                    if (serve_port_access(ctx, hc, ev, watch_hit))
                        return *watch_hit || !user_mode_finish_step(ctx, ev);
                    /* Fatal: back at the `out`, which the emulation had stepped past. */
                    if (ev->kind == RUN_EVENT_CRASH)
                        user_mode_back_to_fault(ctx, ev);
                    return false;
                }
                hlt_event(ev);
                return false;
            }
            return false;
        case USER_PAGE_BAD:
            crash_event(ev,
                        "in user mode, hypercalls are 8-byte stores to UKVM_HC_MMIO_GPA + 8 * "
                        "number; the page's upper half is the monitor's",
                        "guest error: %u-byte %s of the hypercall page at offset 0x%" PRIx64,
                        exit->mmio.len, exit->mmio.is_write ? "store" : "read",
                        (uint64_t)(exit->mmio.gpa - UKVM_HC_MMIO_GPA));
            return false;
        case USER_PAGE_NOT_IT:
            break;
        }
        if (ctx->watch_ops) {
            switch (ctx->watch_ops->mmio(ctx->watch_ctx, ctx->vcpu, exit)) {
            case RUN_MMIO_HIT:
                *watch_hit = true;
                return true;
            case RUN_MMIO_DONE:
                /*
                 * A step's #DB can be lost after an access KVM completed for us (as after
                 * a port write): the step ends once this instruction is done, as a watch
                 * stop without a hit (the debug core reports it as the step).
                 */
                if (ctx->stepping)
                    *watch_hit = true;
                return true;
            case RUN_MMIO_NOT_MINE:
                break;
            }
        }
        crash_event(ev, NULL,
                    "guest crashed: %s of guest-physical 0x%" PRIx64 ", outside guest memory",
                    exit->mmio.is_write ? "write" : "read", exit->mmio.gpa);
        return false;
    }
    case VM_EXIT_FAIL_ENTRY:
        crash_event(ev, NULL,
                    "guest crashed: the CPU refused to enter the guest (reason 0x%" PRIx64 ")",
                    exit->fail_entry.hardware_reason);
        return false;
    case VM_EXIT_DEBUG:
        ev->kind = RUN_EVENT_DEBUG;
        return false;
    case VM_EXIT_OTHER:
        crash_event(ev, NULL, "guest crashed: unexpected KVM exit %u", exit->other.raw);
        return false;
    case VM_EXIT_INTERRUPTED:
        ev->kind = RUN_EVENT_INTERRUPTED;
        return false;
    }
    return false;
}

static void record_exit(struct run_context *ctx, const struct vm_exit *exit)
{
    struct vcpu_regs regs;
    uint64_t rip = vcpu_get_regs(ctx->vcpu, &regs) == 0 ? regs.rip : 0;
    int hc_nr = -1;
    uint64_t detail = 0;
    if (exit->reason == VM_EXIT_IO) {
        detail = exit->io.port;
        if (is_hypercall_port(ctx, exit->io.port))
            hc_nr = exit->io.port - ctx->abi->hc_port_base;
    } else if (exit->reason == VM_EXIT_MMIO) {
        detail = exit->mmio.gpa;
        unsigned nr;
        uint64_t value;
        if (user_mode_classify(ctx, exit, &nr, &value) == USER_PAGE_HYPERCALL)
            hc_nr = (int)nr;
    } else if (exit->reason == VM_EXIT_DEBUG) {
        detail = exit->debug.exception;
    } else if (exit->reason == VM_EXIT_INTERNAL_ERROR) {
        detail = exit->internal.suberror;
    }
    exit_trace_record(&ctx->exits, exit->reason, rip, hc_nr, detail);
    if (ctx->trace) {
        fprintf(stderr, "ukvm: trace: ");
        exit_trace_print_record(stderr, &ctx->exits.ring[(ctx->exits.count - 1) % EXIT_TRACE_SIZE],
                                0);
    }
}

void run_record_exception(struct run_context *ctx, const struct run_event *ev)
{
    struct last_exception *le = &ctx->last_exception;
    memset(le, 0, sizeof(*le));
    le->exit_seq = ctx->exits.count;
    switch (ev->kind) {
    case RUN_EVENT_TRAP:
        le->source = LAST_EXCEPTION_TRAP;
        le->frame = ev->frame;
        break;
    case RUN_EVENT_ABORT:
        le->source = LAST_EXCEPTION_ABORT;
        le->frame = ev->frame;
        memcpy(le->message, ev->message, sizeof(le->message));
        break;
    case RUN_EVENT_CRASH:
    case RUN_EVENT_INTERNAL_ERROR: {
        le->source = LAST_EXCEPTION_VCPU;
        le->frame.vector = UKVM_ABORT_VECTOR;
        struct vcpu_regs r;
        if (vcpu_get_regs(ctx->vcpu, &r) == 0)
            trap_frame_from_regs(&r, &le->frame);
        snprintf(le->message, sizeof(le->message), "%.255s", ev->headline);
        break;
    }
    default:
        le->source = LAST_EXCEPTION_NONE;
        break;
    }
}

void run_until_event(struct run_context *ctx, struct run_event *ev)
{
    /* Whichever front end runs the guest, no guest instruction runs before the filter. */
    sandbox_enter();
    struct hc_context hc = {
        .mem = ctx->mem,
        .blocks = ctx->blocks,
        .nets = ctx->nets,
        .console_fd = STDOUT_FILENO,
        .wake_fd = ctx->wake_fd,
        .abi_state = ctx->abi_state,
        .vcpu = ctx->vcpu,
        .user_mode = ctx->user_mode,
        .clock_origin_ns = ctx->clock_origin_ns,
    };
    /*
     * A watchpoint hit stops the guest after the access, as x86 reports data breakpoints:
     * the exit that hit is served, then the vCPU runs once more with an exit request, so
     * that it finishes the instruction (further accesses of the same instruction come as
     * more exits, served here too) and comes back without running the next one.
     */
    bool watch_hit = false;
    if (user_mode_arm_step(ctx) < 0) {
        memset(ev, 0, sizeof(*ev));
        ev->kind = RUN_EVENT_FAILED;
        ev->status = errno;
        return;
    }
    if (ctx->hc_pending) {
        /* The guest is still inside a call a stop interrupted: go on with it first. */
        memset(ev, 0, sizeof(*ev));
        ev->exit = ctx->hc_pending_exit;
        ev->exit_pending = true;
        ctx->hc_pending = false;
        hc.progress = ctx->hc_pending_progress;
        bool hit = false;
        if (!serve_hypercall(ctx, &hc, ev, &hit)) {
            if (ev->kind == RUN_EVENT_CRASH)
                fault_site_restore(ctx, ev);
            return;
        }
        if (hit) {
            watch_hit = true;
            vcpu_request_exit(ctx->vcpu);
        }
    }
    for (;;) {
        memset(ev, 0, sizeof(*ev));
        if (vcpu_run(ctx->vcpu, &ev->exit) < 0) {
            ev->kind = RUN_EVENT_FAILED;
            ev->status = errno;
            return;
        }
        if (ev->exit.reason != VM_EXIT_INTERRUPTED)
            record_exit(ctx, &ev->exit);
        if (watch_hit &&
            (ev->exit.reason == VM_EXIT_INTERRUPTED || ev->exit.reason == VM_EXIT_DEBUG)) {
            /*
             * Done (a single step that ended with the instruction is the same stop,
             * reported once, as the watchpoint). A stop signal that came meanwhile wins.
             */
            ev->kind = stop_signals_received() ? RUN_EVENT_INTERRUPTED : RUN_EVENT_WATCH;
            return;
        }
        bool hit = false;
        if (classify_exit(ctx, &hc, ev, &hit)) {
            if (hit && !watch_hit) {
                watch_hit = true;
                vcpu_request_exit(ctx->vcpu);
            }
            continue;
        }
        /* A port or MMIO access that ends the guest: shown at its instruction, everywhere. */
        if (ev->kind == RUN_EVENT_CRASH)
            fault_site_restore(ctx, ev);
        return;
    }
}
