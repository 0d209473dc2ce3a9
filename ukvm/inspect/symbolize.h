/*
 * symbolize.h: guest addresses to names with libdw: function+offset, file:line.
 * Backtraces (DWARF call-frame information, frame pointers as the fallback) are in
 * backtrace.h, included here so that one include gives both.
 */
#ifndef UKVM_SYMBOLIZE_H
#define UKVM_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "guest_access.h"
#include "ukvm/vm/vcpu_state.h"

struct symbolizer;

#include "backtrace.h"

/*
 * Opens the unikernel ELF at path for symbol and line look-ups. Returns NULL with a
 * reason in err (NUL-terminated, at most errlen) on failure. A file without debug
 * info still gives function names from the symbol table.
 */
struct symbolizer *symbolizer_open(const char *path, char *err, size_t errlen);

/* Frees everything symbolizer_open allocated. NULL is allowed. */
void symbolizer_close(struct symbolizer *sym);

struct symbol_info {
    const char *function; /* NULL if unknown; owned by the symbolizer */
    uint64_t offset;      /* addr - function start */
    const char *file;     /* NULL if unknown; owned by the symbolizer; basename not forced */
    int line;             /* 0 if unknown */
};

/* Looks addr up. Returns 0 when at least the function is known, -1 otherwise. */
int symbolizer_lookup(struct symbolizer *sym, uint64_t addr, struct symbol_info *out);

/*
 * One function of the inline chain at an address (symbolizer_inline_chain). Strings are
 * owned by the symbolizer.
 */
struct inline_frame {
    const char *function; /* the name in the debug info; NULL if it has none */
    const char *file;     /* NULL if unknown; basename not forced */
    int line;             /* 0 if unknown */
};

/*
 * The functions the compiler inlined at addr, as gdb shows them as frames of their own.
 * out[0] is the innermost function at addr, with addr's own line; each next entry is the
 * function the previous one was inlined into, with the line of that inlined call; the
 * last entry is the out-of-line function holding addr (its name in the debug info), with
 * the line of the outermost inlined call. Returns the count, at least 2; or 0 when addr
 * lies in no inlined function, there is no debug info for it, or the chain has more than
 * max entries (sym may be NULL: 0).
 */
int symbolizer_inline_chain(struct symbolizer *sym, uint64_t addr, struct inline_frame *out,
                            int max);

/*
 * Formats addr as "function+0x1c (file.c:42)", "function+0x1c", or "0x1234 (no symbol)"
 * into buf (NUL-terminated, truncated); returns buf. file is shown as its base name.
 * An addr that no function holds but that directly follows one (the return address of
 * a noreturn call ending it) is named, with its line, after that function's last byte.
 * An addr in inlined code names the innermost inlined function first:
 * "read_slot (file.c:24), inlined into walk_table+0x12 (file.c:38)", the line after
 * walk_table being that of the outermost inlined call.
 */
char *symbolizer_format(struct symbolizer *sym, uint64_t addr, char *buf, size_t len);

/*
 * True when addr lies in one of the ELF's executable (PF_X) loadable segments: code,
 * as opposed to data or nothing. False for a NULL symbolizer.
 */
bool symbolizer_is_code(struct symbolizer *sym, uint64_t addr);

/*
 * Looks a symbol (function or object) up by name. Returns 0 and its address in *addr,
 * or -1 when there is no such symbol.
 */
int symbolizer_lookup_name(struct symbolizer *sym, const char *name, uint64_t *addr);

/*
 * Calls fn with the name of every defined function (STT_FUNC) and object (STT_OBJECT)
 * symbol, in symbol-table order; a static defined in several files comes once per
 * definition. For listings and the shell's completion. sym may be NULL (no calls).
 */
void symbolizer_for_each_name(struct symbolizer *sym, void (*fn)(void *arg, const char *name),
                              void *arg);

/*
 * The extent of the function or object symbol holding addr: *start and *size (size > 0).
 * Returns 0, or -1 when no sized symbol holds addr.
 */
int symbolizer_symbol_range(struct symbolizer *sym, uint64_t addr, uint64_t *start, uint64_t *size);

#endif /* UKVM_SYMBOLIZE_H */
