/*
 * gdb_target.c: gdb's target operations on the debug core (see gdb_target.h).
 *
 * Register numbers follow the stub's target description (gdbstub/gdb_target.h): the
 * general registers from the vCPU's register snapshot, segments and system registers
 * from its system registers, x87/SSE from its FPU state.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "debug_env.h"
#include "gdb_target.h"
#include "shell/command.h"
#include "ukvm/crash/guest_signal.h"
#include "ukvm/debug/reverse.h"

static struct ukvm_gdb_target *target_of(void *ctx)
{
    return ctx;
}

static uint64_t *gpr_slot(struct vcpu_regs *r, unsigned regno)
{
    uint64_t *slots[] = {&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
                         &r->rbp, &r->rsp, &r->r8,  &r->r9,  &r->r10, &r->r11,
                         &r->r12, &r->r13, &r->r14, &r->r15, &r->rip};
    return regno <= GDB_REG_RIP ? slots[regno] : NULL;
}

static struct vcpu_segment *segment_slot(struct vcpu_sregs *s, unsigned regno)
{
    struct vcpu_segment *slots[] = {&s->cs, &s->ss, &s->ds, &s->es, &s->fs, &s->gs};
    return regno >= GDB_REG_CS && regno <= GDB_REG_GS ? slots[regno - GDB_REG_CS] : NULL;
}

static uint64_t *sys_slot(struct vcpu_sregs *s, unsigned regno)
{
    switch (regno) {
    case GDB_REG_FS_BASE:
        return &s->fs.base;
    case GDB_REG_GS_BASE:
        return &s->gs.base;
    case GDB_REG_CR0:
        return &s->cr0;
    case GDB_REG_CR2:
        return &s->cr2;
    case GDB_REG_CR3:
        return &s->cr3;
    case GDB_REG_CR4:
        return &s->cr4;
    case GDB_REG_CR8:
        return &s->cr8;
    case GDB_REG_EFER:
        return &s->efer;
    }
    return NULL;
}

static bool is_fpu_reg(unsigned regno)
{
    return regno >= GDB_REG_ST0 && regno <= GDB_REG_MXCSR;
}

static int load_fpu(struct ukvm_gdb_target *t)
{
    if (!t->fpu_valid) {
        if (vcpu_get_fpu(t->core->run->vcpu, &t->fpu) < 0)
            return -1;
        t->fpu_valid = true;
    }
    return 0;
}

/* gdb shows the full x87 tag word (2 bits per register); KVM keeps the abridged one. */
static uint32_t full_tag_word(uint8_t abridged)
{
    uint32_t tag = 0;
    for (int i = 0; i < 8; i++)
        tag |= (abridged & (1u << i) ? 0u : 3u) << (2 * i);
    return tag;
}

static uint8_t abridged_tag_word(uint32_t full)
{
    uint8_t tag = 0;
    for (int i = 0; i < 8; i++)
        if (((full >> (2 * i)) & 3) != 3)
            tag |= (uint8_t)(1u << i);
    return tag;
}

/* The 4-byte x87 control registers, as gdb numbers them. */
static uint32_t fpu_ctrl_get(const struct vcpu_fpu *f, unsigned regno)
{
    switch (regno) {
    case GDB_REG_FCTRL:
        return f->fcw;
    case GDB_REG_FSTAT:
        return f->fsw;
    case GDB_REG_FTAG:
        return full_tag_word(f->ftw);
    case GDB_REG_FISEG:
        return (uint32_t)(f->fip >> 32);
    case GDB_REG_FIOFF:
        return (uint32_t)f->fip;
    case GDB_REG_FOSEG:
        return (uint32_t)(f->fdp >> 32);
    case GDB_REG_FOOFF:
        return (uint32_t)f->fdp;
    case GDB_REG_FOP:
        return f->fop;
    case GDB_REG_MXCSR:
        return f->mxcsr;
    }
    return 0;
}

