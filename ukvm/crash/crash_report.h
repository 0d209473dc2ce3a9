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

#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/run/exit_trace.h"
#include "ukvm/vm/vcpu_state.h"
#include "ukvm_abi.h"

struct crash_context {
    const char *kernel_path; /* for symbols; opened only when a report is printed */
    const struct guest_mem *mem;
    const struct boot_layout *layout;
    const struct exit_trace *trace;
    const struct vcpu_sregs *sregs; /* control registers at the time; may be NULL */
};

struct symbolizer;

/*
 * The description that opens a report, one function per kind of death, shared with
 * `monitor exc` and the shell so that both say exactly what a crash report says.
 * prefix starts the first line ("ukvm: guest crashed: " in a report). LOCATION below is
 * "function+0x1c (file.c:42)" with sym, the bare address without (sym may be NULL).
 *
 * A trap, with layout (may be NULL) for the plain-words readings of CR2 and for telling
 * a stack overflow from other faults:
 *   PREFIX[stack overflow: ]Page fault (#PF, vector 14) at LOCATION
 *     error code 0x2: not-present page, write, supervisor, data access
 *     faulting address (CR2) 0x0000000000000000: a null pointer dereference (...)
 * The error-code line appears for vectors that push one, the CR2 line for #PF only.
 */
void crash_describe_trap(FILE *out, const char *prefix, const struct ukvm_trap_frame *frame,
                         const struct boot_layout *layout, struct symbolizer *sym);

/*
 * An abort: "PREFIXMESSAGE" ("(no message)" when message is NULL or empty), then
 * "  called from LOCATION" for the caller's rip.
 */
void crash_describe_abort(FILE *out, const char *prefix, const char *message, uint64_t rip,
                          struct symbolizer *sym);

/*
 * A death the hypervisor saw: "PREFIXHEADLINE", "  at LOCATION", then "  EXPLANATION"
 * when explanation is not NULL.
 */
void crash_describe_vcpu(FILE *out, const char *prefix, const char *headline,
                         const char *explanation, uint64_t rip, struct symbolizer *sym);

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
