/*
 * crash_report.h: what ukvm prints when the guest dies with no debugger attached.
 *
 * A report names what happened and where (function+offset and file:line through
 * libdw), decodes the exception and its error code, explains the common cases in plain
 * words (null pointer, stack overflow), and shows all registers, a backtrace and the
 * last VM exits.
 */
#ifndef UKVM_CRASH_REPORT_H
#define UKVM_CRASH_REPORT_H

#include <stdio.h>

#include "boot_setup.h"
#include "exit_trace.h"
#include "guest_mem.h"
#include "ukvm_abi.h"
#include "vcpu_state.h"

struct crash_context {
    const char *kernel_path; /* for symbols; opened only when a report is printed */
    const struct guest_mem *mem;
    const struct boot_layout *layout;
    const struct exit_trace *trace;
    const struct vcpu_sregs *sregs; /* control registers at the time; may be NULL */
};

/* A CPU exception the guest's kernel reported with UKVM_HC_TRAP. */
void crash_report_trap(FILE *out, const struct crash_context *ctx,
                       const struct ukvm_trap_frame *frame);

/* solo5_abort() or the stack protector (UKVM_HC_ABORT): message and the caller's frame. */
void crash_report_abort(FILE *out, const struct crash_context *ctx, const char *message,
                        const struct ukvm_trap_frame *frame);

/*
 * A guest death seen by the hypervisor rather than reported by the guest: a triple
 * fault, an internal error, a failed entry, a malformed hypercall. headline says what,
 * after "ukvm: ", e.g. "guest crashed: triple fault";
 * explanation (may be NULL) says what it usually means.
 */
void crash_report_vcpu(FILE *out, const struct crash_context *ctx, const char *headline,
                       const char *explanation, const struct vcpu_regs *regs);

#endif /* UKVM_CRASH_REPORT_H */
