/*
 * test_sleep: a guest that waits, for the stop-signal tests (tests/scripts/signals.sh).
 *
 *   test_sleep yield   announce "waiting", then sleep in solo5_yield() for 10 minutes
 *   test_sleep spin    announce "waiting", then spin in pure computation forever
 *   test_sleep short   sleep 10 ms in solo5_yield() and exit 0 (the plain test case)
 *   test_sleep flood   FLOOD_WRITES console writes of FLOOD_LINES numbered lines each
 *                      ("000000\n", "000001\n", ... on across writes), then "done\n",
 *                      exit 0: output nobody reads blocks it inside a write
 *                      (tests/scripts/console.sh)
 */
#include "solo5.h"

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

#define FLOOD_WRITES 8
#define FLOOD_LINES  4096 /* 7 bytes each: 28 KiB per write, more than a small pipe holds */

static char flood_buf[FLOOD_LINES * 7];

static void flood(void)
{
    unsigned line = 0;
    for (int w = 0; w < FLOOD_WRITES; w++) {
        for (int i = 0; i < FLOOD_LINES; i++, line++) {
            unsigned v = line;
            for (int d = 5; d >= 0; d--, v /= 10)
                flood_buf[i * 7 + d] = (char)('0' + v % 10);
            flood_buf[i * 7 + 6] = '\n';
        }
        solo5_console_write(flood_buf, sizeof(flood_buf));
    }
    puts_("done\n");
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (streq(si->cmdline, "flood")) {
        flood();
        return 0;
    }
    if (streq(si->cmdline, "short")) {
        solo5_yield(solo5_clock_monotonic() + 10 * 1000 * 1000ULL, NULL);
        puts_("SUCCESS\n");
        return 0;
    }
    if (streq(si->cmdline, "yield")) {
        puts_("waiting\n");
        solo5_yield(solo5_clock_monotonic() + 600 * 1000000000ULL, NULL);
        puts_("woke up\n");
        return 1;
    }
    if (streq(si->cmdline, "spin")) {
        puts_("waiting\n");
        for (volatile unsigned long i = 0;; i++)
            ;
    }
    puts_("usage: test_sleep yield|spin|short|flood\n");
    return 2;
}
