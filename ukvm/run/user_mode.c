/*
 * user_mode.c: hypercalls by store, traps from the shim, stepping by the trap flag (see
 * user_mode.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "run_context.h"
#include "step_pushf.h"
#include "user_mode.h"
#include "ukvm/abi/core/trap_frame.h"
#include "ukvm/abi/guest_abi.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/guest/user_shim.h"
#include "ukvm/inspect/x86_decode.h"
#include "ukvm/replay/recorder.h"

#define RFLAGS_TF (1ULL << 8)
#define DR6_BS    (1ULL << 14)

enum user_page_access user_mode_classify(const struct run_context *ctx, const struct vm_exit *exit,
                                         unsigned *index, uint64_t *value)
{
    uint64_t gpa = exit->mmio.gpa;
    if (!ctx->user_mode || gpa < UKVM_HC_MMIO_GPA || gpa >= UKVM_HC_MMIO_GPA + UKVM_PAGE_SIZE)
        return USER_PAGE_NOT_IT;
    uint64_t off = gpa - UKVM_HC_MMIO_GPA;
    if (!exit->mmio.is_write)
        return USER_PAGE_BAD;
    if (off >= UKVM_HC_MMIO_TRAP_OFFSET) {
        /* The stubs store one byte; a guest store there is not a trap. */
        uint64_t vector = off - UKVM_HC_MMIO_TRAP_OFFSET;
        if (vector >= USER_SHIM_VECTORS || exit->mmio.len != 1)
            return USER_PAGE_BAD;
        *index = (unsigned)vector;
        return USER_PAGE_TRAP;
    }
    if (off % 8 != 0 || exit->mmio.len != 8 || off / 8 >= ctx->abi->hc_port_count)
        return USER_PAGE_BAD;
    *index = (unsigned)(off / 8);
    memcpy(value, exit->mmio.data, sizeof(*value));
    return USER_PAGE_HYPERCALL;
}

static void crash(struct run_event *ev, const char *fmt, unsigned vector, uint64_t detail)
{
    ev->kind = RUN_EVENT_CRASH;
    ev->explanation = "the exception frame on ukvm's user-mode trap stack is not one the CPU "
                      "pushes for code at CPL 3";
    snprintf(ev->headline, sizeof(ev->headline), fmt, vector, detail);
}

/*
 * Offers the exception to the guest ABI (regs and sregs: the vCPU back at the fault);
 * fills *ev for what is not simply the guest going on.
 */
/*
 * rdtsc or rdtscp that faulted under CR4.TSD (a recorded run): the counter's value, from
 * the record in the recorded past, else the host's counter (the same one the guest's
 * reads give it without TSD), which is logged. The instruction then completes as the CPU
 * completes it. A value the record does not hold where reverse execution must not go live
 * stops the guest at the instruction (RUN_EVENT_RECORD_MARK), as a hypercall does.
 */
static enum user_trap_outcome serve_tsc(struct run_context *ctx, const struct user_fault *uf,
                                        struct vcpu_regs *regs, struct vcpu_sregs *sregs,
                                        struct run_event *ev)
{
    uint64_t tsc = 0;
    enum record_serve served =
        ctx->record ? recorder_replay_tsc(ctx->record, regs, &tsc) : RECORD_LIVE;
    if (served == RECORD_LIVE) {
        tsc = __builtin_ia32_rdtsc();
        if (ctx->record)
            recorder_log_tsc(ctx->record, regs, tsc);
    }
    if (served != RECORD_END) {
        regs->rax = (uint32_t)tsc;
        regs->rdx = tsc >> 32;
        if (uf->tsc_aux)
            regs->rcx = 0; /* IA32_TSC_AUX, which no hvt guest sets */
        regs->rip += uf->insn_len;
    }
    if (vcpu_set_sregs(ctx->vcpu, sregs) < 0 || vcpu_set_regs(ctx->vcpu, regs) < 0) {
        ev->kind = RUN_EVENT_FAILED;
        ev->status = errno;
        return USER_TRAP_EVENT;
    }
    if (served == RECORD_END || (ctx->record && recorder_completed(ctx->record))) {
        ev->kind = RUN_EVENT_RECORD_MARK;
        return USER_TRAP_EVENT;
    }
    return USER_TRAP_CONTINUE;
}

