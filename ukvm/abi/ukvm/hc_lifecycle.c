/*
 * hc_lifecycle.c: the calls that end the guest: UKVM_HC_HALT, _ABORT and _TRAP.
 */
#include <string.h>

#include "hypercall.h"

enum hc_outcome hc_halt(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_halt a;
    if (hc_copy_args(ctx, UKVM_HC_HALT, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    ctx->exit_status = a.status;
    return HC_HALT;
}

enum hc_outcome hc_abort(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_abort a;
    if (hc_copy_args(ctx, UKVM_HC_ABORT, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    ctx->frame = a.frame;
    ctx->abort_function = a.function;
    ctx->message[0] = '\0';
    if (a.message) {
        /* The message is for humans: take what is readable, never fail the report on it. */
        uint64_t len =
            a.message_len < sizeof(ctx->message) - 1 ? a.message_len : sizeof(ctx->message) - 1;
        const char *msg = guest_mem_range(ctx->mem, a.message, len);
        if (msg) {
            memcpy(ctx->message, msg, len);
            ctx->message[len] = '\0';
            for (uint64_t i = 0; i < len; i++)
                if ((unsigned char)ctx->message[i] < 0x20 || ctx->message[i] == 0x7f)
                    ctx->message[i] = ctx->message[i] ? '?' : '\0';
        } else {
            strcpy(ctx->message, "(message outside guest memory)");
        }
    }
    return HC_ABORT;
}

enum hc_outcome hc_trap(struct hc_context *ctx, uint64_t arg)
{
    /*
     * In user mode exceptions reach the monitor through its own stubs, never through
     * this call: a TRAP then could only be a forged report (any vector, rip, even cs 0x8).
     */
    if (ctx->user_mode)
        return hc_guest_error(ctx, UKVM_HC_TRAP,
                              "not available in user mode (exceptions come through ukvm's "
                              "own entry stubs)");
    if (hc_copy_args(ctx, UKVM_HC_TRAP, arg, &ctx->frame, sizeof(ctx->frame)) < 0)
        return HC_GUEST_ERROR;
    return HC_TRAP;
}
