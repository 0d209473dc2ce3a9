/*
 * memset.c: memset for the kernel and, through libukvm_string.a, for applications.
 */
#include "lib.h"
#include "word.h"

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
