/*
 * lazy_lib.c: dlopen a library and resolve a table of symbols (see lazy_lib.h).
 */
#include "lazy_lib.h"

#include <dlfcn.h>
#include <stdio.h>

int lazy_lib_open(const char *soname, const struct lazy_symbol *symbols, size_t count, char *err,
                  size_t errlen)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, errlen, "%s", dlerror());
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        *symbols[i].slot = dlsym(lib, symbols[i].name);
        if (!*symbols[i].slot) {
            snprintf(err, errlen, "%s lacks %s", soname, symbols[i].name);
            for (size_t j = 0; j < count; j++)
                *symbols[j].slot = NULL;
            dlclose(lib);
            return -1;
        }
    }
    return 0;
}