static void fpu_ctrl_set(struct vcpu_fpu *f, unsigned regno, uint32_t v)
{
    switch (regno) {
    case GDB_REG_FCTRL:
        f->fcw = (uint16_t)v;
        break;
    case GDB_REG_FSTAT:
        f->fsw = (uint16_t)v;
        break;
    case GDB_REG_FTAG:
        f->ftw = abridged_tag_word(v);
        break;
    case GDB_REG_FISEG:
        f->fip = (f->fip & 0xffffffffULL) | (uint64_t)v << 32;
        break;
    case GDB_REG_FIOFF:
        f->fip = (f->fip & ~0xffffffffULL) | v;
        break;
    case GDB_REG_FOSEG:
        f->fdp = (f->fdp & 0xffffffffULL) | (uint64_t)v << 32;
        break;
    case GDB_REG_FOOFF:
        f->fdp = (f->fdp & ~0xffffffffULL) | v;
        break;
    case GDB_REG_FOP:
        f->fop = (uint16_t)v;
        break;
    case GDB_REG_MXCSR:
        f->mxcsr = v;
        break;
    }
}

static int fpu_access(struct ukvm_gdb_target *t, unsigned regno, void *buf, bool write)
{
    if (load_fpu(t) < 0)
        return -1;
    struct vcpu_fpu *f = &t->fpu;
    void *field = NULL;
    if (regno >= GDB_REG_ST0 && regno < GDB_REG_ST0 + 8)
        field = f->st[regno - GDB_REG_ST0];
    else if (regno >= GDB_REG_XMM0 && regno < GDB_REG_XMM0 + 16)
        field = f->xmm[regno - GDB_REG_XMM0];
    if (field) {
        if (write)
            memcpy(field, buf, gdb_reg_size(regno));
        else
            memcpy(buf, field, gdb_reg_size(regno));
    } else if (write) {
        uint32_t v;
        memcpy(&v, buf, 4);
        fpu_ctrl_set(f, regno, v);
    } else {
        uint32_t v = fpu_ctrl_get(f, regno);
        memcpy(buf, &v, 4);
    }
    if (write && vcpu_set_fpu(t->core->run->vcpu, f) < 0) {
        t->fpu_valid = false;
        return -1;
    }
    return 0;
}

static int read_reg(void *ctx, unsigned regno, void *buf)
{
    struct ukvm_gdb_target *t = target_of(ctx);
    struct vcpu *vcpu = t->core->run->vcpu;
    if (regno >= GDB_REG_COUNT)
        return -1;
    if (is_fpu_reg(regno))
        return fpu_access(t, regno, buf, false);
    if (regno <= GDB_REG_EFLAGS) {
        struct vcpu_regs r;
        if (vcpu_get_regs(vcpu, &r) < 0)
            return -1;
        if (regno == GDB_REG_EFLAGS) {
            uint32_t v = (uint32_t)r.rflags;
            memcpy(buf, &v, 4);
        } else {
            memcpy(buf, gpr_slot(&r, regno), 8);
        }
        return 0;
    }
    struct vcpu_sregs s;
    if (vcpu_get_sregs(vcpu, &s) < 0)
        return -1;
    struct vcpu_segment *seg = segment_slot(&s, regno);
    if (seg) {
        uint32_t v = seg->selector;
        memcpy(buf, &v, 4);
        return 0;
    }
    uint64_t *sys = sys_slot(&s, regno);
    if (!sys)
        return -1;
    memcpy(buf, sys, 8);
    return 0;
}