static enum user_trap_outcome offer_to_abi(struct run_context *ctx, struct vcpu_regs *regs,
                                           struct vcpu_sregs *sregs, struct run_event *ev)
{
    if (!ctx->abi->user_fault)
        return USER_TRAP_EVENT;
    struct user_fault uf = {.vector = (unsigned)ev->frame.vector,
                            .error_code = ev->frame.error_code,
                            .mem = ctx->mem,
                            .abi_state = ctx->abi_state,
                            .regs = regs,
                            .sregs = sregs};
    enum user_fault_outcome o = ctx->abi->user_fault(&uf);
    switch (o) {
    case USER_FAULT_NOT_MINE:
        return USER_TRAP_EVENT;
    case USER_FAULT_GUEST_ERROR:
        ev->kind = RUN_EVENT_CRASH;
        ev->explanation = "in user mode the monitor emulates the privileged instructions "
                          "of the guest ABI's kernel; this one is not among them";
        snprintf(ev->headline, sizeof(ev->headline), "guest error: %s", uf.error);
        return USER_TRAP_EVENT;
    case USER_FAULT_TSC:
        return serve_tsc(ctx, &uf, regs, sregs, ev);
    case USER_FAULT_DONE:
    case USER_FAULT_PORT:
    case USER_FAULT_HLT:
        break;
    }
    if (vcpu_set_sregs(ctx->vcpu, sregs) < 0 || vcpu_set_regs(ctx->vcpu, regs) < 0) {
        ev->kind = RUN_EVENT_FAILED;
        ev->status = errno;
        return USER_TRAP_EVENT;
    }
    if (o == USER_FAULT_DONE)
        return USER_TRAP_CONTINUE;
    memset(&ev->exit, 0, sizeof(ev->exit));
    if (o == USER_FAULT_HLT) {
        ev->exit.reason = VM_EXIT_HLT;
    } else {
        ev->exit.reason = VM_EXIT_IO;
        ev->exit.io.port = uf.port;
        ev->exit.io.size = uf.size;
        ev->exit.io.is_write = uf.is_write;
        ev->exit.io.value = uf.value;
        ev->exit.io.count = 1; /* the ABI emulates single in/out only */
    }
    return USER_TRAP_EXIT;
}

enum user_trap_outcome user_mode_trap(struct run_context *ctx, unsigned vector,
                                      struct run_event *ev)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    /*
     * The stub's store needs no completion run: KVM has finished an MMIO write before it
     * exits (rip is past it) and only continues into the guest on the next run; the
     * registers set below are the ones it continues with. That saves a whole KVM_RUN per
     * exception, which is per instruction when stepping.
     */
    ev->exit_pending = false;
    if (vcpu_get_regs(ctx->vcpu, &regs) < 0 || vcpu_get_sregs(ctx->vcpu, &sregs) < 0) {
        ev->kind = RUN_EVENT_FAILED;
        ev->status = errno;
        return USER_TRAP_EVENT;
    }
    /*
     * Only the shim's stub for this vector, at CPL 0, reports a trap: the same store from
     * the guest's own code is refused, so that a guest cannot forge an exception.
     */
    if (sregs.cs.dpl != 0 ||
        regs.rip != UKVM_USER_STUBS_GPA + vector * USER_SHIM_STUB_SIZE + USER_SHIM_STORE_SIZE) {
        ev->kind = RUN_EVENT_CRASH;
        ev->explanation = "the hypercall page's upper half is where ukvm's own trap entry "
                          "stubs report exceptions; a guest store there is refused";
        snprintf(ev->headline, sizeof(ev->headline),
                 "guest error: 1-byte store of the hypercall page at offset 0x%" PRIx64,
                 (uint64_t)(UKVM_HC_MMIO_TRAP_OFFSET + vector));
        return USER_TRAP_EVENT;
    }
    /* The CPU's frame: [error code,] rip, cs, rflags, rsp, ss, at the trap stack's top. */
    bool has_code = x86_exception_has_error_code(vector);
    uint64_t cpu[6];
    size_t words = has_code ? 6 : 5;
    uint64_t expected = UKVM_USER_STACK_GPA + UKVM_USER_STACK_SIZE - words * 8;
    if (regs.rsp != expected ||
        guest_mem_copy_in(ctx->mem, regs.rsp, cpu, words * sizeof(uint64_t)) < 0) {
        crash(ev, "guest crashed: exception %u with the trap stack at 0x%" PRIx64, vector,
              regs.rsp);
        return USER_TRAP_EVENT;
    }
    const uint64_t *hw = has_code ? cpu + 1 : cpu;
    uint64_t rip = hw[0], cs = hw[1] & 0xffff, rflags = hw[2], rsp = hw[3], ss = hw[4] & 0xffff;
    if (cs != UKVM_SEL_USER_CODE64) {
        crash(ev, "guest crashed: exception %u raised with cs 0x%" PRIx64 ", not at CPL 3", vector,
              cs);
        return USER_TRAP_EVENT;
    }
    bool stepped = vector == X86_EXC_DB && ctx->user_step_armed;
    if (stepped) {
        rflags &= ~RFLAGS_TF;
        ctx->user_step_armed = false;
    }
    /* Back where the exception was raised, as if it had not happened. */
    struct ukvm_trap_frame *f = &ev->frame;
    memset(f, 0, sizeof(*f));
    f->vector = vector;
    f->error_code = has_code ? cpu[0] : 0;
    f->cr2 = sregs.cr2;
    regs.rip = rip, regs.rsp = rsp, regs.rflags = rflags;
    trap_frame_from_regs(&regs, f);
    f->cs = cs, f->ss = ss;
    sregs.cs = user_shim_code_segment();
    sregs.ss = user_shim_data_segment();
    if (vcpu_set_sregs(ctx->vcpu, &sregs) < 0 || vcpu_set_regs(ctx->vcpu, &regs) < 0) {
        ev->kind = RUN_EVENT_FAILED;
        ev->status = errno;
        return USER_TRAP_EVENT;
    }
    if (stepped)
        step_unpush_trap_flag(ctx->mem, &sregs, ctx->user_step_rip, rsp, true);
    if (vector == X86_EXC_BP && ctx->user_intercept) {
        /*
         * As KVM reports an intercepted int3: the address of the int3 itself. (For the
         * two-byte `int $3` this is its second byte, which is no breakpoint of ours: the
         * stop is the guest's own, and rip stays after the instruction, as it should.)
         */
        ev->kind = RUN_EVENT_DEBUG;
        ev->exit.reason = VM_EXIT_DEBUG;
        ev->exit.debug.exception = X86_EXC_BP;
        ev->exit.debug.pc = rip - 1;
        return USER_TRAP_EVENT;
    }
    /*
     * A #DB is the debugger's only when it stepped: an execution breakpoint is an int3 in
     * user mode, and watchpoints are page traps. Any other (the guest's own int1/icebp or
     * trap flag) is the guest's, offered to its ABI below as without a debugger: swallowed
     * here, a trap flag the guest set would raise it again after every instruction.
     */
    if (vector == X86_EXC_DB && stepped) {
        ev->kind = RUN_EVENT_DEBUG;
        ev->exit.reason = VM_EXIT_DEBUG;
        ev->exit.debug.exception = X86_EXC_DB;
        ev->exit.debug.pc = rip;
        ev->exit.debug.dr6 = stepped ? DR6_BS : 0;
        return USER_TRAP_EVENT;
    }
    ev->kind = RUN_EVENT_TRAP;
    return offer_to_abi(ctx, &regs, &sregs, ev);
}

