/*
 * hvt_trap.c: the faulting context of a Solo5 guest that stopped on an exception.
 *
 * A Solo5 guest handles its own exceptions: its entry stub builds a trap frame, its C
 * handler prints "Solo5: trap: ..." and halts with status 255 and the frame's address as
 * the cookie. The hvt ABI carries no vector and only part of the registers, so the rest
 * is read around the frame, where the entry stub put it (include/solo5_hvt_abi.h):
 *
 *   cookie - 80   return address of the stub's call: inside the stub of the vector
 *   cookie - 72   r11 r10 r9 r8 rcx rdx rsi rdi rax   (rdi holds CR2 for vectors with an
 *                                                     error code: the stub loads CR2
 *                                                     through it before saving it)
 *   cookie        cr2 ec rip cs rflags rsp ss
 *
 * The vector is the IDT gate whose handler is the closest one at or below that return
 * address (a stub is a few dozen bytes). rbx, rbp and r12..r15 are not saved by the stub,
 * but the C handler it calls saves those it uses in its prologue, before changing them:
 * the pushes at the handler's entry, right below the return address, hold their values
 * at the fault. The prologue is read (a few instructions: pushes, register moves, a
 * rip-relative lea) to find them; a register it does not push is taken from the vCPU at
 * the HALT, which the handler's code may have changed.
 */
#include <string.h>

#include "hvt.h"
#include "ukvm/abi/core/trap_frame.h"

/* A stub's call into the C handler lies within this many bytes of the stub's start. */
#define STUB_MAX_SIZE 256

/* The handler address of IDT gate v at idt (identity-mapped), or 0 when absent. */
static uint64_t gate_handler(const struct guest_mem *mem, const struct vcpu_sregs *sregs,
                             unsigned v)
{
    uint8_t g[16];
    if ((uint64_t)v * 16 + 15 > sregs->idt.limit ||
        guest_mem_copy_in(mem, sregs->idt.base + (uint64_t)v * 16, g, sizeof(g)) < 0)
        return 0;
    if (!(g[5] & 0x80)) /* P */
        return 0;
    uint64_t lo = (uint64_t)g[0] | (uint64_t)g[1] << 8;
    uint64_t mid = (uint64_t)g[6] | (uint64_t)g[7] << 8;
    uint32_t hi;
    memcpy(&hi, g + 8, sizeof(hi));
    return lo | mid << 16 | (uint64_t)hi << 32;
}

/* The vector whose stub holds retaddr, or -1. */
static int vector_of(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t retaddr)
{
    int best = -1;
    uint64_t best_handler = 0;
    for (unsigned v = 0; v < 32; v++) {
        uint64_t h = gate_handler(mem, sregs, v);
        if (h && h <= retaddr && retaddr - h < STUB_MAX_SIZE && h >= best_handler) {
            best = (int)v;
            best_handler = h;
        }
    }
    return best;
}

/* Callee-saved registers, in the x86 register numbering (rax 0 ... r15 15). */
#define REG_RBX            3
#define REG_RBP            5
#define REG_R12            12
#define REG_R15            15
#define PROLOGUE_MAX_INSNS 8

static bool callee_saved(unsigned reg)
{
    return reg == REG_RBX || reg == REG_RBP || (reg >= REG_R12 && reg <= REG_R15);
}

/*
 * Reads the prologue of the handler the stub called (the call ends at retaddr) and, for
 * each callee-saved register it pushes before changing it, stores the pushed value
 * (below the return address at ret_slot) in value[reg] with found[reg] set.
 */
static void prologue_saves(const struct guest_mem *mem, uint64_t retaddr, uint64_t ret_slot,
                           uint64_t value[16], bool found[16])
{
    uint8_t call[5];
    int32_t rel;
    if (retaddr < 5 || guest_mem_copy_in(mem, retaddr - 5, call, sizeof(call)) < 0 ||
        call[0] != 0xe8)
        return; /* not a direct call: nothing to read */
    memcpy(&rel, call + 1, sizeof(rel));
    uint8_t code[48];
    if (guest_mem_copy_in(mem, retaddr + (uint64_t)(int64_t)rel, code, sizeof(code)) < 0)
        return;
    bool clobbered[16] = {false};
    unsigned pushes = 0, at = 0;
    for (unsigned n = 0; n < PROLOGUE_MAX_INSNS && at + 7 <= sizeof(code); n++) {
        const uint8_t *c = code + at;
        unsigned rex = (c[0] & 0xf0) == 0x40 ? c[0] : 0;
        const uint8_t *op = rex ? c + 1 : c;
        if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) { /* endbr64 */
            at += 4;
        } else if ((op[0] & 0xf8) == 0x50 && (rex & ~1u) == 0x40 * !!rex) { /* push */
            unsigned reg = (op[0] & 7) | (rex & 1 ? 8 : 0);
            pushes++;
            uint64_t v;
            if (callee_saved(reg) && !clobbered[reg] && !found[reg] &&
                guest_mem_copy_in(mem, ret_slot - 8 * pushes, &v, sizeof(v)) == 0) {
                value[reg] = v;
                found[reg] = true;
            }
            at += rex ? 2 : 1;
        } else if ((rex & 0xf8) == 0x48 && op[0] == 0x89 && (op[1] >> 6) == 3) { /* mov r,r */
            clobbered[(op[1] & 7) | (rex & 1 ? 8 : 0)] = true;
            at += 3;
        } else if ((rex & 0xf8) == 0x48 && op[0] == 0x8d && (op[1] & 0xc7) == 0x05) { /* lea */
            clobbered[((op[1] >> 3) & 7) | (rex & 4 ? 8 : 0)] = true;
            at += 7;
        } else {
            break; /* anything else may move rsp or change a register: stop reading */
        }
    }
}

