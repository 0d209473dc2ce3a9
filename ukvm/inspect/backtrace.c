/*
 * backtrace.c: unwind the guest stack with elfutils, frame pointers as the fallback.
 *
 * elfutils unwinds a "process" through callbacks: ukvm presents the guest as a
 * process with one thread whose initial registers are the vCPU's and whose memory is
 * read through a guest_access. Frame 0 is then an activation (its pc is exact, as at a
 * fault) and every caller's CFI is looked up at its return address minus one.
 *
 * Everything the unwinder reads comes from the guest, so every loop here is bounded
 * by max and by the stack pointer having to move up at every frame.
 */
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "symbolize_priv.h"

/* DWARF register numbers on x86-64 (System V psABI, figure 3.36). */
enum {
    DWREG_RAX,
    DWREG_RDX,
    DWREG_RCX,
    DWREG_RBX,
    DWREG_RSI,
    DWREG_RDI,
    DWREG_RBP,
    DWREG_RSP,
    DWREG_R8,
    DWREG_R9,
    DWREG_R10,
    DWREG_R11,
    DWREG_R12,
    DWREG_R13,
    DWREG_R14,
    DWREG_R15,
    DWREG_RIP,
    DWREG_NREGS
};

#define GUEST_TID 1 /* the one "thread": elfutils wants a positive id */

static pid_t bt_next_thread(Dwfl *dwfl, void *dwfl_arg, void **thread_argp)
{
    (void)dwfl;
    if (*thread_argp != NULL)
        return 0; /* no more threads */
    *thread_argp = dwfl_arg;
    return GUEST_TID;
}

static bool bt_get_thread(Dwfl *dwfl, pid_t tid, void *dwfl_arg, void **thread_argp)
{
    (void)dwfl;
    if (tid != GUEST_TID)
        return false;
    *thread_argp = dwfl_arg;
    return true;
}

static bool read_u64(const struct guest_access *mem, uint64_t addr, uint64_t *val)
{
    if (!mem || !mem->read_phys || addr > UINT64_MAX - 8)
        return false;
    return mem->read_phys(mem->ctx, addr, val, sizeof(*val)) == 0;
}

static bool bt_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *dwfl_arg)
{
    (void)dwfl;
    const struct symbolizer *sym = dwfl_arg;
    uint64_t val;
    if (!read_u64(sym->mem, addr, &val))
        return false;
    *result = val;
    return true;
}

static bool bt_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
    const struct symbolizer *sym = thread_arg;
    const struct vcpu_regs *r = sym->regs;
    const Dwarf_Word regs[DWREG_NREGS] = {
        [DWREG_RAX] = r->rax, [DWREG_RDX] = r->rdx, [DWREG_RCX] = r->rcx, [DWREG_RBX] = r->rbx,
        [DWREG_RSI] = r->rsi, [DWREG_RDI] = r->rdi, [DWREG_RBP] = r->rbp, [DWREG_RSP] = r->rsp,
        [DWREG_R8] = r->r8,   [DWREG_R9] = r->r9,   [DWREG_R10] = r->r10, [DWREG_R11] = r->r11,
        [DWREG_R12] = r->r12, [DWREG_R13] = r->r13, [DWREG_R14] = r->r14, [DWREG_R15] = r->r15,
        [DWREG_RIP] = r->rip,
    };
    if (!libdw.dwfl_thread_state_registers(thread, 0, DWREG_NREGS, regs))
        return false;
    libdw.dwfl_thread_state_register_pc(thread, r->rip);
    return true;
}

static const Dwfl_Thread_Callbacks guest_thread_callbacks = {
    .next_thread = bt_next_thread,
    .get_thread = bt_get_thread,
    .memory_read = bt_memory_read,
    .set_initial_registers = bt_set_initial_registers,
};

bool backtrace_attach(struct symbolizer *sym)
{
    /* Passing the module's Elf makes elfutils pick the x86-64 backend from it. */
    Dwarf_Addr bias;
    Elf *elf = libdw.dwfl_module_getelf(sym->mod, &bias);
    if (!elf)
        return false;
    return libdw.dwfl_attach_state(sym->dwfl, elf, GUEST_TID, &guest_thread_callbacks, sym);
}

struct unwind {
    struct backtrace_frame *frames;
    int n, max;
    uint64_t last_sp;
};

