/*
 * block_dev.h: block devices backed by host files (--disk, --block:NAME=FILE).
 *
 * Each device has its own block size (512 bytes unless --block-sector-size says more);
 * its backing file's size must be a whole, nonzero number of blocks, and is the device's
 * capacity. I/O is whole blocks at block-aligned offsets, checked here again even though
 * the guest's kernel checks too: the guest is not trusted.
 */
#ifndef UKVM_BLOCK_DEV_H
#define UKVM_BLOCK_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ukvm/process/options.h"

struct block_dev {
    char name[OPTIONS_BLOCK_NAME_MAX + 1];
    const char *path;
    int fd;
    uint64_t capacity;   /* bytes, a nonzero multiple of block_size */
    uint32_t block_size; /* bytes, a power of two (options.h) */
};

struct block_devs {
    size_t count;
    struct block_dev devs[OPTIONS_MAX_BLOCKS];
};

/*
 * Opens every device named in opts read-write. Returns 0, or -1 with a reason naming
 * the device and file in err (files already opened are closed again).
 */
int block_devs_open(struct block_devs *devs, const struct options *opts, char *err, size_t errlen);

/* Closes all devices. */
void block_devs_close(struct block_devs *devs);

/* The device whose name is [name, name+len), or NULL. Its handle is its index. */
const struct block_dev *block_devs_find(const struct block_devs *devs, const char *name, size_t len,
                                        uint64_t *handle);

/*
 * True when handle names a device and [offset, offset+len) is a non-empty, block-aligned
 * range inside it, with no overflow.
 */
bool block_dev_request_ok(const struct block_devs *devs, uint64_t handle, uint64_t offset,
                          uint64_t len);

/*
 * Reads or writes len bytes at offset of device handle (a request block_dev_request_ok
 * accepted). Returns 0, or -1 on a host I/O error or short transfer.
 */
int block_dev_read(const struct block_devs *devs, uint64_t handle, uint64_t offset, void *buf,
                   uint64_t len);
int block_dev_write(const struct block_devs *devs, uint64_t handle, uint64_t offset,
                    const void *buf, uint64_t len);

#endif /* UKVM_BLOCK_DEV_H */
