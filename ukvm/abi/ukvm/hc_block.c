/*
 * hc_block.c: UKVM_HC_BLOCK_INFO, _WRITE and _READ.
 *
 * A request the device cannot serve (bad handle, misaligned, past the end) is answered
 * with UKVM_R_EINVAL, as Solo5 does: the guest's kernel checks those too, and a
 * well-behaved guest can ask. Only a buffer outside guest memory ends the guest,
 * because no correct guest can produce one.
 */
#include <string.h>

#include "hypercall.h"

enum hc_outcome hc_block_info(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_block_info a;
    if (hc_copy_args(ctx, UKVM_HC_BLOCK_INFO, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    const char *name = hc_device_name(ctx, UKVM_HC_BLOCK_INFO, a.name, a.name_len);
    if (!name)
        return HC_GUEST_ERROR;
    uint64_t handle = 0;
    const struct block_dev *dev = a.name_len <= OPTIONS_BLOCK_NAME_MAX
                                      ? block_devs_find(ctx->blocks, name, a.name_len, &handle)
                                      : NULL;
    if (dev) {
        a.handle = handle;
        a.capacity = dev->capacity;
        a.block_size = dev->block_size;
        a.ret = UKVM_R_OK;
    } else {
        a.handle = a.capacity = a.block_size = 0;
        a.ret = UKVM_R_EINVAL;
    }
    return hc_complete(ctx, UKVM_HC_BLOCK_INFO, arg, &a, sizeof(a));
}

static enum hc_outcome block_io(struct hc_context *ctx, unsigned nr, uint64_t arg, bool write)
{
    struct ukvm_hc_block_io a;
    if (hc_copy_args(ctx, nr, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    void *buf = guest_mem_range(ctx->mem, a.data, a.len);
    if (!buf)
        return hc_guest_error(ctx, nr,
                              "buffer 0x%llx + len 0x%llx is outside guest memory "
                              "(%llu MiB)",
                              (unsigned long long)a.data, (unsigned long long)a.len,
                              (unsigned long long)(ctx->mem->size >> 20));
    bool ok = block_dev_request_ok(ctx->blocks, a.handle, a.offset, a.len);
    /*
     * The monitor writes a read's data straight into guest memory, trapped pages or not;
     * watchpoints learn of it through the note (see docs/debugging.md, Watchpoints).
     */
    if (ok)
        hc_note_access(ctx, a.data, a.len, !write);
    if (!ok)
        a.ret = UKVM_R_EINVAL;
    else if (write)
        a.ret = block_dev_write(ctx->blocks, a.handle, a.offset, buf, a.len) ? UKVM_R_EUNSPEC
                                                                             : UKVM_R_OK;
    else
        a.ret = block_dev_read(ctx->blocks, a.handle, a.offset, buf, a.len) ? UKVM_R_EUNSPEC
                                                                            : UKVM_R_OK;
    return hc_complete(ctx, nr, arg, &a, sizeof(a));
}

enum hc_outcome hc_block_write(struct hc_context *ctx, uint64_t arg)
{
    return block_io(ctx, UKVM_HC_BLOCK_WRITE, arg, true);
}

enum hc_outcome hc_block_read(struct hc_context *ctx, uint64_t arg)
{
    return block_io(ctx, UKVM_HC_BLOCK_READ, arg, false);
}
