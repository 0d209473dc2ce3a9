/*
 * run_end.c: the end of a guest without a debugger (see run_end.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core_capture.h"
#include "crash_report.h"
#include "run_end.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/run/stop_signals.h"

static struct crash_context crash_context_of(struct run_context *ctx, struct vcpu_sregs *sregs)
{
    bool have_sregs = vcpu_get_sregs(ctx->vcpu, sregs) == 0;
    return (struct crash_context){
        .kernel_path = ctx->kernel_path,
        .mem = ctx->mem,
        .layout = ctx->layout,
        .trace = &ctx->exits,
        .sregs = have_sregs ? sregs : NULL,
    };
}

/* run_event_finish without the core file: the report, and the exit status. */
static int report_event(struct run_context *ctx, const struct run_event *ev)
{
    run_record_exception(ctx, ev);
    struct vcpu_sregs sregs;
    struct crash_context cc = crash_context_of(ctx, &sregs);
    struct vcpu_regs regs;
    char headline[320];
    fflush(stdout);
    switch (ev->kind) {
    case RUN_EVENT_HALT:
        return ev->status;
    case RUN_EVENT_ABORT:
        crash_report_abort(stderr, &cc, ev->message, &ev->frame);
        return UKVM_EXIT_GUEST_CRASH;
    case RUN_EVENT_TRAP:
        crash_report_trap(stderr, &cc, &ev->frame);
        return UKVM_EXIT_GUEST_CRASH;
    case RUN_EVENT_DEBUG:
        snprintf(headline, sizeof(headline),
                 "guest crashed: debug exception %u with no debugger attached",
                 ev->exit.debug.exception);
        ev = NULL;
        break;
    case RUN_EVENT_WATCH:
        snprintf(headline, sizeof(headline),
                 "guest stopped: a watchpoint hit with no debugger attached");
        ev = NULL;
        break;
    case RUN_EVENT_CRASH:
    case RUN_EVENT_INTERNAL_ERROR:
        snprintf(headline, sizeof(headline), "%s", ev->headline);
        break;
    case RUN_EVENT_FAILED:
        fprintf(stderr, "ukvm: KVM_RUN failed: %s\n", strerror(ev->status));
        return UKVM_EXIT_KVM;
    case RUN_EVENT_HOST_ERROR:
        fprintf(stderr, "ukvm: %s\n", ev->headline);
        return UKVM_EXIT_DEVICE;
    case RUN_EVENT_INTERRUPTED:
    case RUN_EVENT_RECORD_MARK:
        fprintf(stderr, "ukvm: internal error: run_event_finish on an interruption\n");
        return UKVM_EXIT_KVM;
    }
    if (vcpu_get_regs(ctx->vcpu, &regs) < 0) {
        fprintf(stderr, "ukvm: %s (registers unavailable: %s)\n", headline, strerror(errno));
        return UKVM_EXIT_GUEST_CRASH;
    }
    crash_report_vcpu(stderr, &cc, headline, ev ? ev->explanation : NULL, &regs);
    return UKVM_EXIT_GUEST_CRASH;
}

int run_event_finish(struct run_context *ctx, const struct run_event *ev)
{
    int status = report_event(ctx, ev);
    /* --core: after the report, whatever ended the guest short of solo5_exit(). */
    if (ctx->core && ev->kind != RUN_EVENT_HALT && status == UKVM_EXIT_GUEST_CRASH)
        core_capture_on_exit(ctx, ev);
    return status;
}

int run_loop(struct run_context *ctx)
{
    for (;;) {
        struct run_event ev;
        run_until_event(ctx, &ev);
        if (ev.kind == RUN_EVENT_RECORD_MARK)
            continue; /* a replay target nobody waits for any more (a debugger detached) */
        if (ev.kind != RUN_EVENT_INTERRUPTED)
            return run_event_finish(ctx, &ev);
        int signo = stop_signals_received();
        if (signo) {
            fflush(stdout);
            fprintf(stderr, "ukvm: guest ended by %s\n", strsignal(signo));
            return UKVM_EXIT_SIGNAL_BASE + signo;
        }
        /*
         * Another signal (a debugger's kick after it detached): nothing to do. Its wake is
         * spent too: left readable, a call that waits (POLL, blocked console output)
         * would return at once, be dispatched again, and spin.
         */
        uint64_t count;
        if (ctx->wake_fd >= 0) {
            ssize_t ignored = read(ctx->wake_fd, &count, sizeof(count)); /* non-blocking */
            (void)ignored;
        }
    }
}
