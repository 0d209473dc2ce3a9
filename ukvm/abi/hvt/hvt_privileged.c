/*
 * hvt_privileged.c: a Solo5 hvt kernel at CPL 3 (see hvt.h, hvt_user_fault).
 *
 * Solo5's hvt kernel is built for CPL 0. At CPL 3 each of its privileged instructions
 * raises #GP, and the monitor does what the instruction would have done, then lets the
 * guest go on after it:
 *
 *   lgdt, lidt, ltr     remembered (the guest's IDT is where its exceptions go, its GDT
 *                       and task register give the IST stacks); the monitor's tables
 *                       stay loaded
 *   mov to %ds/%es/%ss/%fs/%gs, lretq
 *                       the user segments stay; lretq pops rip and cs
 *   cli, sti            nothing: no interrupt ever reaches the guest
 *   mov %crN, reg       the register's value (cr2: the address of the last page fault)
 *   wrmsr FS_BASE       the fs base (Solo5's TLS); any other MSR is a guest error
 *   in, out             handed to the run loop as a port access: a hypercall, or the same
 *                       guest error as a stray port access in kernel mode; string port
 *                       I/O (ins, outs, with or without rep) is a guest error
 *   hlt                 handed to the run loop: the end kernel mode's hlt exit gives
 *   rdtsc, rdtscp       handed to the run loop, which gives the counter's value: they
 *                       fault only in a recorded run, where the monitor sets CR4.TSD so
 *                       that the time the guest reads is recorded and replayed
 *
 * Other exceptions go to the guest's own handler through the IDT it loaded, on the stack
 * the CPU would switch to (the gate's IST stack, else the interrupted one), so that the
 * guest reports them itself ("Solo5: trap: ...") and halts with its trap frame, as under
 * solo5-hvt. iretq is not emulated: Solo5's handlers never return.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hvt.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/inspect/x86_decode.h"
#include "ukvm/inspect/x86_operand.h"

#define VECTOR_GP     13
#define VECTOR_PF     14
#define PF_EC_USER    4 /* the access came from CPL 3 */
#define MSR_FS_BASE   0xc0000100u
#define INSN_MAX      15
#define RFLAGS_TF     (1ull << 8)
#define RFLAGS_IF     (1ull << 9)
#define RFLAGS_NT     (1ull << 14)
#define RFLAGS_RF     (1ull << 16)
#define GATE_PRESENT  0x80
#define GATE_TYPE     0x0f
#define GATE_INTR     0x0e
#define TSS_IST1      0x24
#define SEG_USER_CODE 0x33 /* what the frame says: the code ran at CPL 3 */
#define SEG_USER_DATA 0x2b

/* One decoded instruction: its bytes, prefixes and where the decoder stands. */
struct insn {
    uint8_t b[INSN_MAX];
    struct x86_cursor c; /* over the bytes readable at rip */
    uint8_t rex;
    bool opsize;
};

/*
 * The ModRM byte's fields and, for a memory operand, its effective address (rip-relative
 * addresses count from the end of the operand, which is the instruction's end for every
 * instruction decoded here: none has an immediate after it). Returns false when the
 * operand is a register (*rm holds its number).
 */
static bool modrm(struct insn *in, const struct vcpu_regs *regs, unsigned *reg, unsigned *rm,
                  uint64_t *ea)
{
    struct x86_modrm m;
    x86_modrm_read(&in->c, in->rex, regs, &m);
    *reg = m.reg;
    *rm = m.rm;
    if (m.memory)
        *ea = m.ea + (m.rip_relative ? regs->rip + in->c.pos : 0);
    return m.memory;
}

/*
 * The ModRM byte of an instruction whose operand is always a register, whatever its mod
 * bits say (mov from and to a control register: the CPU ignores mod, and no SIB byte or
 * displacement follows).
 */
static void modrm_registers(struct insn *in, unsigned *reg, unsigned *rm)
{
    uint8_t m = x86_cursor_next(&in->c);
    *reg = ((m >> 3) & 7) | (in->rex & 4 ? 8 : 0);
    *rm = (m & 7) | (in->rex & 1 ? 8 : 0);
}

