/*
 * hc_net.h: the frame transfer both guest ABIs' network hypercalls share.
 *
 * Each ABI copies its own argument struct and maps its own handle to a device; the rest
 * (the buffer lies in guest memory, Solo5's length rules, the tap I/O, what watchpoints
 * learn of the monitor's access) is the same, and lives here once.
 */
#ifndef UKVM_HC_NET_H
#define UKVM_HC_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "hc_core.h"
#include "ukvm/devices/net_dev.h"

/*
 * Sends (write) or receives one frame for call nr through dev, NULL when the guest's
 * handle names no network device. The buffer [data, data+len) must lie in guest memory:
 * otherwise HC_GUEST_ERROR, whatever the handle. Else *result is NET_IO_OK, NET_IO_AGAIN
 * (read: nothing waiting) or NET_IO_INVALID (no device, or lengths Solo5 does not allow),
 * *frame_len the length received, and the return HC_CONTINUE; HC_HOST_ERROR when the tap
 * failed (ctx->error says how).
 */
enum hc_outcome hc_net_io(struct hc_context *ctx, unsigned nr, struct net_dev *dev, bool write,
                          uint64_t data, uint64_t len, enum net_io *result, uint64_t *frame_len);

#endif /* UKVM_HC_NET_H */
