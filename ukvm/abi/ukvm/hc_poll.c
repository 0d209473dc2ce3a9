/*
 * hc_poll.c: UKVM_HC_POLL, the guest's solo5_yield(): sleep in the host, not in the guest,
 * until the deadline or a frame on a network device.
 */
#include "hypercall.h"

enum hc_outcome hc_poll(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_poll a;
    if (hc_copy_args(ctx, UKVM_HC_POLL, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    uint64_t ready_nets;
    bool woken;
    if (hc_wait(ctx, a.timeout_ns, &ready_nets, &woken) < 0)
        return HC_HOST_ERROR;
    /* An early return with nothing ready (a stop) is fine: the kernel waits again. */
    a.ready_set = 0;
    for (size_t i = 0; ctx->nets && i < ctx->nets->count; i++)
        if (ready_nets & (1ull << i))
            a.ready_set |= 1ull << hc_net_handle(ctx, i);
    a.ret = UKVM_R_OK;
    return hc_complete(ctx, UKVM_HC_POLL, arg, &a, sizeof(a));
}
