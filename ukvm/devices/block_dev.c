/*
 * block_dev.c: file-backed block devices (see block_dev.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block_dev.h"

int block_devs_open(struct block_devs *devs, const struct options *opts, char *err, size_t errlen)
{
    memset(devs, 0, sizeof(*devs));
    for (size_t i = 0; i < opts->nblocks; i++) {
        const struct block_option *o = &opts->blocks[i];
        if (o->block_size == 0 || (o->block_size & (o->block_size - 1)) != 0) {
            snprintf(err, errlen, "block device \"%s\": block size %u is not a power of two",
                     o->name, o->block_size);
            goto fail;
        }
        int fd = open(o->path, O_RDWR | O_CLOEXEC);
        if (fd < 0 && errno == EISDIR) {
            snprintf(err, errlen, "block device \"%s\": %s is not a regular file", o->name,
                     o->path);
            goto fail;
        }
        if (fd < 0) {
            snprintf(err, errlen, "block device \"%s\": cannot open %s: %s", o->name, o->path,
                     strerror(errno));
            goto fail;
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "block device \"%s\": %s is not a regular file", o->name,
                     o->path);
            close(fd);
            goto fail;
        }
        /*
         * The whole file is the device, so its size must be whole blocks: rounding down
         * would hide the tail from the guest, and Solo5 refuses such files too.
         */
        uint64_t size = (uint64_t)st.st_size;
        if (size == 0) {
            snprintf(err, errlen,
                     "block device \"%s\": %s is empty: a device needs at least one block "
                     "(%u bytes)",
                     o->name, o->path, o->block_size);
            close(fd);
            goto fail;
        }
        if (size % o->block_size != 0) {
            snprintf(err, errlen,
                     "block device \"%s\": %s: its size (%llu bytes) is not a multiple of the "
                     "block size (%u bytes); the backing file must hold whole blocks",
                     o->name, o->path, (unsigned long long)size, o->block_size);
            close(fd);
            goto fail;
        }
        struct block_dev *d = &devs->devs[devs->count++];
        memcpy(d->name, o->name, sizeof(d->name));
        d->path = o->path;
        d->fd = fd;
        d->capacity = size;
        d->block_size = o->block_size;
    }
    return 0;
fail:
    block_devs_close(devs);
    return -1;
}

void block_devs_close(struct block_devs *devs)
{
    for (size_t i = 0; i < devs->count; i++)
        close(devs->devs[i].fd);
    devs->count = 0;
}

const struct block_dev *block_devs_find(const struct block_devs *devs, const char *name, size_t len,
                                        uint64_t *handle)
{
    for (size_t i = 0; i < devs->count; i++) {
        if (strlen(devs->devs[i].name) == len && !memcmp(devs->devs[i].name, name, len)) {
            *handle = i;
            return &devs->devs[i];
        }
    }
    return NULL;
}

bool block_dev_request_ok(const struct block_devs *devs, uint64_t handle, uint64_t offset,
                          uint64_t len)
{
    if (handle >= devs->count)
        return false;
    uint64_t cap = devs->devs[handle].capacity;
    uint64_t bs = devs->devs[handle].block_size;
    return len > 0 && offset % bs == 0 && len % bs == 0 && offset <= cap && len <= cap - offset;
}

/* Moves len bytes at offset, looping over short transfers and EINTR. */
static int block_dev_transfer(const struct block_devs *devs, uint64_t handle, uint64_t offset,
                              uint8_t *buf, uint64_t len, bool write)
{
    int fd = devs->devs[handle].fd;
    while (len > 0) {
        ssize_t n =
            write ? pwrite(fd, buf, len, (off_t)offset) : pread(fd, buf, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        offset += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

int block_dev_read(const struct block_devs *devs, uint64_t handle, uint64_t offset, void *buf,
                   uint64_t len)
{
    return block_dev_transfer(devs, handle, offset, buf, len, false);
}

int block_dev_write(const struct block_devs *devs, uint64_t handle, uint64_t offset,
                    const void *buf, uint64_t len)
{
    /* pwrite does not write through buf: the cast only lets one loop serve both ways. */
    return block_dev_transfer(devs, handle, offset, (uint8_t *)buf, len, true);
}
