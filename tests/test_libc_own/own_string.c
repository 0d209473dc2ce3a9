/*
 * own_string.c: the application's own memcpy, memset and strlen, as a C library linked
 * into a unikernel would define them, each counting its calls.
 */
#include "own_string.h"

/* Keeps GCC from turning the loops below into calls to the functions they implement. */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

static unsigned calls[3];

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    calls[OWN_MEMCPY]++;
    while (n--)
        *d++ = *s++;
    return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    calls[OWN_MEMSET]++;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

NO_LIBCALL size_t strlen(const char *s)
{
    size_t n = 0;

    calls[OWN_STRLEN]++;
    while (s[n])
        n++;
    return n;
}

unsigned own_calls(enum own_fn fn)
{
    return calls[fn];
}
