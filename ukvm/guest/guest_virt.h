/*
 * guest_virt.h: the debugger's access to guest-virtual memory, through the guest's own
 * page tables (the inspection library's software walk), with the monitor's privilege:
 * writes go to read-only pages too (that is how breakpoints enter the text).
 */
#ifndef UKVM_GUEST_VIRT_H
#define UKVM_GUEST_VIRT_H

#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"
#include "ukvm/vm/vcpu_state.h"

/*
 * Translates va with the paging state in sregs. Returns 0 and the guest-physical
 * address in *gpa, or -1 when va is not mapped or maps outside guest memory.
 */
int guest_virt_translate(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                         uint64_t *gpa);

/*
 * Reads len bytes at va. Returns how many bytes were read from the start of the range
 * (fewer than len when it runs into an unmapped page), or -1 when the first byte is not
 * mapped.
 */
long guest_virt_read(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                     void *buf, size_t len);

/* Writes len bytes at va, ignoring page permissions. Returns 0, or -1 (nothing written) if any page
 * is unmapped. */
int guest_virt_write(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                     const void *buf, size_t len);

/*
 * Writes len bytes at va as the guest's user-mode code could: every page must be mapped
 * user-accessible and writable (the monitor's own pages are supervisor-only). For what
 * the monitor does on the guest's behalf in user mode, such as pushing an exception
 * frame onto a stack the guest chose. Returns 0, or -1 (nothing written).
 */
int guest_virt_write_as_user(const struct guest_mem *mem, const struct vcpu_sregs *sregs,
                             uint64_t va, const void *buf, size_t len);

#endif /* UKVM_GUEST_VIRT_H */
