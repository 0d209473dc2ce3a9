/*
 * crash_report.c: symbolized crash reports (see crash_report.h).
 */
#include <inttypes.h>
#include <string.h>

#include "crash_report.h"
#include "ukvm/abi/core/trap_frame.h"
#include "ukvm/inspect/regs_format.h"
#include "ukvm/inspect/symbolize.h"
#include "ukvm/inspect/x86_decode.h"

#define BACKTRACE_MAX 32
#define REPORT_EXITS  5

/* Symbols for the report; why there are none is kept in err for print_details. */
static struct symbolizer *open_symbols(const struct crash_context *ctx, char *err, size_t errlen)
{
    err[0] = '\0';
    return symbolizer_open(ctx->kernel_path, err, errlen);
}

static void print_location(FILE *out, struct symbolizer *sym, uint64_t addr)
{
    char where[256];
    if (sym)
        fprintf(out, "%s", symbolizer_format(sym, addr, where, sizeof(where)));
    else
        fprintf(out, "0x%" PRIx64, addr);
}

static void print_details(FILE *out, const struct crash_context *ctx, struct symbolizer *sym,
                          const char *sym_err, const struct vcpu_regs *regs)
{
    if (!sym)
        fprintf(out, "  (no symbols: %s)\n", sym_err);
    fprintf(out, "registers:\n");
    regs_dump(out, regs, 2);
    if (ctx->sregs)
        sregs_dump(out, ctx->sregs, 2);
    fprintf(out, "backtrace:\n");
    struct backtrace_frame frames[BACKTRACE_MAX];
    struct guest_access access = guest_mem_access(ctx->mem);
    int n = sym ? symbolizer_backtrace(sym, regs, &access, frames, BACKTRACE_MAX) : 0;
    if (n > 0)
        symbolizer_print_backtrace(out, sym, frames, n, 2, 0);
    else
        fprintf(out, "  #0  0x%016" PRIx64 " (no backtrace without symbols)\n", regs->rip);
    if (ctx->trace && ctx->trace->count) {
        struct exit_record recs[REPORT_EXITS];
        size_t nrec = exit_trace_last(ctx->trace, REPORT_EXITS, recs);
        fprintf(out, "last %zu VM exits (newest first, %" PRIu64 " in all):\n", nrec,
                ctx->trace->count);
        for (size_t i = 0; i < nrec; i++)
            exit_trace_print_record(out, &recs[i], 2);
    }
}

/* Plain-words explanation of a page fault address, or NULL. */
static const char *explain_fault_address(const struct boot_layout *l, uint64_t cr2, char *buf,
                                         size_t len)
{
    if (cr2 < UKVM_PAGE_SIZE)
        return "a null pointer dereference (page 0 is never mapped)";
    if (l && l->stack_guarded && cr2 >= l->stack_guard && cr2 < l->stack_guard + UKVM_PAGE_SIZE) {
        snprintf(buf, len, "the stack (%llu KiB, 0x%llx-0x%llx) ran into its guard page",
                 (unsigned long long)(UKVM_STACK_SIZE >> 10),
                 (unsigned long long)(l->stack_guard + UKVM_PAGE_SIZE),
                 (unsigned long long)l->stack_top);
        return buf;
    }
    if (l && cr2 >= l->mem_size)
        return "an address beyond guest memory";
    return NULL;
}

void crash_describe_trap(FILE *out, const char *prefix, const struct ukvm_trap_frame *frame,
                         const struct boot_layout *layout, struct symbolizer *sym)
{
    char why[256];
    const char *explained = frame->vector == X86_EXC_PF
                                ? explain_fault_address(layout, frame->cr2, why, sizeof(why))
                                : NULL;
    bool overflow = explained && explained == why; /* only the guard-page case uses why */
    /* A #DF with rsp near the guard page is a stack overflow whose #PF could not be delivered. */
    if (frame->vector == X86_EXC_DF && layout && layout->stack_guarded &&
        frame->rsp >= layout->stack_guard && frame->rsp < layout->stack_guard + 2 * UKVM_PAGE_SIZE)
        overflow = true;

    fprintf(out, "%s%s%s (%s, vector %" PRIu64 ") at ", prefix, overflow ? "stack overflow: " : "",
            x86_exception_name(frame->vector), x86_exception_mnemonic(frame->vector),
            frame->vector);
    print_location(out, sym, frame->rip);
    fputc('\n', out);
    if (x86_exception_has_error_code(frame->vector)) {
        char desc[160];
        fprintf(out, "  error code 0x%" PRIx64 ": %s\n", frame->error_code,
                x86_error_code_describe(frame->vector, frame->error_code, desc, sizeof(desc)));
    }
    if (frame->vector == X86_EXC_PF)
        fprintf(out, "  faulting address (CR2) 0x%016" PRIx64 "%s%s\n", frame->cr2,
                explained ? ": " : "", explained ? explained : "");
    if (frame->vector == X86_EXC_DB)
        fprintf(out, "  %s\n", X86_DB_FOREIGN);
}

void crash_describe_abort(FILE *out, const char *prefix, const char *message, uint64_t rip,
                          struct symbolizer *sym)
{
    fprintf(out, "%s%s\n  called from ", prefix, message && *message ? message : "(no message)");
    print_location(out, sym, rip);
    fputc('\n', out);
}

void crash_describe_vcpu(FILE *out, const char *prefix, const char *headline,
                         const char *explanation, uint64_t rip, struct symbolizer *sym)
{
    fprintf(out, "%s%s\n  at ", prefix, headline);
    print_location(out, sym, rip);
    fputc('\n', out);
    if (explanation)
        fprintf(out, "  %s\n", explanation);
}

void crash_report_trap(FILE *out, const struct crash_context *ctx,
                       const struct ukvm_trap_frame *frame)
{
    struct vcpu_regs regs;
    trap_frame_to_regs(frame, &regs);
    char sym_err[256];
    struct symbolizer *sym = open_symbols(ctx, sym_err, sizeof(sym_err));
    crash_describe_trap(out, "ukvm: guest crashed: ", frame, ctx->layout, sym);
    print_details(out, ctx, sym, sym_err, &regs);
    symbolizer_close(sym);
}

void crash_report_abort(FILE *out, const struct crash_context *ctx, const char *message,
                        const struct ukvm_trap_frame *frame)
{
    struct vcpu_regs regs;
    trap_frame_to_regs(frame, &regs);
    char sym_err[256];
    struct symbolizer *sym = open_symbols(ctx, sym_err, sizeof(sym_err));
    crash_describe_abort(out, "ukvm: guest aborted: ", message, frame->rip, sym);
    print_details(out, ctx, sym, sym_err, &regs);
    symbolizer_close(sym);
}

void crash_report_vcpu(FILE *out, const struct crash_context *ctx, const char *headline,
                       const char *explanation, const struct vcpu_regs *regs)
{
    char sym_err[256];
    struct symbolizer *sym = open_symbols(ctx, sym_err, sizeof(sym_err));
    crash_describe_vcpu(out, "ukvm: ", headline, explanation, regs->rip, sym);
    print_details(out, ctx, sym, sym_err, regs);
    symbolizer_close(sym);
}
