/*
 * hc_tls.c: UKVM_HC_SET_TLS_BASE, the FS base that code at CPL 3 cannot write itself.
 */
#include <inttypes.h>

#include "hypercall.h"
#include "ukvm/inspect/x86_decode.h"

enum hc_outcome hc_set_tls_base(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_tls_base a;
    if (hc_copy_args(ctx, UKVM_HC_SET_TLS_BASE, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    /* KVM would refuse it, and a non-canonical base is a guest bug: say which. */
    if (!x86_is_canonical(a.base))
        return hc_guest_error(ctx, UKVM_HC_SET_TLS_BASE, "base 0x%" PRIx64 " is not canonical",
                              a.base);
    struct vcpu_sregs sregs;
    if (!ctx->vcpu || vcpu_get_sregs(ctx->vcpu, &sregs) < 0)
        return hc_guest_error(ctx, UKVM_HC_SET_TLS_BASE, "the vCPU's segments are unavailable");
    sregs.fs.base = a.base;
    ctx->vcpu_changed = true;
    if (vcpu_set_sregs(ctx->vcpu, &sregs) < 0)
        return hc_guest_error(ctx, UKVM_HC_SET_TLS_BASE, "KVM refused FS base 0x%" PRIx64, a.base);
    return HC_CONTINUE;
}
