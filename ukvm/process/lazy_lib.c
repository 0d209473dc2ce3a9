/*
 * lazy_lib.c: dlopen a library once and resolve a table of symbols (see lazy_lib.h).
 */
#include "lazy_lib.h"

#include <dlfcn.h>
#include <stdio.h>

static void clear_slots(const struct lazy_lib *lib)
{
    for (size_t i = 0; i < lib->count; i++)
        *lib->symbols[i].slot = NULL;
}

/* The first and only attempt; leaves lib->error empty on success. */
static void open_lib(struct lazy_lib *lib)
{
    void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(lib->error, sizeof(lib->error), "%s: %s (Debian: apt-get install %s)",
                 lib->feature, dlerror(), lib->package);
        return;
    }
    for (size_t i = 0; i < lib->count; i++) {
        *lib->symbols[i].slot = dlsym(handle, lib->symbols[i].name);
        if (!*lib->symbols[i].slot) {
            snprintf(lib->error, sizeof(lib->error), "%s: %s lacks %s", lib->feature, lib->soname,
                     lib->symbols[i].name);
            clear_slots(lib);
            dlclose(handle);
            return;
        }
    }
    char why[200];
    if (lib->check && lib->check(why, sizeof(why)) != 0) {
        snprintf(lib->error, sizeof(lib->error), "%s: %s", lib->feature, why);
        clear_slots(lib);
        dlclose(handle);
    }
}

int lazy_lib_load(struct lazy_lib *lib, char *err, size_t errlen)
{
    pthread_mutex_lock(&lib->lock);
    if (!lib->tried) {
        open_lib(lib);
        lib->tried = true;
    }
    pthread_mutex_unlock(&lib->lock);
    if (!lib->error[0])
        return 0;
    snprintf(err, errlen, "%s", lib->error);
    return -1;
}