static enum user_fault_outcome refuse(struct user_fault *uf, const char *what)
{
    snprintf(uf->error, sizeof(uf->error),
             "%s at rip 0x%" PRIx64 " (a Solo5 hvt guest in user mode: ukvm emulates only "
             "what Solo5's kernel does)",
             what, uf->regs->rip);
    return USER_FAULT_GUEST_ERROR;
}

/* lgdt/lidt: the 10-byte pseudo-descriptor at ea. */
static bool read_dtable(struct user_fault *uf, uint64_t ea, uint64_t *base, uint16_t *limit)
{
    uint8_t d[10];
    if (guest_virt_read(uf->mem, uf->sregs, ea, d, sizeof(d)) != (long)sizeof(d))
        return false;
    memcpy(limit, d, 2);
    memcpy(base, d + 2, 8);
    return true;
}

static enum user_fault_outcome port_access(struct user_fault *uf, struct insn *in, uint8_t op)
{
    bool imm = op == 0xe4 || op == 0xe5 || op == 0xe6 || op == 0xe7;
    uf->port = imm ? x86_cursor_next(&in->c) : (uint16_t)uf->regs->rdx;
    uf->size = (op & 1) ? (in->opsize ? 2 : 4) : 1;
    uf->is_write = op == 0xe6 || op == 0xe7 || op == 0xee || op == 0xef;
    uf->value = (uint32_t)uf->regs->rax;
    if (uf->size < 4)
        uf->value &= (1u << (8 * uf->size)) - 1;
    if (in->c.bad)
        return USER_FAULT_NOT_MINE;
    uf->regs->rip += in->c.pos;
    return USER_FAULT_PORT;
}

/* The two-byte opcodes (0f xx). */
static enum user_fault_outcome twobyte(struct user_fault *uf, struct hvt_state *st, struct insn *in)
{
    uint8_t op = x86_cursor_next(&in->c);
    unsigned reg, rm;
    uint64_t ea = 0;
    switch (op) {
    case 0x00: { /* group 6: ltr is /3 */
        bool mem = modrm(in, uf->regs, &reg, &rm, &ea);
        if ((reg & 7) != 3)
            return USER_FAULT_NOT_MINE;
        uint16_t sel;
        if (!mem)
            sel = (uint16_t)*x86_gpr(uf->regs, rm);
        else if (guest_virt_read(uf->mem, uf->sregs, ea, &sel, sizeof(sel)) != sizeof(sel))
            return refuse(uf, "ltr from unmapped memory");
        st->guest_tr = sel;
        break;
    }
    case 0x31: /* rdtsc */
        uf->insn_len = (uint8_t)in->c.pos;
        uf->tsc_aux = false;
        return USER_FAULT_TSC;
    case 0x01: { /* group 7: lgdt /2, lidt /3; rdtscp is 0f 01 f9 */
        if (in->c.pos < in->c.n && in->b[in->c.pos] == 0xf9) {
            uf->insn_len = (uint8_t)(in->c.pos + 1);
            uf->tsc_aux = true;
            return USER_FAULT_TSC;
        }
        if (!modrm(in, uf->regs, &reg, &rm, &ea) || ((reg & 7) != 2 && (reg & 7) != 3))
            return USER_FAULT_NOT_MINE;
        uint64_t base;
        uint16_t limit;
        if (!read_dtable(uf, ea, &base, &limit))
            return refuse(uf, (reg & 7) == 2 ? "lgdt from unmapped memory"
                                             : "lidt from unmapped memory");
        if ((reg & 7) == 2)
            st->guest_gdt = (struct vcpu_dtable){.base = base, .limit = limit};
        else
            st->guest_idt = (struct vcpu_dtable){.base = base, .limit = limit};
        break;
    }
    case 0x20: { /* mov %crN, reg */
        modrm_registers(in, &reg, &rm);
        const struct vcpu_sregs *s = uf->sregs;
        uint64_t value;
        switch (reg) {
        case 0:
            value = s->cr0;
            break;
        case 2:
            value = s->cr2;
            break;
        case 3:
            value = s->cr3;
            break;
        case 4:
            value = s->cr4;
            break;
        default:
            return refuse(uf, "read of a control register other than cr0, cr2, cr3, cr4");
        }
        if (in->c.bad)
            return USER_FAULT_NOT_MINE;
        *x86_gpr(uf->regs, rm) = value;
        break;
    }
    case 0x22:
        return refuse(uf, "write to a control register");
    case 0x30: { /* wrmsr */
        uint32_t msr = (uint32_t)uf->regs->rcx;
        if (msr != MSR_FS_BASE) {
            char what[80];
            snprintf(what, sizeof(what), "wrmsr to MSR 0x%x (only FS_BASE, 0x%x, is emulated)", msr,
                     MSR_FS_BASE);
            return refuse(uf, what);
        }
        uint64_t base = (uf->regs->rdx << 32) | (uint32_t)uf->regs->rax;
        /* A CPU raises #GP for a non-canonical base; KVM would refuse it outright. */
        if (!x86_is_canonical(base))
            return refuse(uf, "wrmsr FS_BASE with a non-canonical base");
        uf->sregs->fs.base = base;
        break;
    }
    case 0x32:
        return refuse(uf, "rdmsr");
    default:
        return USER_FAULT_NOT_MINE;
    }
    if (in->c.bad)
        return USER_FAULT_NOT_MINE;
    uf->regs->rip += in->c.pos;
    return USER_FAULT_DONE;
}

