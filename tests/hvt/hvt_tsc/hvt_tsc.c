/*
 * hvt_tsc: a clock from the time-stamp counter, as Solo5's hvt kernel keeps its monotonic
 * time: rdtsc, scaled by the frequency the boot information gives, between hypercalls.
 *
 *   - the counter never goes backwards across 64 reads, with a WALLTIME call between
 *     each eighth, and it advances across a 1 ms POLL;
 *   - tsc_last holds the last value read (a recorded run must give it back the same when
 *     replayed: tests/scripts/reverse.sh).
 *
 * The manifest declares no device. A failed check prints "FAIL: ..." and exits 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

volatile uint64_t tsc_last;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

__attribute__((noipa)) void tsc_done(void)
{
    hvt_puts("tsc: done\n");
}

int hvt_main(const struct hvt_boot_info *bi)
{
    if (bi->cpu_cycle_freq == 0)
        hvt_fail("boot info: cpu_cycle_freq 0");
    uint64_t prev = rdtsc();
    for (int i = 0; i < 64; i++) {
        if (i % 8 == 0)
            (void)hvt_walltime();
        uint64_t now = rdtsc();
        if (now < prev)
            hvt_fail("rdtsc went backwards: 0x%lx after 0x%lx", now, prev);
        prev = now;
    }
    uint64_t ready;
    hvt_poll(1000000, &ready);
    tsc_last = rdtsc();
    if (tsc_last <= prev)
        hvt_fail("rdtsc did not advance across a 1 ms poll");
    tsc_done();
    hvt_puts("SUCCESS\n");
    return 0;
}
