/*
 * hc_net.c: UKVM_HC_NET_INFO, _WRITE and _READ.
 *
 * The monitor numbers block devices first and network devices after them, so that one
 * handle names one device and a poll's ready set needs no device type.
 */
#include <string.h>

#include "hypercall.h"
#include "ukvm/abi/core/hc_net.h"

static size_t block_count(const struct hc_context *ctx)
{
    return ctx->blocks ? ctx->blocks->count : 0;
}

uint64_t hc_net_handle(const struct hc_context *ctx, size_t index)
{
    return block_count(ctx) + index;
}

/* The network device a guest handle names, or NULL. */
static struct net_dev *net_of_handle(const struct hc_context *ctx, uint64_t handle)
{
    if (!ctx->nets || handle < block_count(ctx) || handle - block_count(ctx) >= ctx->nets->count)
        return NULL;
    return &ctx->nets->devs[handle - block_count(ctx)];
}

enum hc_outcome hc_net_info(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_net_info a;
    if (hc_copy_args(ctx, UKVM_HC_NET_INFO, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    const char *name = hc_device_name(ctx, UKVM_HC_NET_INFO, a.name, a.name_len);
    if (!name)
        return HC_GUEST_ERROR;
    size_t index = 0;
    struct net_dev *dev = ctx->nets && a.name_len <= OPTIONS_DEVICE_NAME_MAX
                              ? net_devs_find(ctx->nets, name, a.name_len, &index)
                              : NULL;
    memset(a.mac, 0, sizeof(a.mac));
    memset(a.pad, 0, sizeof(a.pad));
    if (dev) {
        dev->polled = true; /* the guest has it now: its frames end the guest's waits */
        a.handle = hc_net_handle(ctx, index);
        a.mtu = dev->mtu;
        memcpy(a.mac, dev->mac, sizeof(a.mac));
        a.ret = UKVM_R_OK;
    } else {
        a.handle = a.mtu = 0;
        a.ret = UKVM_R_EINVAL;
    }
    return hc_complete(ctx, UKVM_HC_NET_INFO, arg, &a, sizeof(a));
}

static enum hc_outcome net_io(struct hc_context *ctx, unsigned nr, uint64_t arg, bool write)
{
    struct ukvm_hc_net_io a;
    if (hc_copy_args(ctx, nr, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    enum net_io result;
    uint64_t got;
    enum hc_outcome o =
        hc_net_io(ctx, nr, net_of_handle(ctx, a.handle), write, a.data, a.len, &result, &got);
    if (o != HC_CONTINUE)
        return o;
    a.ret = result == NET_IO_OK ? UKVM_R_OK : result == NET_IO_AGAIN ? UKVM_R_AGAIN : UKVM_R_EINVAL;
    if (!write)
        a.len = result == NET_IO_OK ? got : 0;
    return hc_complete(ctx, nr, arg, &a, sizeof(a));
}

enum hc_outcome hc_net_write(struct hc_context *ctx, uint64_t arg)
{
    return net_io(ctx, UKVM_HC_NET_WRITE, arg, true);
}

enum hc_outcome hc_net_read(struct hc_context *ctx, uint64_t arg)
{
    return net_io(ctx, UKVM_HC_NET_READ, arg, false);
}
