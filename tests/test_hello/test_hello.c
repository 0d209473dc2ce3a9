/*
 * test_hello: the smallest unikernel. Prints a greeting and its command line, exits 0.
 */
#include "solo5.h"

/* Writes the NUL-terminated string s to the console. */
static void puts(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    puts("Hello, world\n");
    puts("cmdline: ");
    puts(si->cmdline);
    puts("\n");
    puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
