/*
 * test_exception: a NULL dereference. The null page is never mapped, so the load in
 * fault_here() raises #PF; the monitor must report "Page fault" with a backtrace that
 * names fault_here and its source line, and exit with status 255.
 */
#include "solo5.h"

/*
 * The pointer comes from a volatile global so that the compiler cannot see it is NULL
 * (it would otherwise replace the load with a trap instruction, raising #UD instead).
 */
static int *volatile target;

__attribute__((noinline)) static int fault_here(void)
{
    return *target;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    solo5_console_write("about to fault\n", 15);
    int v = fault_here();
    /* Not reached: the monitor does not resume after a page fault. */
    solo5_console_write("FAIL: survived a NULL dereference\n", 34);
    return v;
}
