/*
 * test_libc_solo5: the shape of a Solo5 test program, whose bindings library is compiled
 * into the program and defines the C string functions as global symbols. Linked with
 * ukvm_kernel.o, which uses the same names internally, this must not be a "multiple
 * definition" error: the kernel's copies are local. The program then uses its own.
 */
#include "solo5.h"

/* Keeps GCC from turning the loops below into calls to the functions they implement. */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* ---- the library part: every function global, as in a Solo5 program ---- */

int lib_calls; /* global too: each function below counts itself here */

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    lib_calls++;
    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)c;
    return dst;
}

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    lib_calls++;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    lib_calls++;
    if (d < s) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    lib_calls++;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] - y[i];
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    lib_calls++;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    lib_calls++;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    lib_calls++;
    for (; n > 0; n--, a++, b++) {
        if (*a != *b || !*a)
            return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}

NO_LIBCALL char *strcpy(char *dst, const char *src)
{
    char *d = dst;

    lib_calls++;
    while ((*d++ = *src++))
        ;
    return dst;
}

int isspace(int c)
{
    lib_calls++;
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* ---- the program part ---- */

static void puts(const char *s)
{
    solo5_console_write(s, strlen(s));
}

int solo5_app_main(const struct solo5_start_info *si)
{
    char buf[32];
    size_t n;
    int before = lib_calls;

    if (strlen(si->cmdline) > 20) {
        puts("FAIL: command line too long\n");
        return SOLO5_EXIT_FAILURE;
    }
    strcpy(buf, si->cmdline);
    memmove(buf + 1, buf, strlen(buf) + 1);
    buf[0] = '<';
    n = strlen(buf);
    memset(buf + n, '>', 1);
    buf[n + 1] = '\0';
    if (strcmp(buf, "<solo5 style>") != 0 || strncmp(buf, "<sol", 4) != 0 || !isspace(buf[6]) ||
        memcmp(buf, "<solo5", 6) != 0) {
        puts("FAIL: the program's own string functions gave a wrong result: ");
        puts(buf);
        puts("\n");
        return SOLO5_EXIT_FAILURE;
    }
    /* strlen 3 times, then strcpy, memmove, memset, strcmp, strncmp, isspace, memcmp. */
    if (lib_calls - before != 10) {
        puts("FAIL: the program's own string functions were not the ones called\n");
        return SOLO5_EXIT_FAILURE;
    }
    puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