static int write_reg(void *ctx, unsigned regno, const void *buf)
{
    struct ukvm_gdb_target *t = target_of(ctx);
    struct vcpu *vcpu = t->core->run->vcpu;
    if (regno >= GDB_REG_COUNT || debug_core_ended(t->core))
        return -1;
    if (debug_core_in_past(t->core)) {
        fprintf(stderr, "ukvm: refused a write of register %s: %s\n", gdb_reg_name(regno),
                DEBUG_CORE_PAST_ERROR);
        return -1;
    }
    debug_core_changed_guest(t->core);
    if (is_fpu_reg(regno))
        return fpu_access(t, regno, (void *)buf, true);
    if (regno <= GDB_REG_EFLAGS) {
        struct vcpu_regs r;
        if (vcpu_get_regs(vcpu, &r) < 0)
            return -1;
        if (regno == GDB_REG_EFLAGS) {
            uint32_t v;
            memcpy(&v, buf, 4);
            r.rflags = (r.rflags & ~0xffffffffULL) | v;
        } else {
            memcpy(gpr_slot(&r, regno), buf, 8);
        }
        /*
         * A new rip takes the guest out of a hypercall a stop interrupted (an hvt POLL
         * waiting on): it is not resumed where gdb sent the guest elsewhere.
         */
        if (regno == GDB_REG_RIP)
            t->core->run->hc_pending = false;
        return vcpu_set_regs(vcpu, &r);
    }
    struct vcpu_sregs s;
    if (vcpu_get_sregs(vcpu, &s) < 0)
        return -1;
    /* Selectors are not writable: their hidden descriptor state would go out of sync. */
    if (segment_slot(&s, regno))
        return -1;
    uint64_t *sys = sys_slot(&s, regno);
    if (!sys)
        return -1;
    memcpy(sys, buf, 8);
    return vcpu_set_sregs(vcpu, &s);
}

static long read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    return debug_core_read(target_of(ctx)->core, addr, buf, len);
}

static int write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    return debug_core_write(target_of(ctx)->core, addr, buf, len);
}

static enum watch_kind watch_kind_of(enum gdb_bp_type type)
{
    return type == GDB_WP_WRITE ? WATCH_WRITE : type == GDB_WP_READ ? WATCH_READ : WATCH_ACCESS;
}

static int insert_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len)
{
    struct debug_core *core = target_of(ctx)->core;
    char err[512];
    switch (type) {
    case GDB_BP_SOFTWARE:
        return debug_core_insert_sw(core, addr);
    case GDB_BP_HARDWARE:
        return debug_core_insert_hw(core, addr);
    case GDB_WP_WRITE:
    case GDB_WP_READ:
    case GDB_WP_ACCESS:
        if (debug_core_insert_watch(core, watch_kind_of(type), addr, len, err, sizeof(err)) == 0)
            return 0;
        /*
         * gdb 13 shows only "Could not insert hardware watchpoint N" for an error reply
         * (it drops E.text for Z packets), so the reason goes to ukvm's stderr too.
         */
        fprintf(stderr, "ukvm: %s\n", err);
        return -1;
    }
    return 1;
}

static int remove_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len)
{
    struct debug_core *core = target_of(ctx)->core;
    switch (type) {
    case GDB_BP_SOFTWARE:
        return debug_core_remove_sw(core, addr);
    case GDB_BP_HARDWARE:
        return debug_core_remove_hw(core, addr);
    case GDB_WP_WRITE:
    case GDB_WP_READ:
    case GDB_WP_ACCESS:
        return debug_core_remove_watch(core, watch_kind_of(type), addr, len);
    }
    return 1;
}

/*
 * gdb's number for a host signal: the guest's fatal signals (guest_signal.h) and the
 * stop signals that can end ukvm (SIGINT, SIGTERM, SIGKILL). gdb numbers signals its own
 * way (GDB_SIGNAL_*), equal to Linux's only by history, so each is mapped by name.
 */
static int gdb_signal_of_host(int signo)
{
    switch (signo) {
    case SIGINT:
        return GDB_SIGNAL_INT;
    case SIGILL:
        return GDB_SIGNAL_ILL;
    case SIGTRAP:
        return GDB_SIGNAL_TRAP;
    case SIGABRT:
        return GDB_SIGNAL_ABRT;
    case SIGFPE:
        return GDB_SIGNAL_FPE;
    case SIGKILL:
        return GDB_SIGNAL_KILL;
    case SIGSEGV:
        return GDB_SIGNAL_SEGV;
    default:
        return 15; /* gdb's SIGTERM: the only other signal that ends ukvm */
    }
}

