/*
 * host_backing.h: which pages of guest memory the host kernel has never backed, so that
 * checkpoints (checkpoint.h) can skip them.
 *
 * Guest memory is one private anonymous mapping (ukvm/guest/guest_mem.c, MAP_NORESERVE):
 * a page the guest never touched is in neither RAM nor swap, and is all zero. Reading it
 * to find that out would make the kernel map a page there: one page fault per 4 KiB, which
 * made the first checkpoint of a 64 MiB guest cost some 20 ms and of a 512 MiB guest some
 * 150 ms, for pages the guest never used. /proc/self/pagemap says it without touching
 * them, 8 bytes per page.
 */
#ifndef UKVM_HOST_BACKING_H
#define UKVM_HOST_BACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_BACKING_BATCH 1024 /* pagemap entries read at once: 4 MiB of guest memory */

struct host_backing {
    int fd;         /* /proc/self/pagemap; -1: unknown, every page counts as backed */
    uint64_t first; /* host page number of entries[0] */
    size_t count;   /* entries held */
    uint64_t entries[HOST_BACKING_BATCH];
};

/*
 * Opens /proc/self/pagemap (before the sandbox is set up, or under a sandbox that allows
 * opening files to read). Where it cannot be read, or host pages are not 4 KiB, fd is -1
 * and host_backing_never says false for every page: slower, never wrong.
 */
void host_backing_open(struct host_backing *b);

/*
 * Forgets the entries read so far: call it before each walk over guest memory, since the
 * guest may have touched pages since the last one.
 */
void host_backing_rewind(struct host_backing *b);

/*
 * True when the host page at host (4 KiB aligned) was never backed, so it is all zero;
 * false when it is or was (in RAM or swap), or when that is unknown. Entries are read in
 * batches, and kept until host_backing_rewind: call it page after page, in ascending
 * order, within one walk while the guest does not run. A read that fails closes the
 * file, and every later answer is false.
 */
bool host_backing_never(struct host_backing *b, const void *host);

/* Closes the file; b is then as host_backing_open leaves it where pagemap is unreadable. */
void host_backing_close(struct host_backing *b);

#endif /* UKVM_HOST_BACKING_H */
