/*
 * clock.c: monotonic and wall-clock time from the TSC.
 *
 * The monitor measured the TSC frequency and passed a fixed-point factor:
 *   ns = ((tsc - tsc at kernel entry) * tsc_mult) >> tsc_shift
 * computed with a 128-bit product, so there is no division (and no libgcc call) and no
 * overflow for centuries of uptime. Wall time is the monitor's reading of the host's
 * clock at start plus the monotonic time.
 *
 * In a recorded run (clock_mode UKVM_CLOCK_BY_HYPERCALL) the TSC is not used: the CPU
 * gives it to the guest without the monitor seeing, so a replay could not give back the
 * same values. The time comes from the monitor instead, which records it.
 */
#include "hypercall.h"
#include "kernel.h"
#include "solo5.h"

uint64_t clock_tsc_base;

static uint64_t tsc_mult;
static unsigned tsc_shift;
static uint64_t wall_clock_ns;
static uint64_t clock_mode;

int clock_init(const struct ukvm_boot_info *bi)
{
    if (bi->tsc_shift >= 128)
        return -1;
    tsc_mult = bi->tsc_mult;
    tsc_shift = (unsigned)bi->tsc_shift;
    wall_clock_ns = bi->wall_clock_ns;
    clock_mode = bi->clock_mode;
    return 0;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void clock_from_monitor(struct ukvm_hc_clock *c)
{
    volatile struct ukvm_hc_clock arg = {0};
    hypercall(UKVM_HC_CLOCK, &arg);
    c->monotonic_ns = arg.monotonic_ns;
    c->wall_ns = arg.wall_ns;
}

solo5_time_t solo5_clock_monotonic(void)
{
    if (clock_mode == UKVM_CLOCK_BY_HYPERCALL) {
        struct ukvm_hc_clock c;
        clock_from_monitor(&c);
        return c.monotonic_ns;
    }
    uint64_t ticks = rdtsc() - clock_tsc_base;

    return (solo5_time_t)(((unsigned __int128)ticks * tsc_mult) >> tsc_shift);
}

solo5_time_t solo5_clock_wall(void)
{
    if (clock_mode == UKVM_CLOCK_BY_HYPERCALL) {
        struct ukvm_hc_clock c;
        clock_from_monitor(&c);
        return c.wall_ns;
    }
    return wall_clock_ns + solo5_clock_monotonic();
}
