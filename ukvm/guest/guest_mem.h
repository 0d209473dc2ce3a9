/*
 * guest_mem.h: the guest's physical memory as the monitor sees it, and the only
 * sanctioned way to turn a guest-supplied address into a host pointer.
 *
 * Every hypercall argument goes through guest_mem_range(): it checks gpa + len for
 * overflow and against the memory size before any host pointer exists, so a hostile
 * guest cannot make the monitor read or write outside the guest's own memory.
 */
#ifndef UKVM_GUEST_MEM_H
#define UKVM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ukvm/inspect/guest_access.h"

struct guest_mem {
    uint8_t *host; /* mmap'd, page-aligned, zero-filled at start */
    uint64_t size; /* bytes; a multiple of 1 MiB (--mem is in MiB) */
};

/*
 * Allocates size bytes of zeroed guest memory (lazily backed: untouched pages cost
 * nothing). Returns 0, or -1 with a reason in err.
 */
int guest_mem_alloc(struct guest_mem *mem, uint64_t size, char *err, size_t errlen);

/* Releases the memory; the struct may be reused with guest_mem_alloc. */
void guest_mem_free(struct guest_mem *mem);

/*
 * True when [gpa, gpa+len) lies inside guest memory, with no overflow. len 0 is in
 * range when gpa <= size.
 */
bool guest_mem_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/*
 * Host pointer for [gpa, gpa+len), or NULL when the range is not entirely inside
 * guest memory (see guest_mem_range_ok).
 */
void *guest_mem_range(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/*
 * Copies len bytes between guest memory at gpa and host memory. Hypercalls copy their
 * argument struct in once, so the guest cannot change it between check and use.
 * Return 0, or -1 (nothing copied) when the range is out of bounds.
 */
int guest_mem_copy_in(const struct guest_mem *mem, uint64_t gpa, void *dst, size_t len);
int guest_mem_copy_out(const struct guest_mem *mem, uint64_t gpa, const void *src, size_t len);

/* A struct guest_access (for the inspection library) reading this memory. */
struct guest_access guest_mem_access(const struct guest_mem *mem);

#endif /* UKVM_GUEST_MEM_H */
