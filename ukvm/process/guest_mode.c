/*
 * guest_mode.c: the names of the guest modes (see guest_mode.h).
 */
#include <string.h>

#include "guest_mode.h"

static const char *const mode_names[] = {
    [GUEST_MODE_AUTO] = "auto",
    [GUEST_MODE_KERNEL] = "kernel",
    [GUEST_MODE_USER] = "user",
};

int guest_mode_parse(const char *text, enum guest_mode *mode)
{
    for (unsigned i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
        if (strcmp(text, mode_names[i]) == 0) {
            *mode = (enum guest_mode)i;
            return 0;
        }
    return -1;
}

const char *guest_mode_name(enum guest_mode mode)
{
    return (unsigned)mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[mode] : "?";
}
