/*
 * test_inline: a fault inside functions that -O2 inlines, for the crash report, the
 * shell's `bt` and core files, which must name the inlined functions as gdb does
 * (tests/scripts/inline_frames.sh compares them with gdb's `bt`). Also the app that
 * tests/scripts/debug_build.sh builds with `make app DEBUG=1`, where nothing is inlined.
 *
 *   test_inline          sums a table and exits 0 (debug_build.sh's gdb session)
 *   test_inline fault    the same walk, but the last slot is a NULL pointer: #PF inside
 *                        read_slot, inlined into lookup, inlined into walk_table
 */
#include "solo5.h"

#define SLOTS 4

static int values[SLOTS] = {1, 2, 3, 4};
/* volatile, so that the compiler cannot see the NULL and fold the load away. */
static int *volatile slots[SLOTS] = {&values[0], &values[1], &values[2], &values[3]};
/* volatile too, so that walk_table keeps its parameter (no walk_table.constprop clone). */
static volatile int bias_value = 1;

static inline int read_slot(int *const volatile *slot)
{
    int *p = *slot;
    return *(volatile int *)p; /* volatile: the load stays here, in read_slot's code */
}

static inline int lookup(int index, int bias)
{
    int scaled = read_slot(&slots[index]) * 10;
    return scaled + bias;
}

/* Never inlined, so that the inline chain above ends in a function of its own. */
__attribute__((noinline)) static int walk_table(int bias)
{
    int sum = 0;
    for (int i = 0; i < SLOTS; i++)
        sum += lookup(i, bias);
    return sum;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (streq(si->cmdline, "fault")) {
        slots[SLOTS - 1] = 0;
        solo5_console_write("about to fault\n", 15);
    }
    /* A second call of lookup, so that -O2 inlines it in two places. */
    if (lookup(0, 0) != 10) {
        solo5_console_write("FAIL: wrong first slot\n", 23);
        return 1;
    }
    int sum = walk_table(bias_value);
    /* 10 * (1 + 2 + 3 + 4) + 4 * 1 */
    if (sum != 104) {
        solo5_console_write("FAIL: wrong sum\n", 16);
        return 1;
    }
    solo5_console_write("SUCCESS\n", 8);
    return 0;
}
