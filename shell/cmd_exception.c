/*
 * cmd_exception.c: the last exception: `exc`.
 *
 * The description is the crash report's own (crash_describe_*), so `exc` in gdb or the
 * shell says exactly what ukvm would have printed had the guest died without them.
 */
#include "command.h"

#include <inttypes.h>

#include "ukvm/abi/core/trap_frame.h"
#include "ukvm/crash/crash_report.h"
#include "ukvm/inspect/regs_format.h"
#include "ukvm/inspect/x86_decode.h"

/*
 * What the hypervisor holds for the vCPU: an exception it is delivering (injected) or
 * about to deliver (pending), an interrupt, an NMI, the interrupt shadow.
 */
static void print_events(FILE *out, const struct command_env *env)
{
    struct vcpu_events ev;
    if (!env->get_events || env->get_events(env->ctx, &ev) != 0)
        return;
    fprintf(out, "hypervisor events (KVM_GET_VCPU_EVENTS):");
    bool any = false;
    if (ev.exception.injected || ev.exception.pending) {
        fprintf(out, " exception %s (%s, vector %u) %s",
                x86_exception_mnemonic(ev.exception.vector),
                x86_exception_name(ev.exception.vector), ev.exception.vector,
                ev.exception.pending ? "pending"
                : ev.pending_known   ? "injected"
                                     : "pending or injected");
        if (ev.exception.has_error_code)
            fprintf(out, ", error code 0x%x", ev.exception.error_code);
        fputc(';', out);
        any = true;
    }
    if (ev.interrupt.injected) {
        fprintf(out, " %sinterrupt %u injected;", ev.interrupt.soft ? "software " : "",
                ev.interrupt.vector);
        any = true;
    }
    if (ev.nmi.injected || ev.nmi.pending) {
        fprintf(out, " NMI %s;", ev.nmi.injected ? "injected" : "pending");
        any = true;
    }
    if (!any)
        fprintf(out, " no exception, interrupt or NMI pending or injected;");
    fprintf(out, " NMIs %s", ev.nmi.masked ? "masked" : "unmasked");
    if (ev.interrupt_shadow)
        fprintf(out, "; interrupt shadow (%s)",
                ev.interrupt_shadow & 1 ? "after sti" : "after mov/pop ss");
    fputc('\n', out);
}

static int run_exc(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_exc, "takes no arguments");
    const struct last_exception *le = env->exception;
    if (!le || le->source == LAST_EXCEPTION_NONE) {
        fprintf(out, "no exception so far\n");
        print_events(out, env);
        return 0;
    }
    struct symbolizer *sym = command_symbols(env);
    const struct ukvm_trap_frame *f = &le->frame;
    const char *regs_title = "registers at the fault";
    switch (le->source) {
    case LAST_EXCEPTION_TRAP:
        crash_describe_trap(out, "", f, env->layout, sym);
        break;
    case LAST_EXCEPTION_ABORT:
        crash_describe_abort(out, "guest aborted: ", le->message, f->rip, sym);
        regs_title = "registers at the call";
        break;
    case LAST_EXCEPTION_VCPU:
        crash_describe_vcpu(out, "", le->message[0] ? le->message : "guest stopped by the CPU",
                            NULL, f->rip, sym);
        regs_title = "registers";
        break;
    default:
        return command_error(out, &cmd_exc, "unknown exception record (source %d)",
                             (int)le->source);
    }
    if (le->exit_seq)
        fprintf(out, "  reported at VM exit #%" PRIu64 "\n", le->exit_seq);
    struct vcpu_regs regs;
    trap_frame_to_regs(f, &regs);
    fprintf(out, "%s:\n", regs_title);
    regs_dump(out, &regs, 2);
    /* Only the CPU-pushed part of a real trap frame has selectors. */
    if (le->source == LAST_EXCEPTION_TRAP)
        fprintf(out, "  cs   0x%04" PRIx64 "  ss   0x%04" PRIx64 "\n", f->cs, f->ss);
    print_events(out, env);
    return 0;
}

const struct command cmd_exc = {
    .name = "exc",
    .aliases = "exception lastexc",
    .usage = "exc",
    .summary = "the last exception or abort, decoded and symbolized",
    .help = "Shows the most recent exception the guest reported (or solo5_abort, or a\n"
            "death only the hypervisor saw, such as a triple fault): the vector and its\n"
            "name, the decoded error code, CR2 for a page fault with what it usually\n"
            "means (null pointer, stack overflow), the faulting rip as function+offset\n"
            "(file:line), the exit at which it happened, and the registers of the\n"
            "faulting context from the trap frame. Prints 'no exception so far' when\n"
            "there was none. Then what the hypervisor holds for the vCPU: an exception,\n"
            "interrupt or NMI it is delivering or about to deliver.\n"
            "Example:\n"
            "  exc\n"
            "  Page fault (#PF, vector 14) at fault_here+0x4 (test_exception.c:9)\n"
            "    error code 0x2: not-present page, write, supervisor, data access\n"
            "    faulting address (CR2) 0x0000000000000000: a null pointer dereference ...\n"
            "  registers at the fault:\n"
            "    rax  0x0000000000000000  ...\n",
    .run = run_exc,
};
