/*
 * own_string.h: test_libc_own's own memcpy, memset and strlen (own_string.c), which count
 * their calls.
 */
#ifndef TEST_LIBC_OWN_STRING_H
#define TEST_LIBC_OWN_STRING_H

#include <stddef.h>

/* Copies n bytes from src to dst (no overlap); counts the call. Returns dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

/* Sets n bytes at dst to (unsigned char)c; counts the call. Returns dst. */
void *memset(void *dst, int c, size_t n);

/* Returns the length of s; counts the call. */
size_t strlen(const char *s);

/* Not defined by this application: libukvm_string.a provides them (standard meaning). */
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

enum own_fn { OWN_MEMCPY, OWN_MEMSET, OWN_STRLEN };

/*
 * Returns how often the application's own function fn has been called. A call in another
 * file, so GCC cannot assume that a struct copy (which it knows only as a memcpy that
 * writes its destination) leaves the count unchanged.
 */
unsigned own_calls(enum own_fn fn);

#endif /* TEST_LIBC_OWN_STRING_H */
