/*
 * readline_api.c: load readline on first use (see readline_api.h).
 */
#include "readline_api.h"

#include <pthread.h>

#include "../ukvm/lazy_lib.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)
/* Readline's soname follows its major version, as its ABI does. */
#define READLINE_SONAME "libreadline.so." STRINGIFY(RL_VERSION_MAJOR)

struct readline_api rl;
static char load_error[300]; /* empty once loaded */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
#define READLINE_SYMBOL(name) {#name, (void **)&rl.name},
    const struct lazy_symbol symbols[] = {READLINE_FUNCTIONS(READLINE_SYMBOL)
                                              READLINE_VARIABLES(READLINE_SYMBOL)};
#undef READLINE_SYMBOL
    char why[200];
    if (lazy_lib_open(READLINE_SONAME, symbols, sizeof(symbols) / sizeof(symbols[0]), why,
                      sizeof(why)) < 0)
        snprintf(load_error, sizeof(load_error),
                 "line editing is not available: %s (Debian: apt-get install libreadline%d)", why,
                 RL_VERSION_MAJOR);
}

int readline_api_load(char *err, size_t errlen)
{
    pthread_once(&load_once, load);
    if (!load_error[0])
        return 0;
    snprintf(err, errlen, "%s", load_error);
    return -1;
}
