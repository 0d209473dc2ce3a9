/*
 * readline_api.c: load readline on first use (see readline_api.h).
 */
#include "readline_api.h"

#include "ukvm/process/lazy_lib.h"

struct readline_api rl;

#define READLINE_SYMBOL(name) {#name, (void **)&rl.name},
static const struct lazy_symbol symbols[] = {READLINE_FUNCTIONS(READLINE_SYMBOL)
                                                 READLINE_VARIABLES(READLINE_SYMBOL)};
#undef READLINE_SYMBOL

static struct lazy_lib lib = {
    /* Readline's soname follows its major version, as its ABI does. */
    .soname = "libreadline.so." LAZY_LIB_STRING(RL_VERSION_MAJOR),
    .feature = "line editing is not available",
    .package = "libreadline" LAZY_LIB_STRING(RL_VERSION_MAJOR),
    .symbols = symbols,
    .count = sizeof(symbols) / sizeof(symbols[0]),
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

int readline_api_load(char *err, size_t errlen)
{
    return lazy_lib_load(&lib, err, errlen);
}
