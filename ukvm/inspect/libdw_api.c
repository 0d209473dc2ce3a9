/*
 * libdw_api.c: load libdw on first use (see libdw_api.h).
 */
#include "libdw_api.h"

#include <pthread.h>
#include <stdio.h>

#include "../lazy_lib.h"

struct libdw_api libdw;
static char load_error[300]; /* empty once loaded */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
#define LIBDW_SYMBOL(name) {#name, (void **)&libdw.name},
    const struct lazy_symbol symbols[] = {LIBDW_FUNCTIONS(LIBDW_SYMBOL)};
#undef LIBDW_SYMBOL
    char why[200];
    /* libdw.so.1: the soname elfutils has kept since 2009 (its ABI is versioned by symbol). */
    if (lazy_lib_open("libdw.so.1", symbols, sizeof(symbols) / sizeof(symbols[0]), why,
                      sizeof(why)) < 0)
        snprintf(load_error, sizeof(load_error),
                 "symbols are not available: %s (Debian: apt-get install libdw1)", why);
}

int libdw_api_load(char *err, size_t errlen)
{
    pthread_once(&load_once, load);
    if (!load_error[0])
        return 0;
    snprintf(err, errlen, "%s", load_error);
    return -1;
}
