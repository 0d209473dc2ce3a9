/*
 * memmove.c: memmove for the kernel and, through libukvm_string.a, for applications.
 */
#include "lib.h"
#include "word.h"

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    /*
     * Forward when dst starts below src or the ranges are disjoint (d - s wraps to a huge
     * value when d < s), backward otherwise, so no byte is overwritten before it is read.
     */
    if ((uintptr_t)d - (uintptr_t)s >= n) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}
