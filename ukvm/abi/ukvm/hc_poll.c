/*
 * hc_poll.c: UKVM_HC_POLL, the guest's solo5_yield(): sleep in the host, not in the guest.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "hypercall.h"

enum hc_outcome hc_poll(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_poll a;
    if (hc_copy_args(ctx, UKVM_HC_POLL, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    /* Any 64-bit timeout is acceptable; clamp what timespec cannot hold. */
    uint64_t secs = a.timeout_ns / 1000000000ULL;
    if (secs > (uint64_t)INT32_MAX)
        secs = INT32_MAX;
    struct timespec ts = {.tv_sec = (time_t)secs, .tv_nsec = (long)(a.timeout_ns % 1000000000ULL)};
    struct pollfd fds[1] = {{.fd = ctx->wake_fd, .events = POLLIN}};
    /*
     * ppoll rather than nanosleep: the wake descriptor (written by the signal handler)
     * ends the sleep at once, with no race between checking for a signal and sleeping.
     */
    int rc;
    do {
        rc = ppoll(fds, ctx->wake_fd >= 0 ? 1 : 0, &ts, NULL);
    } while (rc < 0 && errno == EINTR && ctx->wake_fd < 0);
    a.ready_set = 0; /* no devices with input yet: network comes later */
    a.ret = UKVM_R_OK;
    if (hc_write_back(ctx, UKVM_HC_POLL, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    return HC_CONTINUE;
}