static enum user_fault_outcome emulate(struct user_fault *uf, struct hvt_state *st)
{
    struct insn in = {.rex = 0};
    long n = guest_virt_read(uf->mem, uf->sregs, uf->regs->rip, in.b, sizeof(in.b));
    if (n <= 0)
        return USER_FAULT_NOT_MINE;
    in.c = (struct x86_cursor){.b = in.b, .n = (unsigned)n};
    uint8_t op = x86_cursor_next(&in.c);
    for (; in.c.pos < 5 && (op == 0x66 || (op >= 0x40 && op <= 0x4f));
         op = x86_cursor_next(&in.c)) {
        if (op == 0x66)
            in.opsize = true;
        else
            in.rex = op;
    }
    unsigned reg, rm;
    uint64_t ea;
    switch (op) {
    case 0xfa: /* cli */
    case 0xfb: /* sti */
        break;
    case 0xf4: /* hlt */
        uf->regs->rip += in.c.pos;
        return USER_FAULT_HLT;
    case 0xe4:
    case 0xe5:
    case 0xe6:
    case 0xe7:
    case 0xec:
    case 0xed:
    case 0xee:
    case 0xef:
        return port_access(uf, &in, op);
    case 0xf2:
    case 0xf3: /* rep: refused below when it prefixes a string port instruction */
        if (in.c.pos >= in.c.n || (in.b[in.c.pos] & 0xfc) != 0x6c)
            return USER_FAULT_NOT_MINE;
        /* fall through */
    case 0x6c:
    case 0x6d:
    case 0x6e:
    case 0x6f:
        /* Hypercalls are single 4-byte outs, as in kernel mode, which refuses these too. */
        return refuse(uf, "string port I/O (ins/outs)");
    case 0x8e: /* mov r/m16, Sreg */
        modrm(&in, uf->regs, &reg, &rm, &ea);
        break;
    case 0xcb: { /* lret: lretq with REX.W */
        if (!(in.rex & 8))
            return refuse(uf, "32-bit far return (lret)");
        uint64_t popped[2];
        if (guest_virt_read(uf->mem, uf->sregs, uf->regs->rsp, popped, sizeof(popped)) !=
            (long)sizeof(popped))
            return refuse(uf, "lretq with an unmapped stack");
        uf->regs->rsp += sizeof(popped);
        uf->regs->rip = popped[0]; /* cs (popped[1]): the user code segment stays */
        return USER_FAULT_DONE;
    }
    case 0xcf:
        return refuse(uf, "iretq (ukvm does not emulate a return from an exception handler)");
    case 0x0f:
        return twobyte(uf, st, &in);
    default:
        return USER_FAULT_NOT_MINE;
    }
    if (in.c.bad)
        return USER_FAULT_NOT_MINE;
    uf->regs->rip += in.c.pos;
    return USER_FAULT_DONE;
}

