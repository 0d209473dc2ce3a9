/*
 * block.c: the Solo5 block device calls.
 *
 * The monitor owns the devices (--disk) and checks every request itself; the kernel
 * checks the Solo5 rules too, so that a bad request is an error the application can
 * handle (SOLO5_R_EINVAL) rather than a guest killed by the monitor.
 */
#include "hypercall.h"
#include "kernel.h"
#include "lib.h"
#include "solo5.h"

/* A handle must fit in a solo5_handle_set_t, so at most 64 devices. */
#define BLOCK_MAX_HANDLES 64

struct block_device {
    bool acquired;
    uint64_t capacity;   /* bytes */
    uint64_t block_size; /* bytes, nonzero */
};

static struct block_device devices[BLOCK_MAX_HANDLES];

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    struct ukvm_hc_block_info call = {.name = (uintptr_t)name, .name_len = strlen(name)};

    hypercall(UKVM_HC_BLOCK_INFO, &call);
    /* A name the monitor was not given: EINVAL, as Solo5's hvt bindings answer it. */
    if (call.ret != UKVM_R_OK || call.handle >= BLOCK_MAX_HANDLES || call.block_size == 0)
        return SOLO5_R_EINVAL;

    struct block_device *dev = &devices[call.handle];
    if (dev->acquired)
        return SOLO5_R_EINVAL; /* Solo5: a device may be acquired once */
    dev->acquired = true;
    dev->capacity = call.capacity;
    dev->block_size = call.block_size;

    *handle = call.handle;
    info->capacity = call.capacity;
    info->block_size = call.block_size;
    return SOLO5_R_OK;
}

/*
 * Returns true if (offset, size) is a valid request for (handle): a whole, nonzero number
 * of blocks starting on a block boundary, inside the device, without overflow.
 */
static bool block_request_ok(solo5_handle_t handle, solo5_off_t offset, size_t size)
{
    if (handle >= BLOCK_MAX_HANDLES || !devices[handle].acquired)
        return false;
    const struct block_device *dev = &devices[handle];
    if (size == 0 || offset % dev->block_size != 0 || size % dev->block_size != 0)
        return false;
    uint64_t end;
    if (__builtin_add_overflow(offset, (uint64_t)size, &end))
        return false;
    return end <= dev->capacity;
}

/* Issues a checked read or write (nr) of size bytes at offset, buffer at data. */
static solo5_result_t block_io(enum ukvm_hypercall nr, solo5_handle_t handle, solo5_off_t offset,
                               uintptr_t data, size_t size)
{
    if (!block_request_ok(handle, offset, size))
        return SOLO5_R_EINVAL;

    struct ukvm_hc_block_io io = {.handle = handle, .offset = offset, .data = data, .len = size};
    hypercall(nr, &io);
    switch (io.ret) {
    case UKVM_R_OK:
        return SOLO5_R_OK;
    case UKVM_R_EINVAL:
        return SOLO5_R_EINVAL;
    default:
        return SOLO5_R_EUNSPEC;
    }
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset, const uint8_t *buf,
                                 size_t size)
{
    return block_io(UKVM_HC_BLOCK_WRITE, handle, offset, (uintptr_t)buf, size);
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset, uint8_t *buf,
                                size_t size)
{
    return block_io(UKVM_HC_BLOCK_READ, handle, offset, (uintptr_t)buf, size);
}
