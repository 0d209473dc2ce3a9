/*
 * lib.h: the freestanding C library functions the kernel provides (lib.c).
 *
 * GCC may emit calls to memcpy, memmove, memset and memcmp even in freestanding code
 * (struct copies, zero-initialization), so these exist for applications too.
 */
#ifndef KERNEL_LIB_H
#define KERNEL_LIB_H

#include <stddef.h>

/* Copies n bytes from src to dst; the ranges must not overlap. Returns dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

/* Copies n bytes from src to dst; the ranges may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n);

/* Sets n bytes at dst to (unsigned char)c. Returns dst. */
void *memset(void *dst, int c, size_t n);

/*
 * Compares n bytes as unsigned chars. Returns <0, 0 or >0 as a is below, equal to or above
 * b at the first difference.
 */
int memcmp(const void *a, const void *b, size_t n);

/* Returns the number of bytes before the NUL that ends s. */
size_t strlen(const char *s);

#endif /* KERNEL_LIB_H */
