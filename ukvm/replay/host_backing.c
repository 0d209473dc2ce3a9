/*
 * host_backing.c: never-backed host pages from /proc/self/pagemap (see host_backing.h).
 */
#include <fcntl.h>
#include <unistd.h>

#include "host_backing.h"

#define HOST_PAGE 4096ULL
/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst): in RAM, in swap. */
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_SWAPPED (1ULL << 62)

void host_backing_open(struct host_backing *b)
{
    b->first = 0;
    b->count = 0;
    b->fd = sysconf(_SC_PAGESIZE) == (long)HOST_PAGE
                ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
                : -1;
}

bool host_backing_never(struct host_backing *b, const void *host)
{
    if (b->fd < 0)
        return false;
    uint64_t pfn = (uint64_t)(uintptr_t)host / HOST_PAGE;
    if (pfn < b->first || pfn >= b->first + b->count) {
        ssize_t n = pread(b->fd, b->entries, sizeof(b->entries), (off_t)(pfn * 8));
        if (n < 8) {
            host_backing_close(b);
            return false;
        }
        b->first = pfn;
        b->count = (size_t)n / 8;
    }
    return !(b->entries[pfn - b->first] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED));
}

void host_backing_rewind(struct host_backing *b)
{
    b->count = 0;
}

void host_backing_close(struct host_backing *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
    b->count = 0;
}
