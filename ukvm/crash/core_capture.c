/*
 * core_capture.c: core files of a live monitor (see core_capture.h).
 */
#include <signal.h>
#include <string.h>

#include "core_capture.h"
#include "guest_signal.h"
#include "ukvm/abi/core/trap_frame.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/inspect/x86_decode.h"

/* What a core of the live vCPU shares between both callers. */
struct capture {
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    struct vcpu_fpu fpu;
    bool have_sregs, have_fpu;
};

static void capture_system_state(struct vcpu *vcpu, struct capture *c)
{
    c->have_sregs = vcpu_get_sregs(vcpu, &c->sregs) == 0;
    c->have_fpu = vcpu_get_fpu(vcpu, &c->fpu) == 0;
}

/*
 * A CPU exception, as Linux reports it to a process: a page fault with the address and
 * whether the page was there (SEGV_ACCERR) or not (SEGV_MAPERR); #UD and #DE with the
 * instruction's address; the rest from the kernel (SI_KERNEL), no address.
 */
static struct core_signal trap_signal(const struct ukvm_trap_frame *f)
{
    struct core_signal s = {.signo = guest_signal_of_vector(f->vector), .code = SI_KERNEL};
    if (f->vector == X86_EXC_PF) {
        s.code = f->error_code & 1 ? SEGV_ACCERR : SEGV_MAPERR;
        s.addr = f->cr2;
    } else if (f->vector == X86_EXC_UD) {
        s.code = ILL_ILLOPN;
        s.addr = f->rip;
    } else if (f->vector == X86_EXC_DE) {
        s.code = FPE_INTDIV;
        s.addr = f->rip;
    }
    return s;
}

struct core_signal core_capture_event_signal(const struct run_event *ev)
{
    if (ev->kind == RUN_EVENT_TRAP)
        return trap_signal(&ev->frame);
    /* An abort is the program's own doing, as abort(3) raising SIGABRT with tgkill. */
    return (struct core_signal){.signo = guest_signal_of_event(ev),
                                .code = ev->kind == RUN_EVENT_ABORT ? SI_TKILL : SI_KERNEL};
}

static int write_capture(const struct run_context *run, const struct capture *c,
                         struct core_signal sig, const struct core_dump_patch *patches,
                         size_t npatches, const char *path, struct core_dump_result *res, char *err,
                         size_t errlen)
{
    struct core_dump_source src = {
        .mem = run->mem,
        .regs = &c->regs,
        .sregs = c->have_sregs ? &c->sregs : NULL,
        .fpu = c->have_fpu ? &c->fpu : NULL,
        .signal = sig.signo,
        .sig_code = sig.code,
        .sig_addr = sig.addr,
        .kernel_path = run->kernel_path,
        .patches = patches,
        .npatches = npatches,
    };
    return core_dump_write(path, &src, res, err, errlen);
}

/*
 * The abort as the debug core's stop shows it: at the aborting routine's entry, the return
 * address (frame.rip) just below the caller's rsp, where the call put it. That slot is
 * patched into the core in case the routine overwrote it. Returns the number of patches.
 */
static size_t abort_view(const struct run_context *ctx, const struct run_event *ev,
                         struct capture *c, struct core_dump_patch patch[8])
{
    trap_frame_to_regs(&ev->frame, &c->regs);
    uint64_t slot = c->regs.rsp - 8, gpa, ret = ev->frame.rip;
    if (!ev->abort_function || !c->have_sregs ||
        guest_virt_translate(ctx->mem, &c->sregs, slot, &gpa) < 0 || (slot & 0xfff) > 0xff8)
        return 0; /* the caller's own context, as the crash report shows it */
    c->regs.rsp = slot;
    c->regs.rip = ev->abort_function;
    for (int i = 0; i < 8; i++)
        patch[i] =
            (struct core_dump_patch){.gpa = gpa + (uint64_t)i, .byte = (uint8_t)(ret >> (8 * i))};
    return 8;
}

int core_capture_event(struct run_context *ctx, const struct run_event *ev, const char *path,
                       struct core_dump_result *res, char *err, size_t errlen)
{
    struct capture c;
    struct core_dump_patch patch[8];
    size_t npatch = 0;
    struct core_signal sig = core_capture_event_signal(ev);
    memset(&c, 0, sizeof(c));
    capture_system_state(ctx->vcpu, &c);
    switch (ev->kind) {
    case RUN_EVENT_TRAP:
        trap_frame_to_regs(&ev->frame, &c.regs);
        c.sregs.cs.selector = (uint16_t)ev->frame.cs; /* the faulting code's, as pushed */
        c.sregs.ss.selector = (uint16_t)ev->frame.ss;
        break;
    case RUN_EVENT_ABORT:
        npatch = abort_view(ctx, ev, &c, patch);
        break;
    default:
        if (vcpu_get_regs(ctx->vcpu, &c.regs) < 0) {
            snprintf(err, errlen, "the vCPU's registers cannot be read");
            return -1;
        }
        break;
    }
    return write_capture(ctx, &c, sig, patch, npatch, path, res, err, errlen);
}

void core_capture_on_exit(struct run_context *ctx, const struct run_event *ev)
{
    struct core_dump_result res;
    char err[PATH_MAX + 128];
    if (core_capture_event(ctx, ev, ctx->core_path, &res, err, sizeof(err)) == 0)
        core_dump_print_result(stderr, "ukvm: ", &res);
    else
        fprintf(stderr, "ukvm: no core file: %s\n", err);
}

int core_capture_live(const struct run_context *run, const struct vcpu_regs *regs,
                      struct core_signal sig, const struct core_dump_patch *patches,
                      size_t npatches, const char *path, struct core_dump_result *res, char *err,
                      size_t errlen)
{
    struct capture c;
    memset(&c, 0, sizeof(c));
    c.regs = *regs;
    capture_system_state(run->vcpu, &c);
    return write_capture(run, &c, sig, patches, npatches, path, res, err, errlen);
}