bool user_mode_finish_step(struct run_context *ctx, struct run_event *ev)
{
    if (!ctx->user_mode || !ctx->user_step_armed)
        return false;
    ctx->user_step_armed = false;
    struct vcpu_regs regs;
    if (vcpu_get_regs(ctx->vcpu, &regs) < 0) {
        ev->kind = RUN_EVENT_FAILED;
        ev->status = errno;
        return true;
    }
    if (regs.rflags & RFLAGS_TF) {
        regs.rflags &= ~RFLAGS_TF;
        if (vcpu_set_regs(ctx->vcpu, &regs) < 0) {
            ev->kind = RUN_EVENT_FAILED;
            ev->status = errno;
            return true;
        }
    }
    /* As the step's own #DB would report it, one instruction on. */
    memset(&ev->exit, 0, sizeof(ev->exit));
    ev->kind = RUN_EVENT_DEBUG;
    ev->exit.reason = VM_EXIT_DEBUG;
    ev->exit.debug.exception = X86_EXC_DB;
    ev->exit.debug.pc = regs.rip;
    ev->exit.debug.dr6 = DR6_BS;
    return true;
}

int user_mode_set_debug(struct run_context *ctx, const struct vcpu_debug *debug)
{
    if (!ctx->user_mode)
        return vcpu_set_debug(ctx->vcpu, debug);
    struct vcpu_debug kvm = *debug;
    ctx->user_intercept = debug->enabled && debug->intercept_int3;
    ctx->user_step = debug->enabled && debug->single_step;
    /* At CPL 3, int3 and the trap flag reach the guest's IDT, that is the shim. */
    kvm.single_step = false;
    kvm.intercept_int3 = false;
    return vcpu_set_debug(ctx->vcpu, &kvm);
}

int user_mode_arm_step(struct run_context *ctx)
{
    if (!ctx->user_mode || !ctx->user_step)
        return 0;
    struct vcpu_regs regs;
    if (vcpu_get_regs(ctx->vcpu, &regs) < 0)
        return -1;
    ctx->user_step_rip = regs.rip;
    ctx->user_step_armed = true;
    if (regs.rflags & RFLAGS_TF)
        return 0;
    regs.rflags |= RFLAGS_TF;
    return vcpu_set_regs(ctx->vcpu, &regs);
}

void user_mode_disarm_step(struct run_context *ctx)
{
    if (!ctx->user_mode || !ctx->user_step_armed)
        return;
    ctx->user_step_armed = false;
    struct vcpu_regs regs;
    if (vcpu_get_regs(ctx->vcpu, &regs) == 0 && (regs.rflags & RFLAGS_TF)) {
        regs.rflags &= ~RFLAGS_TF;
        vcpu_set_regs(ctx->vcpu, &regs);
    }
}

void user_mode_back_to_fault(struct run_context *ctx, const struct run_event *ev)
{
    struct vcpu_regs regs;
    if (vcpu_get_regs(ctx->vcpu, &regs) == 0) {
        regs.rip = ev->frame.rip;
        vcpu_set_regs(ctx->vcpu, &regs);
    }
}