static void convert_stop(const struct debug_core *core, struct gdb_stop *out)
{
    const struct debug_stop *s = &core->stop;
    memset(out, 0, sizeof(*out));
    out->kind = GDB_STOP_SIGNAL;
    out->signal = GDB_SIGNAL_TRAP;
    snprintf(out->message, sizeof(out->message), "%s", s->message);
    switch (s->reason) {
    case DEBUG_STOP_HISTORY_BEGIN:
        out->history_begin = true;
        break;
    case DEBUG_STOP_ENTRY:
    case DEBUG_STOP_STEP:
    case DEBUG_STOP_RECORD_MARK: /* never reported: reverse execution's own */
    case DEBUG_STOP_GUEST_INT3:
    case DEBUG_STOP_WATCH_LIFTED: /* SIGTRAP, the message on gdb's console */
        break;
    case DEBUG_STOP_SW_BREAK:
        out->reason = GDB_REASON_SWBREAK;
        break;
    case DEBUG_STOP_HW_BREAK:
        out->reason = GDB_REASON_HWBREAK;
        break;
    case DEBUG_STOP_WATCH:
        out->reason = s->watch_kind == WATCH_WRITE  ? GDB_REASON_WATCH
                      : s->watch_kind == WATCH_READ ? GDB_REASON_RWATCH
                                                    : GDB_REASON_AWATCH;
        out->watch_addr = s->watch_addr;
        break;
    case DEBUG_STOP_INTERRUPT:
        out->signal = GDB_SIGNAL_INT;
        break;
    case DEBUG_STOP_FAULT:
    case DEBUG_STOP_ABORT:
    case DEBUG_STOP_CRASH:
        /* The event that made the stop fatal: the signal a core of it shows too. */
        out->signal = gdb_signal_of_host(guest_signal_of_event(&core->fatal_event));
        break;
    case DEBUG_STOP_EXITED:
        if (s->signal) {
            out->kind = GDB_STOP_KILLED;
            out->signal = gdb_signal_of_host(s->signal);
        } else {
            out->kind = GDB_STOP_EXITED;
            out->exit_status = s->exit_status;
        }
        break;
    }
}

static int resume(void *ctx, enum gdb_resume_action action, struct gdb_stop *stop)
{
    struct ukvm_gdb_target *t = target_of(ctx);
    struct debug_stop ds;
    t->fpu_valid = false;
    int rc;
    if (action == GDB_RESUME_REVERSE_STEP || action == GDB_RESUME_REVERSE_CONTINUE) {
        rc = debug_core_reverse(t->core, action == GDB_RESUME_REVERSE_STEP, &ds);
        convert_stop(t->core, stop);
        if (rc < 0) /* why, on gdb's console; the guest stays where it is */
            snprintf(stop->message, sizeof(stop->message), "%s", ds.message);
        return 0;
    }
    /* Never a step off a breakpoint of our own: gdb does that itself (debug_core.h). */
    rc = debug_core_resume(t->core, action == GDB_RESUME_STEP, false, &ds);
    convert_stop(t->core, stop);
    return rc;
}

static bool can_reverse(void *ctx)
{
    return target_of(ctx)->core->record != NULL;
}

static void interrupt(void *ctx)
{
    debug_core_request_stop(target_of(ctx)->core);
}

static void stop_status(void *ctx, struct gdb_stop *stop)
{
    convert_stop(target_of(ctx)->core, stop);
}

/* `monitor CMD`: the shell's command table on the same view of the guest (debug_env.h). */
static int monitor(void *ctx, const char *command, FILE *out)
{
    struct command_env env;
    debug_core_command_env(target_of(ctx)->core, &env);
    return command_execute(&env, command, out);
}

static void session_end(void *ctx, enum gdb_session_end how)
{
    (void)how; /* the front end acts on how; every ending removes the breakpoints */
    debug_core_clear_breakpoints(target_of(ctx)->core);
}

const struct gdb_target_ops ukvm_gdb_target_ops = {
    .read_reg = read_reg,
    .write_reg = write_reg,
    .read_mem = read_mem,
    .write_mem = write_mem,
    .insert_bp = insert_bp,
    .remove_bp = remove_bp,
    .resume = resume,
    .interrupt = interrupt,
    .stop_status = stop_status,
    .monitor = monitor,
    .session_end = session_end,
    .can_reverse = can_reverse,
};
