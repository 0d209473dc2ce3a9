/*
 * test_stepflags: what the guest sees of its own flags while a debugger steps it.
 *
 * In user mode ukvm single-steps with the trap flag in rflags; a pushf executed in such
 * a step pushes it too, and ukvm takes it out again, so that the guest never sees TF
 * (tests/gdb/test_stepflags.py steps through pushed_flags). Exit 0 when the flags the
 * guest read had no TF, 1 otherwise.
 */
#include <stdint.h>

#include "solo5.h"

#define RFLAGS_TF 0x100

static void puts(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

__attribute__((noinline)) static uint64_t pushed_flags(void)
{
    uint64_t flags;
    __asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
    return flags;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    if (pushed_flags() & RFLAGS_TF) {
        puts("FAIL: the trap flag showed in pushf's flags\n");
        return 1;
    }
    puts("SUCCESS\n");
    return 0;
}
