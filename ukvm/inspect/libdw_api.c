/*
 * libdw_api.c: load libdw on first use (see libdw_api.h).
 */
#include "libdw_api.h"

#include "ukvm/process/lazy_lib.h"

struct libdw_api libdw;

#define LIBDW_SYMBOL(name) {#name, (void **)&libdw.name},
static const struct lazy_symbol symbols[] = {LIBDW_FUNCTIONS(LIBDW_SYMBOL)};
#undef LIBDW_SYMBOL

static struct lazy_lib lib = {
    /* libdw.so.1: the soname elfutils has kept since 2009 (its ABI is versioned by symbol). */
    .soname = "libdw.so.1",
    .feature = "symbols are not available",
    .package = "libdw1",
    .symbols = symbols,
    .count = sizeof(symbols) / sizeof(symbols[0]),
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

int libdw_api_load(char *err, size_t errlen)
{
    return lazy_lib_load(&lib, err, errlen);
}
