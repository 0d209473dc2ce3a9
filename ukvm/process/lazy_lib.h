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

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* A macro's value as a string: sonames and package names carry a library's major version. */
#define LAZY_LIB_STRING_(x) #x
#define LAZY_LIB_STRING(x)  LAZY_LIB_STRING_(x)

/* One symbol to resolve: its name in the library, and where its address goes. */
struct lazy_symbol {
    const char *name;
    void **slot;
};

/*
 * A library to load once. The caller fills the first fields (statically, with
 * .lock = PTHREAD_MUTEX_INITIALIZER); lazy_lib_load keeps the rest.
 */
struct lazy_lib {
    const char *soname;  /* e.g. "libdw.so.1" */
    const char *feature; /* what is lost without it: "symbols are not available" */
    const char *package; /* the Debian package that ships it, for the error */
    const struct lazy_symbol *symbols;
    size_t count;
    /* Optional: once every symbol resolved, 0 if the library is usable, else -1 with a
     * reason in err (a version check). */
    int (*check)(char *err, size_t errlen);
    pthread_mutex_t lock;
    bool tried;
    char error[320]; /* why it is unusable; empty once loaded */
};

/*
 * Loads lib the first time (RTLD_NOW | RTLD_LOCAL; it stays loaded for the life of the
 * process) and stores the address of every symbol in its slot; later calls return the
 * first result. Thread-safe. Returns 0, or -1 with "FEATURE: reason" in err when the
 * library cannot be opened, lacks a symbol or fails its check; then every slot is NULL.
 */
int lazy_lib_load(struct lazy_lib *lib, char *err, size_t errlen);

#endif /* UKVM_LAZY_LIB_H */
