/*
 * lib.c: memcpy, memmove, memset, memcmp, strlen for the kernel and applications.
 *
 * Plain loops, with an 8-byte-word path where both pointers are word aligned: on the
 * emulated CPU this project is tested on, every guest instruction costs about half a
 * microsecond, so an 8x shorter loop for block buffers is worth its three lines.
 *
 * NO_LIBCALL stops GCC from recognizing these loops as memset/memcpy and compiling them
 * into a call to themselves.
 */
#include <stdint.h>
#include "lib.h"

#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* A word that may alias anything, so the word loops do not break strict aliasing. */
typedef uint64_t __attribute__((may_alias)) word_t;

/* True if both addresses are multiples of the word size. */
static inline int words_aligned(const void *a, const void *b)
{
    return (((uintptr_t)a | (uintptr_t)b) & (sizeof(word_t) - 1)) == 0;
}

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (words_aligned(d, s)) {
        for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t), s += sizeof(word_t))
            *(word_t *)d = *(const word_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

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

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    if (words_aligned(d, d)) {
        word_t w = (unsigned char)c * (word_t)0x0101010101010101ULL;
        for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t))
            *(word_t *)d = w;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

NO_LIBCALL size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}
