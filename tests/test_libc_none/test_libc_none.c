/*
 * test_libc_none: an application with no C library and no string functions of its own.
 * GCC still emits calls to memcpy and memset for large struct copies and zeroing (and
 * tests/scripts/string_lib.sh checks that this object does call them), so it links only
 * because libukvm_string.a supplies them.
 */
#include "solo5.h"

/* Larger than GCC inlines as rep movs/stos with -mtune=generic: copies become calls. */
struct big {
    unsigned long words[2048];
};

static struct big a, b;

static void puts(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    for (unsigned long i = 0; i < 2048; i++)
        a.words[i] = i * 0x0101010101010101UL;
    b = a; /* a call to memcpy */
    for (unsigned long i = 0; i < 2048; i++) {
        if (b.words[i] != i * 0x0101010101010101UL) {
            puts("FAIL: struct copy is wrong\n");
            return SOLO5_EXIT_FAILURE;
        }
    }
    a = (struct big){0}; /* a call to memset */
    for (unsigned long i = 0; i < 2048; i++) {
        if (a.words[i] != 0) {
            puts("FAIL: struct zeroing is wrong\n");
            return SOLO5_EXIT_FAILURE;
        }
    }
    puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
