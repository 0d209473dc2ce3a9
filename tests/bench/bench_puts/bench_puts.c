/*
 * bench_puts: the guest side of the hypercall round-trip benchmark (tests/bench/run.sh).
 *
 *   ukvm build/bench_puts.ukvm N
 *
 * Makes N console writes of one byte each, then exits 0. run.sh times N = 0 and N = big
 * and divides the difference by N, so start-up cost cancels out and what remains is one
 * solo5_console_write: the guest's call path, the port exit, the monitor's checks and its
 * write(2), and the way back. One byte, so the copy costs nothing next to the exit.
 */
#include "solo5.h"

#define USAGE "bench_puts: usage: bench_puts N (a decimal count of 1-byte console writes)\n"

static void puts_str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

/*
 * Parses the first space-separated word of s as a decimal count into *n. Written here
 * because the kernel has no libc; rejects an empty word, non-digits and overflow rather
 * than guessing, so a typo cannot turn into a benchmark of something else.
 */
static bool parse_first_word(const char *s, uint64_t *n)
{
    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*s != '\0' && *s != ' ')
        return false;
    *n = v;
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t n;
    if (!si->cmdline || !parse_first_word(si->cmdline, &n)) {
        puts_str(USAGE);
        solo5_exit(SOLO5_EXIT_FAILURE);
    }
    for (uint64_t i = 0; i < n; i++)
        solo5_console_write(".", 1);
    solo5_exit(SOLO5_EXIT_SUCCESS);
}
