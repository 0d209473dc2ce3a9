/*
 * hvt_time: the clock and sleep hypercalls.
 *
 *   WALLTIME  plausible: after 2020-01-01 and before 2100, and not going backwards.
 *   POLL      with a 10 ms timeout and no network devices: returns 0 (nothing ready) with
 *             an empty ready set, after at least 10 ms of wall-clock time; with a 0 timeout:
 *             returns 0 at once.
 *
 * The manifest declares no device. A failed check prints "FAIL: ..." and exits 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

#define NSEC_PER_SEC 1000000000ul
#define WALL_2020    (1577836800ul * NSEC_PER_SEC) /* 2020-01-01T00:00:00Z */
#define WALL_2100    (4102444800ul * NSEC_PER_SEC) /* 2100-01-01T00:00:00Z */
#define SLEEP_NSECS  10000000ul                    /* 10 ms */

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    uint64_t t0 = hvt_walltime();
    if (t0 < WALL_2020 || t0 >= WALL_2100)
        hvt_fail("WALLTIME %lu ns: not between 2020 and 2100", t0);
    hvt_printf("walltime: %lu s since the epoch\n", t0 / NSEC_PER_SEC);

    uint64_t ready = ~0ull;
    int ret = hvt_poll(0, &ready);
    if (ret != 0 || ready != 0)
        hvt_fail("POLL(0): ret %d, ready_set 0x%lx; expected 0 and 0", ret, ready);

    uint64_t t1 = hvt_walltime();
    ready = ~0ull;
    ret = hvt_poll(SLEEP_NSECS, &ready);
    uint64_t t2 = hvt_walltime();
    if (ret != 0 || ready != 0)
        hvt_fail("POLL(10 ms): ret %d, ready_set 0x%lx; expected 0 and 0", ret, ready);
    if (t1 < t0 || t2 < t1)
        hvt_fail("WALLTIME went backwards: %lu, %lu, %lu", t0, t1, t2);
    if (t2 - t1 < SLEEP_NSECS)
        hvt_fail("POLL(10 ms) returned after %lu ns", t2 - t1);
    hvt_printf("poll: slept %lu us for 10000 us\n", (t2 - t1) / 1000);
    hvt_puts("SUCCESS\n");
    return 0;
}
