/*
 * strlen.c: strlen for the kernel and, through libukvm_string.a, for applications.
 */
#include "lib.h"
#include "word.h"

NO_LIBCALL size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}
