/*
 * net.c: the Solo5 network calls.
 *
 * The monitor owns the devices (--net:NAME=TAP) and checks every request itself; the
 * kernel applies Solo5's rules first, so that a request the application got wrong is an
 * error it can handle (SOLO5_R_EINVAL), not a guest the monitor stops.
 */
#include "hypercall.h"
#include "kernel.h"
#include "lib.h"
#include "solo5.h"

/* A handle must fit in a solo5_handle_set_t, so at most 64 devices. */
#define NET_MAX_HANDLES 64

struct net_device {
    bool acquired;
    uint64_t mtu;
};

static struct net_device devices[NET_MAX_HANDLES];

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    struct ukvm_hc_net_info call = {.name = (uintptr_t)name, .name_len = strlen(name)};

    hypercall(UKVM_HC_NET_INFO, &call);
    /* A name the monitor was not given: EINVAL, as Solo5's hvt bindings answer it. */
    if (call.ret != UKVM_R_OK || call.handle >= NET_MAX_HANDLES)
        return SOLO5_R_EINVAL;

    struct net_device *dev = &devices[call.handle];
    if (dev->acquired)
        return SOLO5_R_EINVAL; /* Solo5: a device may be acquired once */
    dev->acquired = true;
    dev->mtu = call.mtu;

    *handle = call.handle;
    memcpy(info->mac_address, call.mac, SOLO5_NET_ALEN);
    info->mtu = call.mtu;
    return SOLO5_R_OK;
}

static struct net_device *acquired_device(solo5_handle_t handle)
{
    if (handle >= NET_MAX_HANDLES || !devices[handle].acquired)
        return NULL;
    return &devices[handle];
}

static solo5_result_t result_of(int64_t ret)
{
    switch (ret) {
    case UKVM_R_OK:
        return SOLO5_R_OK;
    case UKVM_R_AGAIN:
        return SOLO5_R_AGAIN;
    case UKVM_R_EINVAL:
        return SOLO5_R_EINVAL;
    default:
        return SOLO5_R_EUNSPEC;
    }
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf, size_t size)
{
    const struct net_device *dev = acquired_device(handle);
    /* Solo5: the frame includes its Ethernet header and is at most mtu + that header. */
    if (!dev || size < SOLO5_NET_HLEN || size > dev->mtu + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    struct ukvm_hc_net_io io = {.handle = handle, .data = (uintptr_t)buf, .len = size};
    hypercall(UKVM_HC_NET_WRITE, &io);
    return result_of(io.ret);
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size, size_t *read_size)
{
    const struct net_device *dev = acquired_device(handle);
    /* Solo5: the buffer holds the largest frame the device can deliver. */
    if (!dev || size < dev->mtu + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    struct ukvm_hc_net_io io = {.handle = handle, .data = (uintptr_t)buf, .len = size};
    hypercall(UKVM_HC_NET_READ, &io);
    solo5_result_t r = result_of(io.ret);
    if (r == SOLO5_R_OK)
        *read_size = io.len;
    return r;
}
