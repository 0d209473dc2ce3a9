/*
 * hc_poll.c: UKVM_HC_POLL, the guest's solo5_yield(): sleep in the host, not in the guest.
 */
#include "hypercall.h"

enum hc_outcome hc_poll(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_poll a;
    if (hc_copy_args(ctx, UKVM_HC_POLL, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    hc_sleep(ctx, a.timeout_ns);
    a.ready_set = 0; /* no devices with input yet: network comes later */
    a.ret = UKVM_R_OK;
    if (hc_write_back(ctx, UKVM_HC_POLL, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    return HC_CONTINUE;
}
