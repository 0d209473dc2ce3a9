/*
 * guest_virt.c: guest-virtual memory access for debuggers (see guest_virt.h).
 */
#include <string.h>

#include "guest_virt.h"
#include "ukvm/inspect/pagewalk.h"

/* Translates va; with as_user, only through a user-accessible, writable mapping. */
static int translate(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                     bool as_user, uint64_t *gpa)
{
    struct guest_access access = guest_mem_access(mem);
    struct pagewalk_result walk;
    if (pagewalk_translate(&access, sregs->cr0, sregs->cr3, sregs->cr4, sregs->efer, va, &walk) < 0)
        return -1;
    if (!guest_mem_range_ok(mem, walk.pa, 1) || (as_user && !(walk.user && walk.writable)))
        return -1;
    *gpa = walk.pa;
    return 0;
}

int guest_virt_translate(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                         uint64_t *gpa)
{
    return translate(mem, sregs, va, false, gpa);
}

/* Bytes from va to the end of its 4 KiB page: the most one translation can cover safely. */
static size_t page_remaining(uint64_t va)
{
    return 0x1000 - (size_t)(va & 0xfff);
}

long guest_virt_read(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                     void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        uint64_t gpa;
        size_t chunk = page_remaining(va + done);
        if (chunk > len - done)
            chunk = len - done;
        if (guest_virt_translate(mem, sregs, va + done, &gpa) < 0 ||
            guest_mem_copy_in(mem, gpa, (uint8_t *)buf + done, chunk) < 0)
            break;
        done += chunk;
    }
    return done == 0 && len > 0 ? -1 : (long)done;
}

static int write_checked(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                         const void *buf, size_t len, bool as_user)
{
    /* Check every page first, so a failed write leaves memory as it was. */
    for (size_t done = 0; done < len;) {
        uint64_t gpa;
        size_t chunk = page_remaining(va + done);
        if (translate(mem, sregs, va + done, as_user, &gpa) < 0 ||
            !guest_mem_range_ok(mem, gpa, chunk < len - done ? chunk : len - done))
            return -1;
        done += chunk;
    }
    for (size_t done = 0; done < len;) {
        uint64_t gpa;
        size_t chunk = page_remaining(va + done);
        if (chunk > len - done)
            chunk = len - done;
        guest_virt_translate(mem, sregs, va + done, &gpa);
        guest_mem_copy_out(mem, gpa, (const uint8_t *)buf + done, chunk);
        done += chunk;
    }
    return 0;
}

int guest_virt_write(const struct guest_mem *mem, const struct vcpu_sregs *sregs, uint64_t va,
                     const void *buf, size_t len)
{
    return write_checked(mem, sregs, va, buf, len, false);
}

int guest_virt_write_as_user(const struct guest_mem *mem, const struct vcpu_sregs *sregs,
                             uint64_t va, const void *buf, size_t len)
{
    return write_checked(mem, sregs, va, buf, len, true);
}
