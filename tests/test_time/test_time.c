/*
 * test_time: the clocks and solo5_yield.
 *   - monotonic time never goes back and advances within a few reads;
 *   - solo5_yield(now + 20 ms) returns no earlier than the deadline, and no later than
 *     2 s after it (generous: the guest CPU may be emulated and the host busy);
 *   - solo5_yield with a deadline in the past returns at once with an empty ready set;
 *   - wall-clock time is after 2020-01-01.
 */
#include "solo5.h"

#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL
#define WALL_2020     (1577836800ULL * NSEC_PER_SEC) /* 2020-01-01T00:00:00Z */

static void puts(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

/* Prints "label" followed by v in decimal and a newline. */
static void put_u64(const char *label, uint64_t v)
{
    char buf[21];
    size_t i = sizeof(buf);

    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts(label);
    solo5_console_write(&buf[i], sizeof(buf) - i);
    puts("\n");
}

static int check_monotonic(void)
{
    solo5_time_t first = solo5_clock_monotonic(), prev = first;

    /* Each read costs microseconds here (rdtsc exits), so 1000 reads is plenty. */
    for (int i = 0; i < 1000; i++) {
        solo5_time_t now = solo5_clock_monotonic();
        if (now < prev) {
            puts("FAIL: monotonic time went back\n");
            return 0;
        }
        if (now > first)
            return 1;
        prev = now;
    }
    puts("FAIL: monotonic time did not advance in 1000 reads\n");
    return 0;
}

static int check_yield(void)
{
    solo5_handle_set_t ready = ~0ULL;
    solo5_time_t deadline = solo5_clock_monotonic() + 20 * NSEC_PER_MSEC;

    solo5_yield(deadline, &ready);
    solo5_time_t after = solo5_clock_monotonic();
    if (after < deadline) {
        put_u64("FAIL: yield returned early by ns: ", deadline - after);
        return 0;
    }
    if (after - deadline > 2 * NSEC_PER_SEC) {
        put_u64("FAIL: yield returned late by ns: ", after - deadline);
        return 0;
    }
    if (ready != 0) {
        puts("FAIL: yield reported ready handles with no devices\n");
        return 0;
    }

    ready = ~0ULL;
    solo5_yield(0, &ready); /* long past */
    if (ready != 0) {
        puts("FAIL: yield with a past deadline reported ready handles\n");
        return 0;
    }
    solo5_yield(0, NULL); /* a NULL ready set is allowed */
    return 1;
}

static int check_wall(void)
{
    solo5_time_t wall = solo5_clock_wall();

    if (wall < WALL_2020) {
        put_u64("FAIL: wall clock before 2020, ns: ", wall);
        return 0;
    }
    return 1;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    if (!check_monotonic() || !check_yield() || !check_wall())
        return SOLO5_EXIT_FAILURE;
    puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
