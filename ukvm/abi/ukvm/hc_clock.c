/*
 * hc_clock.c: UKVM_HC_CLOCK, the time from the monitor for a recorded run's kernel
 * (include/ukvm_abi.h's clock_mode), which would otherwise read the TSC unseen.
 */
#include <time.h>

#include "hypercall.h"

static uint64_t clock_now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

enum hc_outcome hc_clock(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_clock a;
    if (hc_copy_args(ctx, UKVM_HC_CLOCK, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    uint64_t now = clock_now_ns(CLOCK_MONOTONIC);
    /* The origin is the guest's start; a context without one counts from the host's boot. */
    a.monotonic_ns = now >= ctx->clock_origin_ns ? now - ctx->clock_origin_ns : 0;
    a.wall_ns = clock_now_ns(CLOCK_REALTIME);
    return hc_complete(ctx, UKVM_HC_CLOCK, arg, &a, sizeof(a));
}
