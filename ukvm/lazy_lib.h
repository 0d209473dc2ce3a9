/*
 * lazy_lib.h: load a shared library when a feature first needs it, not at start-up.
 *
 * Every library linked into ukvm is mapped and relocated before main() on every run, the
 * guest's boot included. Libraries that only debugging features use (the disassembler,
 * libdw's symbolizer and unwinder, readline) are loaded with dlopen on first use instead:
 * together they cost more than 2 ms of process start-up here, as much as a whole boot.
 * Callers keep a table of function pointers typed with __typeof__ of the library's own
 * prototypes, so calls stay checked by the compiler.
 */
#ifndef UKVM_LAZY_LIB_H
#define UKVM_LAZY_LIB_H

#include <stddef.h>

/* One symbol to resolve: its name in the library, and where its address goes. */
struct lazy_symbol {
    const char *name;
    void **slot;
};

/*
 * Opens the library soname (RTLD_NOW | RTLD_LOCAL; it stays loaded for the life of the
 * process) and stores the address of every symbol in its slot. Returns 0, or -1 with a
 * reason in err when the library cannot be opened or lacks a symbol; then every slot is
 * NULL and the library is closed again. Not thread-safe: call it under pthread_once.
 */
int lazy_lib_open(const char *soname, const struct lazy_symbol *symbols, size_t count, char *err,
                  size_t errlen);

#endif /* UKVM_LAZY_LIB_H */
