/*
 * test_stackoverflow: runaway recursion runs the stack into the unmapped guard page
 * below it. The #PF is taken on its own IST stack, so the kernel can still report it;
 * the monitor must say "stack overflow" and exit with status 255.
 *
 * Each frame holds a 256-byte array touched once, so the 512 KiB stack is used up in
 * about 1800 calls: few guest instructions, which matters on an emulated CPU.
 */
#include "solo5.h"

/* Never reached; the check only stops the compiler from calling the recursion infinite. */
static volatile unsigned max_depth = ~0u;

__attribute__((noinline)) static unsigned recurse(unsigned depth)
{
    volatile char frame[256];

    if (depth == max_depth)
        return 0;
    frame[0] = (char)depth;
    /* Using frame[0] after the call keeps the call from being a tail call. */
    return recurse(depth + 1) + (unsigned)frame[0];
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    solo5_console_write("recursing\n", 10);
    unsigned r = recurse(0);
    solo5_console_write("FAIL: recursion returned\n", 25);
    return (int)(r & 1);
}