void hvt_fatal_context(struct hc_context *ctx, enum hc_outcome *outcome, struct vcpu *vcpu)
{
    struct hvt_state *st = ctx->abi_state;
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    memset(&ctx->frame, 0, sizeof(ctx->frame));
    ctx->frame_partial = false;
    if (vcpu_get_regs(vcpu, &regs) < 0 || vcpu_get_sregs(vcpu, &sregs) < 0) {
        *outcome = HC_ABORT;
        snprintf(ctx->message, sizeof(ctx->message), "%s", "the vCPU's registers cannot be read");
        return;
    }
    trap_frame_from_regs(&regs, &ctx->frame);
    ctx->frame.cs = sregs.cs.selector;
    ctx->frame.ss = sregs.ss.selector;
    ctx->frame.vector = UKVM_ABORT_VECTOR;
    if (*outcome != HC_TRAP)
        return;
    if (!st) {
        *outcome = HC_ABORT; /* no state, no cookie: the halt's registers are all there is */
        return;
    }

    uint64_t cookie = st->halt_cookie;
    struct hvt_trap_regs t;
    uint64_t saved[HVT_TRAP_SAVED_REGS];
    uint64_t retaddr;
    if (cookie < HVT_TRAP_RETADDR_OFFSET ||
        guest_mem_copy_in(ctx->mem, cookie, &t, sizeof(t)) < 0 ||
        guest_mem_copy_in(ctx->mem, cookie - 8 * HVT_TRAP_SAVED_REGS, saved, sizeof(saved)) < 0 ||
        guest_mem_copy_in(ctx->mem, cookie - HVT_TRAP_RETADDR_OFFSET, &retaddr, sizeof(retaddr)) <
            0) {
        *outcome = HC_ABORT;
        return;
    }
    /* In user mode the vCPU holds the monitor's IDT; the guest's is in st. */
    if (st->guest_idt.limit)
        sregs.idt = st->guest_idt;
    int vector = vector_of(ctx->mem, &sregs, retaddr);
    if (vector < 0) {
        /* Not a frame the stubs built (or an IDT we cannot read): say so, keep the rest. */
        *outcome = HC_ABORT;
        snprintf(ctx->message, sizeof(ctx->message),
                 "the guest halted with a trap cookie at 0x%llx whose exception ukvm cannot "
                 "tell (no IDT stub calls from 0x%llx); the trap frame says rip 0x%llx",
                 (unsigned long long)cookie, (unsigned long long)retaddr,
                 (unsigned long long)t.rip);
        return;
    }
    struct ukvm_trap_frame *f = &ctx->frame;
    f->vector = (uint64_t)vector;
    f->error_code = t.ec;
    f->cr2 = t.cr2;
    f->rip = t.rip, f->cs = t.cs, f->rflags = t.rflags, f->rsp = t.rsp, f->ss = t.ss;
    /* saved[] in ascending addresses: r11 r10 r9 r8 rcx rdx rsi rdi rax. */
    f->r11 = saved[0], f->r10 = saved[1], f->r9 = saved[2], f->r8 = saved[3];
    f->rcx = saved[4], f->rdx = saved[5], f->rsi = saved[6], f->rdi = saved[7];
    f->rax = saved[8];
    uint64_t value[16] = {0};
    bool found[16] = {false};
    prologue_saves(ctx->mem, retaddr, cookie - HVT_TRAP_RETADDR_OFFSET, value, found);
    uint64_t *callee[16] = {[REG_RBX] = &f->rbx, [REG_RBP] = &f->rbp, [12] = &f->r12,
                            [13] = &f->r13,      [14] = &f->r14,      [15] = &f->r15};
    for (unsigned r = 0; r < 16; r++)
        if (callee[r]) {
            if (found[r])
                *callee[r] = value[r];
            else
                ctx->frame_partial = true; /* the HALT's value: maybe not the fault's */
        }
}
