/*
 * symbolize_priv.h: what symbolize.c and backtrace.c share about a symbolizer.
 * Private to ukvm/inspect/: the rest of ukvm sees struct symbolizer as opaque and
 * never needs libdwfl's headers.
 */
#ifndef UKVM_SYMBOLIZE_PRIV_H
#define UKVM_SYMBOLIZE_PRIV_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>

#include "libdw_api.h"
#include "symbolize.h"

struct symbolizer {
    Dwfl *dwfl;
    Dwfl_Module *mod; /* the one module: the unikernel, at its link addresses */
    bool can_unwind;  /* dwfl_attach_state succeeded, so elfutils' unwinder is usable */
    /*
     * The unwind in progress. dwfl_attach_state binds its callbacks to the Dwfl once
     * and for all, so the inputs of each symbolizer_backtrace call are passed here.
     */
    const struct vcpu_regs *regs;
    const struct guest_access *mem;
};

/*
 * Sets sym->dwfl up for unwinding (dwfl_attach_state with callbacks reading sym->regs
 * and sym->mem). Called once by symbolizer_open; returns false when elfutils cannot
 * unwind this module (then backtraces use frame pointers only).
 */
bool backtrace_attach(struct symbolizer *sym);

/* Inline chains longer than this are cut (symbolizer_inline_chain). */
#define SYMBOLIZE_INLINE_MAX 16

/*
 * Like symbolizer_format without the inline chain, but for a return address (is_return
 * true) looks the function and line up at addr-1, the call instruction, while the offset
 * shown is still addr's. With call non-NULL, the line shown is call's (the site of the
 * outermost inlined call there) instead of the line table's. Writes "" when nothing is
 * known, so callers can print their own.
 */
char *symbolize_format_frame(struct symbolizer *sym, uint64_t addr, bool is_return,
                             const struct inline_frame *call, char *buf, size_t len);

/*
 * symbolizer_inline_chain at the address symbolize_format_frame names for addr and
 * is_return (the call instruction for a return address).
 */
int symbolize_inline_chain_pc(struct symbolizer *sym, uint64_t addr, bool is_return,
                              struct inline_frame *out, int max);

#endif /* UKVM_SYMBOLIZE_PRIV_H */
