/*
 * fault_site.c: the vCPU back at the instruction of a fatal port or MMIO exit (see
 * fault_site.h).
 */
#include <stdbool.h>
#include <string.h>

#include "fault_site.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/inspect/pagewalk.h"
#include "ukvm/inspect/x86_operand.h"

#define INSN_MAX 15

/* What a candidate instruction must do to be the exit's. */
struct site_env {
    const struct vm_exit *exit;
    const struct vcpu_regs *regs;
    uint64_t fs_base, gs_base;
    int (*translate)(void *ctx, uint64_t va, uint64_t *gpa);
    void *ctx;
};

/* Does a store of size bytes at ea (plus the segment's base) make the exit's access? */
static bool store_matches(const struct site_env *env, uint64_t ea, unsigned size)
{
    const struct vm_exit *exit = env->exit;
    uint64_t gpa;
    return exit->reason == VM_EXIT_MMIO && exit->mmio.is_write && exit->mmio.len == size &&
           env->translate(env->ctx, ea, &gpa) == 0 && gpa == exit->mmio.gpa;
}

/* Is code[0, k) one whole instruction (ending at end) that makes the exit's access? */
static bool decodes_as_access(const uint8_t *code, unsigned k, uint64_t end,
                              const struct site_env *env)
{
    struct x86_cursor c = {.b = code, .n = k};
    bool opsize = false, addr32 = false;
    uint8_t rex = 0;
    uint64_t seg = 0;
    uint8_t op = x86_cursor_next(&c);
    for (;; op = x86_cursor_next(&c)) {
        if (op == 0x66)
            opsize = true;
        else if (op == 0x67)
            addr32 = true;
        else if (op == 0x64)
            seg = env->fs_base;
        else if (op == 0x65)
            seg = env->gs_base;
        else if (op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e)
            ; /* null segments in 64-bit mode */
        else if (op >= 0x40 && op <= 0x4f && !rex)
            rex = op; /* a REX prefix comes last: the opcode must follow */
        else
            break;
        if (rex && op != rex)
            return false; /* a legacy prefix after REX: not an encoding compilers make */
        if (c.bad)
            return false;
    }
    const struct vm_exit *exit = env->exit;
    unsigned wide = (rex & 8) ? 8 : opsize ? 2 : 4;
    unsigned size = 0;
    struct x86_modrm m;
    uint64_t ea;
    switch (op) {
    case 0xe4: /* in/out with an 8-bit port number, then with the port in dx */
    case 0xe5:
    case 0xe6:
    case 0xe7:
    case 0xec:
    case 0xed:
    case 0xee:
    case 0xef: {
        uint16_t port = op < 0xec ? (uint16_t)x86_cursor_next(&c) : (uint16_t)env->regs->rdx;
        size = (op & 1) ? (opsize ? 2 : 4) : 1;
        bool out = op == 0xe6 || op == 0xe7 || op == 0xee || op == 0xef;
        return !c.bad && c.pos == k && exit->reason == VM_EXIT_IO && exit->io.port == port &&
               exit->io.size == size && exit->io.is_write == out;
    }
    case 0x88: /* mov r8 -> r/m8 */
    case 0x89: /* mov r -> r/m */
    case 0xc6: /* mov imm8 -> r/m8 */
    case 0xc7: /* mov imm -> r/m */
        size = (op & 1) ? wide : 1;
        x86_modrm_read(&c, rex, env->regs, &m);
        /* rip-relative addresses count from the end, past a mov's immediate too */
        if (!m.memory || (op >= 0xc6 && (m.reg & 7) != 0))
            return false;
        ea = m.ea + (m.rip_relative ? end : 0);
        if (op == 0xc6)
            x86_cursor_next(&c);
        else if (op == 0xc7)
            x86_cursor_le(&c, opsize ? 2 : 4);
        break;
    case 0xa2: /* mov al -> moffs8 */
    case 0xa3: /* mov eAX -> moffs */
        size = op == 0xa2 ? 1 : wide;
        ea = x86_cursor_le(&c, addr32 ? 4 : 8);
        addr32 = false;
        break;
    default:
        return false;
    }
    if (c.bad || c.pos != k)
        return false;
    if (addr32)
        ea &= 0xffffffffULL;
    return store_matches(env, ea + seg, size);
}

unsigned fault_site_length(const uint8_t *code, unsigned n, uint64_t end,
                           const struct vm_exit *exit, const struct vcpu_regs *regs,
                           uint64_t fs_base, uint64_t gs_base,
                           int (*translate)(void *ctx, uint64_t va, uint64_t *gpa), void *ctx)
{
    struct site_env env = {.exit = exit,
                           .regs = regs,
                           .fs_base = fs_base,
                           .gs_base = gs_base,
                           .translate = translate,
                           .ctx = ctx};
    /* The shortest that fits: a longer one would have to end in this one's bytes. */
    for (unsigned k = 1; k <= n && k <= INSN_MAX; k++)
        if (decodes_as_access(code + n - k, k, end, &env))
            return k;
    return 0;
}

struct walk_ctx {
    struct guest_access mem;
    const struct vcpu_sregs *sregs;
};

/* Guest-virtual to guest-physical, also for pages outside guest memory (MMIO). */
static int translate_va(void *ctx, uint64_t va, uint64_t *gpa)
{
    struct walk_ctx *w = ctx;
    struct pagewalk_result walk;
    if (pagewalk_translate(&w->mem, w->sregs->cr0, w->sregs->cr3, w->sregs->cr4, w->sregs->efer, va,
                           &walk) < 0)
        return -1;
    *gpa = walk.pa;
    return 0;
}

/* The length of the instruction that ends at rip and made ev's access; 0 if unknown. */
static unsigned length_before(struct run_context *ctx, const struct run_event *ev,
                              const struct vcpu_regs *regs)
{
    struct vcpu_sregs sregs;
    if (vcpu_get_sregs(ctx->vcpu, &sregs) < 0)
        return 0;
    uint8_t code[INSN_MAX];
    unsigned n = INSN_MAX;
    /* As many bytes before rip as are mapped (the page before may not be). */
    while (n > 0 &&
           guest_virt_read(ctx->mem, &sregs, regs->rip - n, code + INSN_MAX - n, n) != (long)n)
        n--;
    struct walk_ctx w = {.mem = guest_mem_access(ctx->mem), .sregs = &sregs};
    return fault_site_length(code + INSN_MAX - n, n, regs->rip, &ev->exit, regs, sregs.fs.base,
                             sregs.gs.base, translate_va, &w);
}

void fault_site_restore(struct run_context *ctx, struct run_event *ev)
{
    if (!ev->exit_pending)
        return;
    struct vcpu_regs at_exit, finished;
    if (vcpu_get_regs(ctx->vcpu, &at_exit) < 0 || vcpu_complete_pending_exit(ctx->vcpu) < 0 ||
        vcpu_get_regs(ctx->vcpu, &finished) < 0)
        return;
    ev->exit_pending = false;
    /*
     * Finishing the instruction moved rip: KVM had reported it at the instruction.
     * Otherwise it was past it already, by the instruction's length.
     */
    if (finished.rip == at_exit.rip)
        at_exit.rip -= length_before(ctx, ev, &at_exit);
    /* Everything else as at the exit: an `in` must not show what it would have loaded. */
    vcpu_set_regs(ctx->vcpu, &at_exit);
}
