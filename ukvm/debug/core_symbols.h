/*
 * core_symbols.h: the debugged unikernel's symbols, for every part of the debug core and
 * its front ends: opened once, on first use.
 */
#ifndef UKVM_CORE_SYMBOLS_H
#define UKVM_CORE_SYMBOLS_H

#include "debug_state.h"

/* The unikernel's symbols, opened on first use; NULL when unavailable. */
struct symbolizer *debug_core_symbols(struct debug_core *core);

#endif /* UKVM_CORE_SYMBOLS_H */
