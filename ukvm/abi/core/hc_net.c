/*
 * hc_net.c: one frame in or out, for either ABI (see hc_net.h).
 */
#include "hc_net.h"

enum hc_outcome hc_net_io(struct hc_context *ctx, unsigned nr, struct net_dev *dev, bool write,
                          uint64_t data, uint64_t len, enum net_io *result, uint64_t *frame_len)
{
    *frame_len = 0;
    void *buf = guest_mem_range(ctx->mem, data, len);
    if (!buf)
        return hc_guest_error(ctx, nr,
                              "buffer 0x%llx + len 0x%llx is outside guest memory (%llu MiB)",
                              (unsigned long long)data, (unsigned long long)len,
                              (unsigned long long)(ctx->mem->size >> 20));
    if (!dev) {
        *result = NET_IO_INVALID;
        return HC_CONTINUE;
    }
    size_t got = 0;
    *result = write ? net_dev_write(dev, buf, len, ctx->error, sizeof(ctx->error))
                    : net_dev_read(dev, buf, len, &got, ctx->error, sizeof(ctx->error));
    if (*result == NET_IO_FAILED)
        return HC_HOST_ERROR;
    /*
     * The monitor reads a frame straight into guest memory, trapped pages or not:
     * watchpoints learn of it here (docs/debugging.md, Watchpoints).
     */
    if (*result == NET_IO_OK)
        hc_note_access(ctx, data, write ? len : got, !write);
    *frame_len = got;
    return HC_CONTINUE;
}
