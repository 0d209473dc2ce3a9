/*
 * device_names.c: device names (see device_names.h).
 */
#include <ctype.h>

#include "device_names.h"

bool device_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > DEVICE_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return true;
}
