/*
 * test_ssp: the stack protector. smash_here() overruns its char array up to (not past)
 * its saved frame pointer, overwriting the canary in between; on return it calls
 * __stack_chk_fail, and the monitor must report "stack smashing detected" with status 255.
 */
#include "solo5.h"

__attribute__((noinline)) static void smash_here(void)
{
    char buf[16];
    /*
     * Writing through a volatile pointer keeps the stores; the length reaches from buf to
     * the saved rbp, which covers the canary (it sits between them) but leaves the saved
     * rbp and return address intact, so the crash backtrace is still correct.
     */
    volatile char *p = buf;
    size_t len = (size_t)((char *)__builtin_frame_address(0) - buf);

    for (size_t i = 0; i < len; i++)
        p[i] = 'A';
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    solo5_console_write("smashing\n", 9);
    smash_here();
    solo5_console_write("FAIL: smashed stack went unnoticed\n", 35);
    return SOLO5_EXIT_FAILURE;
}