static int bt_frame(Dwfl_Frame *state, void *arg)
{
    struct unwind *u = arg;
    Dwarf_Addr pc;
    bool activation;
    if (!libdw.dwfl_frame_pc(state, &pc, &activation))
        return DWARF_CB_ABORT;
    Dwarf_Word sp;
    if (libdw.dwfl_frame_reg(state, DWREG_RSP, &sp) != 0)
        return DWARF_CB_ABORT;
    if (u->n > 0) {
        /* Every call pushes a return address, so a caller's rsp is strictly higher. */
        if (pc == 0 || sp <= u->last_sp)
            return DWARF_CB_ABORT;
        /* The caller's rsp right after the return is the callee's CFA. */
        u->frames[u->n - 1].cfa = sp;
    }
    u->frames[u->n++] = (struct backtrace_frame){.pc = pc};
    u->last_sp = sp;
    return u->n < u->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static int unwind_cfi(struct symbolizer *sym, const struct vcpu_regs *regs,
                      const struct guest_access *mem, struct backtrace_frame *frames, int max)
{
    struct unwind u = {.frames = frames, .max = max};
    sym->regs = regs;
    sym->mem = mem;
    /* An error only says where the unwind ended; the frames found so far stand. */
    (void)libdw.dwfl_getthread_frames(sym->dwfl, GUEST_TID, bt_frame, &u);
    sym->regs = NULL;
    sym->mem = NULL;
    return u.n;
}

static bool in_function(struct symbolizer *sym, uint64_t pc)
{
    struct symbol_info si;
    return sym && symbolizer_lookup(sym, pc, &si) == 0;
}

static int unwind_fp(struct symbolizer *sym, const struct vcpu_regs *regs,
                     const struct guest_access *mem, struct backtrace_frame *frames, int max)
{
    int n = 1;
    uint64_t fp = regs->rbp, ret;
    /*
     * A call through a bad pointer faults before the callee's prologue: the return
     * address is still on top of the stack and rbp is still the caller's.
     */
    if (!symbolizer_is_code(sym, regs->rip) && read_u64(mem, regs->rsp, &ret) &&
        in_function(sym, ret) && n < max) {
        frames[0].cfa = regs->rsp + 8;
        frames[n++] = (struct backtrace_frame){.pc = ret, .via_fp = 1};
    }
    while (n < max) {
        uint64_t saved_fp;
        if (fp == 0 || (fp & 7) || !read_u64(mem, fp, &saved_fp) || !read_u64(mem, fp + 8, &ret))
            break;
        if (ret == 0)
            break;
        frames[n - 1].cfa = fp + 16;
        frames[n++] = (struct backtrace_frame){.pc = ret, .via_fp = 1};
        if (saved_fp <= fp) /* the chain must go up the stack, or it loops */
            break;
        fp = saved_fp;
    }
    return n;
}

int symbolizer_backtrace(struct symbolizer *sym, const struct vcpu_regs *regs,
                         const struct guest_access *mem, struct backtrace_frame *frames, int max)
{
    if (!regs || !frames || max <= 0)
        return 0;
    frames[0] = (struct backtrace_frame){.pc = regs->rip};
    if (max == 1 || !mem || !mem->read_phys)
        return 1;
    /*
     * elfutils first, but only when rip is in the unikernel's code: elsewhere (NULL,
     * data) there is no CFI and it would guess from rbp alone, missing the call through
     * a bad pointer that unwind_fp recognises.
     */
    if (sym && sym->can_unwind && symbolizer_is_code(sym, regs->rip)) {
        int n = unwind_cfi(sym, regs, mem, frames, max);
        if (n >= 2)
            return n;
        frames[0] = (struct backtrace_frame){.pc = regs->rip};
    }
    return unwind_fp(sym, regs, mem, frames, max);
}

void symbolizer_print_backtrace(FILE *out, struct symbolizer *sym,
                                const struct backtrace_frame *frames, int nframes, int indent,
                                int limit)
{
    if (limit <= 0)
        limit = INT_MAX;
    int num = 0; /* frames as gdb numbers them: inlined calls count */
    for (int i = 0; i < nframes && num < limit; i++) {
        bool is_return = i > 0;
        /*
         * Code inlined at pc shows as frames of its own before the function holding pc,
         * as in gdb: the innermost with the address, the functions it was inlined into
         * without one (they share it), each with the line of the inlined call it made.
         */
        struct inline_frame chain[SYMBOLIZE_INLINE_MAX];
        int n =
            symbolize_inline_chain_pc(sym, frames[i].pc, is_return, chain, SYMBOLIZE_INLINE_MAX);
        for (int k = 0; k + 1 < n && num < limit; k++) {
            if (k == 0)
                fprintf(out, "%*s#%-2d 0x%016" PRIx64 " in ", indent, "", num++, frames[i].pc);
            else
                fprintf(out, "%*s#%-2d ", indent, "", num++);
            fprintf(out, "%s", chain[k].function ? chain[k].function : "??");
            if (chain[k].file && chain[k].line > 0) {
                const char *slash = strrchr(chain[k].file, '/');
                fprintf(out, " (%s:%d)", slash ? slash + 1 : chain[k].file, chain[k].line);
            }
            fputc('\n', out);
        }
        if (num >= limit)
            break;
        char where[256];
        symbolize_format_frame(sym, frames[i].pc, is_return, n >= 2 ? &chain[n - 1] : NULL, where,
                               sizeof(where));
        if (n >= 2)
            fprintf(out, "%*s#%-2d %s\n", indent, "", num++, where[0] ? where : "??");
        else
            fprintf(out, "%*s#%-2d 0x%016" PRIx64 " in %s\n", indent, "", num++, frames[i].pc,
                    where[0] ? where : "??");
    }
}
