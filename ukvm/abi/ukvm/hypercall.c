/*
 * hypercall.c: dispatch by port number and the helpers every handler shares.
 */
#include <stdio.h>

#include "hypercall.h"

typedef enum hc_outcome (*hc_handler)(struct hc_context *ctx, uint64_t arg);

static const struct {
    const char *name;
    hc_handler handler;
} hypercalls[UKVM_HC_COUNT] = {
    [UKVM_HC_PUTS] = {"PUTS", hc_puts},
    [UKVM_HC_POLL] = {"POLL", hc_poll},
    [UKVM_HC_BLOCK_INFO] = {"BLOCK_INFO", hc_block_info},
    [UKVM_HC_BLOCK_WRITE] = {"BLOCK_WRITE", hc_block_write},
    [UKVM_HC_BLOCK_READ] = {"BLOCK_READ", hc_block_read},
    [UKVM_HC_NET_INFO] = {"NET_INFO", hc_net_info},
    [UKVM_HC_NET_WRITE] = {"NET_WRITE", hc_net_write},
    [UKVM_HC_NET_READ] = {"NET_READ", hc_net_read},
    [UKVM_HC_HALT] = {"HALT", hc_halt},
    [UKVM_HC_ABORT] = {"ABORT", hc_abort},
    [UKVM_HC_TRAP] = {"TRAP", hc_trap},
    [UKVM_HC_SET_TLS_BASE] = {"SET_TLS_BASE", hc_set_tls_base},
    [UKVM_HC_CLOCK] = {"CLOCK", hc_clock},
};

const char *hypercall_name(unsigned nr)
{
    if (nr < UKVM_HC_COUNT && hypercalls[nr].name)
        return hypercalls[nr].name;
    return "unknown";
}

enum hc_outcome hypercall_dispatch(struct hc_context *ctx, uint16_t port, uint32_t value)
{
    ctx->hc_name = hypercall_name;
    unsigned nr = (unsigned)(port - UKVM_HC_PORT_BASE);
    if (nr >= UKVM_HC_COUNT || !hypercalls[nr].name) {
        snprintf(ctx->error, sizeof(ctx->error), "unknown hypercall %u (port 0x%x, argument 0x%x)",
                 nr, port, value);
        return HC_GUEST_ERROR;
    }
    return hypercalls[nr].handler(ctx, value);
}
