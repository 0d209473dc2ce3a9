/*
 * bench_hvt_puts: the guest of the hvt hypercall round-trip benchmark
 * (tests/bench/hvt_bench.sh), an hvt-ABI guest built with ukvm's hvt runtime (tests/hvt/rt/),
 * so the same file runs under ukvm and under Solo5's solo5-hvt:
 *
 *   ukvm build/bench_hvt_puts.hvt N      solo5-hvt build/bench_hvt_puts.hvt N
 *
 * Makes N HVT_HC_PUTS hypercalls of one byte each, then exits 0. hvt_bench.sh times N = 0
 * and N = big under each monitor and divides the difference by N, so start-up cost cancels
 * out and what remains is one PUTS: the guest's `outl`, the port exit, the monitor's checks
 * and its write(2), and the way back. The argument struct is filled once, outside the loop:
 * the guest's own work per call is the one `outl`.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

#define USAGE "bench_hvt_puts: usage: bench_hvt_puts N (a decimal count of 1-byte PUTS)\n"

/*
 * Parses the first space-separated word of s as a decimal count into *n. Strict (no sign,
 * no hex, no overflow, nothing after the digits), so a typo cannot turn into a benchmark of
 * something else.
 */
static int parse_count(const char *s, uint64_t *n)
{
    uint64_t v = 0;

    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (*s != '\0' && *s != ' ')
        return -1;
    *n = v;
    return 0;
}

int hvt_main(const struct hvt_boot_info *bi)
{
    static const char dot = '.';
    static volatile struct hvt_hc_puts puts_arg;
    uint64_t n;

    if (!bi->cmdline || parse_count((const char *)(uintptr_t)bi->cmdline, &n) != 0) {
        hvt_puts(USAGE);
        return 1;
    }
    puts_arg.data = (uint64_t)(uintptr_t)&dot;
    puts_arg.len = 1;
    for (uint64_t i = 0; i < n; i++)
        hvt_hypercall(HVT_HC_PUTS, &puts_arg);
    return 0;
}
