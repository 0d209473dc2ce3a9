/*
 * guest_access.h: how the inspection library reads guest memory.
 *
 * The library never touches guest memory directly: the monitor (or a unit test with
 * synthetic memory, or later a core file) supplies a physical-memory reader. Virtual
 * reads go through the guest's own page tables (pagewalk.h).
 */
#ifndef UKVM_GUEST_ACCESS_H
#define UKVM_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>

struct guest_access {
    /*
     * Copies len bytes at guest-physical address gpa into buf. Returns 0, or -1 when
     * any part of [gpa, gpa+len) lies outside guest memory (nothing is copied then).
     */
    int (*read_phys)(void *ctx, uint64_t gpa, void *buf, size_t len);
    void *ctx;
};

#endif /* UKVM_GUEST_ACCESS_H */
