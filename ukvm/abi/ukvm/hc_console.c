/*
 * hc_console.c: UKVM_HC_PUTS, the guest's console output.
 */
#include "hypercall.h"

enum hc_outcome hc_puts(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_puts a;
    if (hc_copy_args(ctx, UKVM_HC_PUTS, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    return hc_console_write(ctx, UKVM_HC_PUTS, a.data, a.len);
}
