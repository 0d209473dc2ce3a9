/*
 * test_abort: solo5_abort() from abort_here(). The monitor must report the abort
 * ("solo5_abort() called") with a backtrace naming abort_here, and exit with 255.
 */
#include "solo5.h"

__attribute__((noinline)) static void abort_here(void)
{
    solo5_console_write("aborting\n", 9);
    solo5_abort();
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    abort_here();
    return SOLO5_EXIT_FAILURE; /* not reached */
}
