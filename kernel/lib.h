/*
 * lib.h: the freestanding C library functions in kernel/string/, one file each.
 *
 * The kernel links its own copies into ukvm_kernel.o, where they are made local (only the
 * Solo5 API, _start and the stack-protector symbols stay global), so they never clash
 * with an application's own. GCC may emit calls to memcpy, memmove, memset and memcmp
 * even in freestanding code (struct copies, zero-initialization), so applications get the
 * same files as libukvm_string.a, linked after their objects: it supplies whichever of
 * these an application does not define itself.
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
