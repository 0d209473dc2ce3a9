/*
 * test_libc_own: an application that defines memcpy, memset and strlen itself
 * (own_string.c), as a C library linked into a unikernel does. Each of its versions counts
 * its calls, so the test sees which definition runs: its own for its explicit calls and
 * for the calls GCC emits for large struct copies and zeroing; the kernel's private copies
 * for the kernel's own use (solo5_block_acquire measures the device name with the kernel's
 * strlen); and libukvm_string.a's memmove and memcmp, which it does not define.
 */
#include "own_string.h"
#include "solo5.h"

/* Larger than GCC inlines as rep movs/stos with -mtune=generic: copies become calls. */
struct big {
    unsigned char bytes[16384];
};

static struct big a, b;

static void puts(const char *s)
{
    solo5_console_write(s, strlen(s));
}

/* Prints "FAIL: what" and returns 1, or returns 0 when ok. */
static int check(int ok, const char *what)
{
    if (ok)
        return 0;
    puts("FAIL: ");
    puts(what);
    puts("\n");
    return 1;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    int failed = 0;
    unsigned before;
    char buf[8];

    (void)si;
    /* Through a volatile pointer: a vectorized loop would use SSE, which not every KVM
     * emulates (see the kernel's -mgeneral-regs-only). */
    volatile unsigned char *fill = a.bytes;
    for (size_t i = 0; i < sizeof(a.bytes); i++)
        fill[i] = (unsigned char)(i * 7);

    before = own_calls(OWN_MEMCPY);
    b = a; /* GCC emits a memcpy call */
    failed |=
        check(own_calls(OWN_MEMCPY) == before + 1, "a struct copy did not call the app's memcpy");
    failed |= check(b.bytes[16383] == (unsigned char)(16383 * 7), "struct copy is wrong");

    before = own_calls(OWN_MEMSET);
    b = (struct big){0}; /* GCC emits a memset call */
    failed |=
        check(own_calls(OWN_MEMSET) == before + 1, "struct zeroing did not call the app's memset");
    failed |= check(b.bytes[100] == 0, "struct zeroing is wrong");

    before = own_calls(OWN_MEMCPY);
    memcpy(buf, "abcdefg", 8);
    failed |= check(own_calls(OWN_MEMCPY) == before + 1, "memcpy() did not call the app's memcpy");

    /* The kernel measures the name with its own strlen, never the application's. */
    solo5_handle_t h;
    struct solo5_block_info info;
    before = own_calls(OWN_STRLEN);
    (void)solo5_block_acquire("no-such-disk", &h, &info);
    failed |= check(own_calls(OWN_STRLEN) == before, "the kernel called the app's strlen");

    before = own_calls(OWN_STRLEN);
    failed |= check(strlen(buf) == 7, "strlen is wrong");
    failed |= check(own_calls(OWN_STRLEN) == before + 1, "strlen() did not call the app's strlen");

    /* Not defined here: these come from libukvm_string.a. */
    memmove(buf + 1, buf, 6);
    failed |= check(memcmp(buf, "aabcdef", 8) == 0, "memmove or memcmp from the library is wrong");
    failed |= check(memcmp("a", "b", 1) < 0, "memcmp from the library is wrong");

    if (failed)
        return SOLO5_EXIT_FAILURE;
    puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