/* The guest's IST stack n, through the TSS its task register names in its GDT, or 0. */
static uint64_t ist_stack(const struct user_fault *uf, const struct hvt_state *st, unsigned n)
{
    uint8_t d[16];
    uint64_t off = st->guest_tr & ~7u;
    if (off + 15 > st->guest_gdt.limit ||
        guest_virt_read(uf->mem, uf->sregs, st->guest_gdt.base + off, d, sizeof(d)) != 16)
        return 0;
    uint32_t hi;
    memcpy(&hi, d + 8, 4);
    uint64_t tss = (uint64_t)d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 |
                   (uint64_t)d[7] << 24 | (uint64_t)hi << 32;
    uint64_t rsp = 0;
    if (guest_virt_read(uf->mem, uf->sregs, tss + TSS_IST1 + 8 * (n - 1), &rsp, 8) != 8)
        return 0;
    return rsp;
}

/* Delivers the exception through the guest's own IDT, as the CPU at CPL 0 would. */
static enum user_fault_outcome deliver(struct user_fault *uf, const struct hvt_state *st)
{
    uint8_t g[16];
    uint64_t v = uf->vector;
    if (st->guest_idt.limit == 0 || v * 16 + 15 > st->guest_idt.limit ||
        guest_virt_read(uf->mem, uf->sregs, st->guest_idt.base + v * 16, g, sizeof(g)) != 16 ||
        !(g[5] & GATE_PRESENT))
        return USER_FAULT_NOT_MINE;
    uint32_t hi;
    memcpy(&hi, g + 8, 4);
    uint64_t handler = (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 |
                       (uint64_t)g[7] << 24 | (uint64_t)hi << 32;
    /*
     * A handler that faults on its first instruction (not mapped, or the monitor's page)
     * would be delivered to forever; a CPU would take a double fault: report this one.
     */
    if (handler == uf->regs->rip)
        return USER_FAULT_NOT_MINE;
    unsigned ist = g[4] & 7;
    uint64_t rsp = ist ? ist_stack(uf, st, ist) : uf->regs->rsp;
    if (rsp == 0)
        return USER_FAULT_NOT_MINE;
    rsp &= ~15ull; /* as the CPU aligns it in 64-bit mode */
    struct vcpu_regs *r = uf->regs;
    /* The guest believes it runs at CPL 0: a page fault's error code says so too. */
    uint64_t ec = uf->vector == VECTOR_PF ? uf->error_code & ~PF_EC_USER : uf->error_code;
    uint64_t frame[6] = {ec, r->rip, SEG_USER_CODE, r->rflags, r->rsp, SEG_USER_DATA};
    bool has_code = x86_exception_has_error_code(uf->vector);
    const uint64_t *push = has_code ? frame : frame + 1;
    size_t words = has_code ? 6 : 5;
    rsp -= words * 8;
    /* A stack the CPU could not push to would be a double fault: report the first one. */
    /*
     * Only where the guest's own code could write: the stack and the IST pointers are the
     * guest's choice, and the monitor's pages (shim, GDT, TSS) must stay out of reach.
     */
    if (guest_virt_write_as_user(uf->mem, uf->sregs, rsp, push, words * 8) < 0)
        return USER_FAULT_NOT_MINE;
    r->rsp = rsp;
    r->rip = handler;
    r->rflags &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF);
    if ((g[5] & GATE_TYPE) == GATE_INTR)
        r->rflags &= ~RFLAGS_IF;
    return USER_FAULT_DONE;
}

enum user_fault_outcome hvt_user_fault(struct user_fault *uf)
{
    struct hvt_state *st = uf->abi_state;
    if (!st)
        return USER_FAULT_NOT_MINE;
    if (uf->vector == VECTOR_GP) {
        enum user_fault_outcome o = emulate(uf, st);
        if (o != USER_FAULT_NOT_MINE)
            return o;
    }
    return deliver(uf, st);
}
