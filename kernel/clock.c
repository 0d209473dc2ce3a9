/*
 * clock.c: monotonic and wall-clock time from the TSC.
 *
 * The monitor measured the TSC frequency and passed a fixed-point factor:
 *   ns = ((tsc - tsc at kernel entry) * tsc_mult) >> tsc_shift
 * computed with a 128-bit product, so there is no division (and no libgcc call) and no
 * overflow for centuries of uptime. Wall time is the monitor's reading of the host's
 * clock at start plus the monotonic time.
 */
#include "kernel.h"
#include "solo5.h"

uint64_t clock_tsc_base;

static uint64_t tsc_mult;
static unsigned tsc_shift;
static uint64_t wall_clock_ns;

int clock_init(const struct ukvm_boot_info *bi)
{
    if (bi->tsc_shift >= 128)
        return -1;
    tsc_mult = bi->tsc_mult;
    tsc_shift = (unsigned)bi->tsc_shift;
    wall_clock_ns = bi->wall_clock_ns;
    return 0;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

solo5_time_t solo5_clock_monotonic(void)
{
    uint64_t ticks = rdtsc() - clock_tsc_base;

    return (solo5_time_t)(((unsigned __int128)ticks * tsc_mult) >> tsc_shift);
}

solo5_time_t solo5_clock_wall(void)
{
    return wall_clock_ns + solo5_clock_monotonic();
}
