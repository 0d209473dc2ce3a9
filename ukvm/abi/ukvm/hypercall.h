/*
 * hypercall.h: the monitor's side of the ukvm ABI's hypercalls (include/ukvm_abi.h).
 *
 * The run loop hands every port write in the ABI's hypercall range to
 * hypercall_dispatch(); the handlers follow the rules of ukvm/abi/core/hc_core.h.
 */
#ifndef UKVM_HYPERCALL_H
#define UKVM_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "ukvm/abi/core/hc_core.h"
#include "ukvm_abi.h"

/*
 * Handles the guest's write of value (the argument's guest-physical address) to port.
 * The caller has checked that port is in [UKVM_HC_PORT_BASE, UKVM_HC_PORT_BASE + 0x100).
 */
enum hc_outcome hypercall_dispatch(struct hc_context *ctx, uint16_t port, uint32_t value);

/* The call's name as in the ABI, e.g. "PUTS" for UKVM_HC_PUTS; "unknown" otherwise. */
const char *hypercall_name(unsigned nr);

/* Handlers, one per file; each has the contract of hypercall_dispatch for its call. */
enum hc_outcome hc_puts(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_poll(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_block_info(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_block_write(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_block_read(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_net_info(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_net_write(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_net_read(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_halt(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_abort(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_trap(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_set_tls_base(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_clock(struct hc_context *ctx, uint64_t arg);

/*
 * The guest's handle for network device index (in ctx->nets): block devices come first,
 * so the handles of the two kinds never collide (at most 63 devices: one bit each).
 */
uint64_t hc_net_handle(const struct hc_context *ctx, size_t index);

#endif /* UKVM_HYPERCALL_H */
