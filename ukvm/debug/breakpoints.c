/*
 * breakpoints.c: software and hardware breakpoints (see breakpoints.h).
 */
#include <stdlib.h>
#include <string.h>

#include "breakpoints.h"
#include "ukvm/guest/guest_virt.h"

/*
 * DR7 (SDM 17.2.4): L0 at bit 0, L1 at bit 2...; from bit 16, four bits per slot: R/W
 * (00 execute, 01 write, 11 read or write) then LEN (00 1 byte, 01 2, 11 4, 10 8).
 */
#define DR7_LOCAL_ENABLE(slot) (1ULL << (2 * (slot)))
#define DR7_RW_SHIFT(slot)     (16 + 4 * (slot))
#define DR7_LEN_SHIFT(slot)    (18 + 4 * (slot))

struct sw_breakpoint *breakpoints_find_sw(struct breakpoints *bps, uint64_t va)
{
    for (size_t i = 0; i < bps->nsw; i++)
        if (bps->sw[i].va == va)
            return &bps->sw[i];
    return NULL;
}

static uint8_t *byte_at(const struct guest_mem *mem, uint64_t gpa)
{
    return guest_mem_range(mem, gpa, 1);
}

int breakpoints_insert_sw(struct breakpoints *bps, const struct guest_mem *mem,
                          const struct vcpu_sregs *sregs, uint64_t va)
{
    struct sw_breakpoint *existing = breakpoints_find_sw(bps, va);
    if (existing) {
        existing->refs++;
        return 0;
    }
    uint64_t gpa;
    if (guest_virt_translate(mem, sregs, va, &gpa) < 0)
        return -1;
    if (bps->nsw == bps->capacity) {
        size_t cap = bps->capacity ? bps->capacity * 2 : 16;
        struct sw_breakpoint *grown = realloc(bps->sw, cap * sizeof(*grown));
        if (!grown)
            return -1;
        bps->sw = grown;
        bps->capacity = cap;
    }
    uint8_t *p = byte_at(mem, gpa);
    bps->sw[bps->nsw++] = (struct sw_breakpoint){.va = va, .gpa = gpa, .original = *p, .refs = 1};
    *p = X86_INT3;
    return 0;
}

int breakpoints_remove_sw(struct breakpoints *bps, const struct guest_mem *mem, uint64_t va)
{
    struct sw_breakpoint *bp = breakpoints_find_sw(bps, va);
    if (!bp)
        return -1;
    if (--bp->refs > 0)
        return 0;
    *byte_at(mem, bp->gpa) = bp->original;
    *bp = bps->sw[--bps->nsw];
    return 0;
}

void breakpoints_lift(struct sw_breakpoint *bp, const struct guest_mem *mem)
{
    *byte_at(mem, bp->gpa) = bp->original;
    bp->lifted = true;
}

void breakpoints_restore(struct sw_breakpoint *bp, const struct guest_mem *mem)
{
    *byte_at(mem, bp->gpa) = X86_INT3;
    bp->lifted = false;
}

void breakpoints_shadow(const struct breakpoints *bps, uint64_t va, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < bps->nsw; i++) {
        const struct sw_breakpoint *bp = &bps->sw[i];
        if (bp->va >= va && bp->va - va < len && !bp->lifted)
            buf[bp->va - va] = bp->original;
    }
}

void breakpoints_after_write(struct breakpoints *bps, const struct guest_mem *mem, uint64_t va,
                             size_t len)
{
    for (size_t i = 0; i < bps->nsw; i++) {
        struct sw_breakpoint *bp = &bps->sw[i];
        if (bp->va >= va && bp->va - va < len) {
            uint8_t *p = byte_at(mem, bp->gpa);
            bp->original = *p;
            if (!bp->lifted)
                *p = X86_INT3;
        }
    }
}

int breakpoints_insert_hw(struct breakpoints *bps, uint64_t va)
{
    if (breakpoints_find_hw(bps, va) >= 0)
        return 0;
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++) {
        if (!bps->hw_used[i]) {
            bps->hw_used[i] = true;
            bps->hw_addr[i] = va;
            bps->hw_rw[i] = HW_RW_EXEC;
            bps->hw_len[i] = 1;
            return 0;
        }
    }
    return -1;
}

int breakpoints_remove_hw(struct breakpoints *bps, uint64_t va)
{
    int slot = breakpoints_find_hw(bps, va);
    if (slot < 0)
        return -1;
    bps->hw_used[slot] = false;
    return 0;
}

int breakpoints_find_hw(const struct breakpoints *bps, uint64_t va)
{
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++)
        if (bps->hw_used[i] && bps->hw_rw[i] == HW_RW_EXEC && bps->hw_addr[i] == va)
            return i;
    return -1;
}

int breakpoints_insert_hw_data(struct breakpoints *bps, uint64_t va, size_t len, unsigned rw)
{
    if ((len != 1 && len != 2 && len != 4 && len != 8) || va % len ||
        (rw != HW_RW_WRITE && rw != HW_RW_ACCESS))
        return -1;
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++) {
        if (!bps->hw_used[i]) {
            bps->hw_used[i] = true;
            bps->hw_addr[i] = va;
            bps->hw_rw[i] = (uint8_t)rw;
            bps->hw_len[i] = (uint8_t)len;
            return i;
        }
    }
    return -1;
}

void breakpoints_release_hw(struct breakpoints *bps, int slot)
{
    if (slot >= 0 && slot < HW_BREAKPOINT_SLOTS)
        bps->hw_used[slot] = false;
}

bool breakpoints_hw_is_data(const struct breakpoints *bps, int slot)
{
    return slot >= 0 && slot < HW_BREAKPOINT_SLOTS && bps->hw_used[slot] &&
           bps->hw_rw[slot] != HW_RW_EXEC;
}

/* DR7's LEN encoding for a length of 1, 2, 4 or 8 bytes. */
static uint64_t dr7_len_bits(uint8_t len)
{
    return len == 2 ? 1 : len == 4 ? 3 : len == 8 ? 2 : 0;
}

static uint64_t dr7_of(const struct breakpoints *bps, bool exec_too)
{
    uint64_t dr7 = 0;
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++) {
        if (!bps->hw_used[i] || (!exec_too && bps->hw_rw[i] == HW_RW_EXEC))
            continue;
        dr7 |= DR7_LOCAL_ENABLE(i) | (uint64_t)bps->hw_rw[i] << DR7_RW_SHIFT(i) |
               dr7_len_bits(bps->hw_len[i]) << DR7_LEN_SHIFT(i);
    }
    return dr7;
}

bool breakpoints_have_hw(const struct breakpoints *bps)
{
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++)
        if (bps->hw_used[i])
            return true;
    return false;
}

uint64_t breakpoints_dr7(const struct breakpoints *bps)
{
    return dr7_of(bps, true);
}

uint64_t breakpoints_dr7_data(const struct breakpoints *bps)
{
    return dr7_of(bps, false);
}

uint64_t breakpoints_dr6_enabled(uint64_t dr6, uint64_t dr7)
{
    for (int i = 0; i < HW_BREAKPOINT_SLOTS; i++)
        if (!(dr7 & (3ULL << (2 * i))))
            dr6 &= ~(1ULL << i);
    return dr6;
}

void breakpoints_clear(struct breakpoints *bps, const struct guest_mem *mem)
{
    while (bps->nsw > 0)
        breakpoints_remove_sw(bps, mem, bps->sw[bps->nsw - 1].va);
    free(bps->sw);
    memset(bps, 0, sizeof(*bps));
}
