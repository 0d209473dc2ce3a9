/*
 * memcmp.c: memcmp for the kernel and, through libukvm_string.a, for applications.
 */
#include "lib.h"
#include "word.h"

NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}
