/*
 * guest_mem.c: guest physical memory and bounds-checked access (see guest_mem.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"

int guest_mem_alloc(struct guest_mem *mem, uint64_t size, char *err, size_t errlen)
{
    /* MAP_NORESERVE: a large --mem costs nothing until the guest touches it. */
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "cannot allocate %llu MiB of guest memory: %s",
                 (unsigned long long)(size >> 20), strerror(errno));
        return -1;
    }
    mem->host = p;
    mem->size = size;
    return 0;
}

void guest_mem_free(struct guest_mem *mem)
{
    if (mem->host)
        munmap(mem->host, mem->size);
    mem->host = NULL;
    mem->size = 0;
}

bool guest_mem_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    /* Written so that no addition can wrap: gpa <= size first, then len <= size - gpa. */
    return gpa <= mem->size && len <= mem->size - gpa;
}

void *guest_mem_range(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    if (!guest_mem_range_ok(mem, gpa, len))
        return NULL;
    return mem->host + gpa;
}

int guest_mem_copy_in(const struct guest_mem *mem, uint64_t gpa, void *dst, size_t len)
{
    const void *src = guest_mem_range(mem, gpa, len);
    if (!src)
        return -1;
    memcpy(dst, src, len);
    return 0;
}

int guest_mem_copy_out(const struct guest_mem *mem, uint64_t gpa, const void *src, size_t len)
{
    void *dst = guest_mem_range(mem, gpa, len);
    if (!dst)
        return -1;
    memcpy(dst, src, len);
    return 0;
}

static int guest_mem_read_phys(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    return guest_mem_copy_in(ctx, gpa, buf, len);
}

struct guest_access guest_mem_access(const struct guest_mem *mem)
{
    return (struct guest_access){.read_phys = guest_mem_read_phys, .ctx = (void *)mem};
}
