/*
 * bench_compute: the guest side of the compute benchmark (tests/bench/mode_bench.sh).
 *
 *   ukvm build/bench_compute.ukvm N
 *
 * Runs compute_loop(N) and prints its result in hex. mode_bench.sh times N = big and
 * N = 0 and divides the difference by N: the cost of one round, boot cost cancelled out.
 */
#include "../compute_loop.h"
#include "solo5.h"

static void puts_str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t n = 0;
    const char *s = si->cmdline;
    while (s && *s == ' ')
        s++;
    for (; s && *s >= '0' && *s <= '9'; s++)
        n = n * 10 + (uint64_t)(*s - '0');
    if (!s || (*s != '\0' && *s != ' ')) {
        puts_str("bench_compute: usage: bench_compute N (decimal rounds)\n");
        return 2;
    }
    uint64_t x = compute_loop(n);
    char hex[20] = "0x";
    for (int i = 0; i < 16; i++)
        hex[2 + i] = "0123456789abcdef"[(x >> (60 - 4 * i)) & 0xf];
    hex[18] = '\n';
    solo5_console_write(hex, 19);
    return 0;
}
