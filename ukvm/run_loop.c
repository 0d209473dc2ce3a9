/*
 * run_loop.c: the vCPU loop and exit dispatch (see run_loop.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crash_report.h"
#include "exit_status.h"
#include "hypercall.h"
#include "run_loop.h"
#include "stop_signals.h"

#define HC_PORT_RANGE 0x100

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

/* A death the hypervisor saw: report with the vCPU's own registers. */
static int vcpu_crash(struct run_context *ctx, const char *headline, const char *explanation)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    struct crash_context cc = crash_context_of(ctx, &sregs);
    if (vcpu_get_regs(ctx->vcpu, &regs) < 0) {
        fprintf(stderr, "ukvm: %s (registers unavailable: %s)\n", headline, strerror(errno));
        return UKVM_EXIT_GUEST_CRASH;
    }
    fflush(stdout);
    crash_report_vcpu(stderr, &cc, headline, explanation, &regs);
    return UKVM_EXIT_GUEST_CRASH;
}

static int hypercall_outcome(struct run_context *ctx, enum hc_outcome outcome,
                             struct hc_context *hc)
{
    struct vcpu_sregs sregs;
    struct crash_context cc;
    fflush(stdout);
    switch (outcome) {
    case HC_CONTINUE:
        return -1;
    case HC_HALT:
        return (int)(hc->exit_status & 0xff);
    case HC_ABORT:
        cc = crash_context_of(ctx, &sregs);
        crash_report_abort(stderr, &cc, hc->message, &hc->frame);
        return UKVM_EXIT_GUEST_CRASH;
    case HC_TRAP:
        cc = crash_context_of(ctx, &sregs);
        crash_report_trap(stderr, &cc, &hc->frame);
        return UKVM_EXIT_GUEST_CRASH;
    case HC_GUEST_ERROR: {
        char headline[320];
        snprintf(headline, sizeof(headline), "guest error: %s", hc->error);
        return vcpu_crash(ctx, headline,
                          "the guest made a malformed hypercall; it was refused "
                          "and the guest stopped");
    }
    }
    return UKVM_EXIT_GUEST_CRASH;
}

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

int run_loop(struct run_context *ctx)
{
    struct hc_context hc = {
        .mem = ctx->mem,
        .blocks = ctx->blocks,
        .console_fd = STDOUT_FILENO,
        .wake_fd = ctx->wake_fd,
    };
    for (;;) {
        struct vm_exit exit;
        if (vcpu_run(ctx->vcpu, &exit) < 0) {
            fprintf(stderr, "ukvm: KVM_RUN failed: %s\n", strerror(errno));
            return UKVM_EXIT_KVM;
        }
        if (exit.reason == VM_EXIT_INTERRUPTED) {
            int signo = stop_signals_received();
            if (signo) {
                fflush(stdout);
                fprintf(stderr, "ukvm: guest ended by %s\n", strsignal(signo));
                return UKVM_EXIT_SIGNAL_BASE + signo;
            }
            continue; /* some other signal: nothing to do */
        }
        struct vcpu_regs regs;
        uint64_t rip = vcpu_get_regs(ctx->vcpu, &regs) == 0 ? regs.rip : 0;
        int hc_nr = -1;
        uint64_t detail = 0;
        if (exit.reason == VM_EXIT_IO) {
            detail = exit.io.port;
            if (exit.io.port >= UKVM_HC_PORT_BASE &&
                exit.io.port < UKVM_HC_PORT_BASE + HC_PORT_RANGE)
                hc_nr = exit.io.port - UKVM_HC_PORT_BASE;
        } else if (exit.reason == VM_EXIT_MMIO) {
            detail = exit.mmio.gpa;
        } else if (exit.reason == VM_EXIT_DEBUG) {
            detail = exit.debug.exception;
        } else if (exit.reason == VM_EXIT_INTERNAL_ERROR) {
            detail = exit.internal.suberror;
        }
        exit_trace_record(&ctx->exits, exit.reason, rip, hc_nr, detail);
        if (ctx->trace) {
            fprintf(stderr, "ukvm: trace: ");
            exit_trace_print_record(stderr,
                                    &ctx->exits.ring[(ctx->exits.count - 1) % EXIT_TRACE_SIZE], 0);
        }

        int status;
        char headline[160];
        switch (exit.reason) {
        case VM_EXIT_IO:
            if (hc_nr < 0 || !exit.io.is_write || exit.io.size != 4) {
                snprintf(headline, sizeof(headline),
                         "guest error: unexpected %u-byte port %s on port 0x%x", exit.io.size,
                         exit.io.is_write ? "write" : "read", exit.io.port);
                return vcpu_crash(ctx, headline,
                                  "ukvm emulates no devices: hypercalls are 4-byte writes to "
                                  "ports 0x500-0x5ff");
            }
            status =
                hypercall_outcome(ctx, hypercall_dispatch(&hc, exit.io.port, exit.io.value), &hc);
            if (status >= 0)
                return status;
            break;
        case VM_EXIT_HLT:
            return vcpu_crash(ctx, "guest crashed: hlt with interrupts off",
                              "the guest halted without calling solo5_exit(); nothing can "
                              "wake it");
        case VM_EXIT_SHUTDOWN:
            return vcpu_crash(ctx, "guest crashed: triple fault",
                              "an exception could not be delivered (no IDT yet, or the handler "
                              "itself faulted), so the CPU shut down");
        case VM_EXIT_INTERNAL_ERROR:
            snprintf(headline, sizeof(headline), "guest crashed: KVM internal error %u",
                     exit.internal.suberror);
            return vcpu_crash(ctx, headline, internal_error_explanation(exit.internal.suberror));
        case VM_EXIT_MMIO:
            snprintf(headline, sizeof(headline),
                     "guest crashed: %s of guest-physical 0x%" PRIx64 ", outside guest memory",
                     exit.mmio.is_write ? "write" : "read", exit.mmio.gpa);
            return vcpu_crash(ctx, headline, NULL);
        case VM_EXIT_FAIL_ENTRY:
            snprintf(headline, sizeof(headline),
                     "guest crashed: the CPU refused to enter the guest (reason 0x%" PRIx64 ")",
                     exit.fail_entry.hardware_reason);
            return vcpu_crash(ctx, headline, NULL);
        case VM_EXIT_DEBUG:
            snprintf(headline, sizeof(headline),
                     "guest crashed: debug exception %u with no debugger attached",
                     exit.debug.exception);
            return vcpu_crash(ctx, headline, NULL);
        case VM_EXIT_OTHER:
            snprintf(headline, sizeof(headline), "guest crashed: unexpected KVM exit %u",
                     exit.other.raw);
            return vcpu_crash(ctx, headline, NULL);
        case VM_EXIT_INTERRUPTED:
            break;
        }
    }
}
