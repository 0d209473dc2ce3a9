/*
 * bench_reverse: the guest of the reverse-debugging benchmark (tests/bench/run.sh,
 * section "reverse"; tests/bench/reverse_bench.sh).
 *
 *   ukvm --gdb=127.0.0.1:0 --record build/bench_reverse.ukvm N
 *
 * Prints one line (a hypercall), calls mark_before, runs a loop of exactly N
 * instructions that makes no hypercall (N rounded up to even, at least 2), calls
 * mark_after, prints a second line and exits 0. So at mark_before the guest is a few
 * instructions past its last hypercall, and at mark_after N instructions and a few more:
 * the benchmark breaks on both and times reverse-stepi at each, and reverse-continue
 * from mark_after back to mark_before against a forward continue over the same span.
 */
#include "solo5.h"

#define NOIPA __attribute__((noipa))

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

/* Where the benchmark's breakpoints go: real calls, each a single ret. */
NOIPA void mark_before(void)
{
    __asm__ volatile("" ::: "memory");
}

NOIPA void mark_after(void)
{
    __asm__ volatile("" ::: "memory");
}

/*
 * Two instructions a round (dec, jnz), in assembly so that the count does not depend on
 * the compiler: n instructions in all.
 */
NOIPA void spin(uint64_t n)
{
    uint64_t rounds = n / 2 ? (n + 1) / 2 : 1;
    __asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(rounds) : : "cc");
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
        puts_("bench_reverse: usage: bench_reverse N (decimal instructions)\n");
        return 2;
    }
    puts_("bench_reverse: start\n");
    mark_before();
    spin(n);
    mark_after();
    puts_("bench_reverse: done\n");
    return 0;
}
