/*
 * breakpoints.h: the debugger's breakpoint table.
 *
 * Software breakpoints replace one byte of guest code with int3 (0xcc), written into
 * guest-physical memory by the monitor (text is read-only to the guest, not to us).
 * Any number may be set. Reads through breakpoints_shadow() see the original bytes, as
 * a debugger expects. Hardware breakpoints use the four debug-register slots, which
 * hardware data watchpoints (ukvm/debug/watchpoints.h) share.
 */
#ifndef UKVM_BREAKPOINTS_H
#define UKVM_BREAKPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vcpu_state.h"

#define X86_INT3            0xcc
#define HW_BREAKPOINT_SLOTS 4

struct sw_breakpoint {
    uint64_t va, gpa;
    uint8_t original;
    bool lifted;   /* temporarily holds the original byte (stepping off it) */
    unsigned refs; /* inserts not yet removed: gdb's break and, in user mode, hbreak */
};

struct breakpoints {
    struct sw_breakpoint *sw;
    size_t nsw, capacity;
    bool hw_used[HW_BREAKPOINT_SLOTS];
    uint64_t hw_addr[HW_BREAKPOINT_SLOTS];
    uint8_t hw_rw[HW_BREAKPOINT_SLOTS];  /* DR7 R/W: HW_RW_EXEC, HW_RW_WRITE or HW_RW_ACCESS */
    uint8_t hw_len[HW_BREAKPOINT_SLOTS]; /* bytes watched: 1 (execute), 1, 2, 4 or 8 */
};

/* DR7 R/W field values (SDM 17.2.4); 10 (I/O) is not used. */
#define HW_RW_EXEC   0u
#define HW_RW_WRITE  1u
#define HW_RW_ACCESS 3u

/*
 * Sets a software breakpoint at va (translated with sregs). Setting one twice at the
 * same address is allowed and counted: the int3 stays until it is removed as often
 * (gdb's break and, in user mode, hbreak at one address). Returns 0, or -1 when va is
 * not mapped or memory is exhausted.
 */
int breakpoints_insert_sw(struct breakpoints *bps, const struct guest_mem *mem,
                          const struct vcpu_sregs *sregs, uint64_t va);

/*
 * Removes one setting of the software breakpoint at va, restoring the byte with the last.
 * Returns 0, or -1 if none.
 */
int breakpoints_remove_sw(struct breakpoints *bps, const struct guest_mem *mem, uint64_t va);

/* The software breakpoint at va, or NULL. */
struct sw_breakpoint *breakpoints_find_sw(struct breakpoints *bps, uint64_t va);

/* Puts the original byte back while stepping off a breakpoint, and the int3 again after. */
void breakpoints_lift(struct sw_breakpoint *bp, const struct guest_mem *mem);
void breakpoints_restore(struct sw_breakpoint *bp, const struct guest_mem *mem);

/*
 * After a read of [va, va+len) from guest memory into buf, replaces each int3 the table
 * inserted with the original byte, so debuggers see the program as written.
 */
void breakpoints_shadow(const struct breakpoints *bps, uint64_t va, uint8_t *buf, size_t len);

/*
 * After a debugger wrote [va, va+len), keeps breakpoints in that range armed: the
 * written byte becomes the breakpoint's original and the int3 goes back in memory.
 */
void breakpoints_after_write(struct breakpoints *bps, const struct guest_mem *mem, uint64_t va,
                             size_t len);

/* Hardware execution breakpoints. Insert returns 0, or -1 when all slots are in use. */
int breakpoints_insert_hw(struct breakpoints *bps, uint64_t va);
int breakpoints_remove_hw(struct breakpoints *bps, uint64_t va);

/* The slot of the hardware (execution) breakpoint at va, or -1. */
int breakpoints_find_hw(const struct breakpoints *bps, uint64_t va);

/*
 * A hardware data breakpoint on [va, va+len) for writes (rw HW_RW_WRITE) or for reads
 * and writes (HW_RW_ACCESS): len 1, 2, 4 or 8 and va aligned to it. Returns its slot,
 * or -1 when the arguments do not fit a debug register or all slots are in use.
 */
int breakpoints_insert_hw_data(struct breakpoints *bps, uint64_t va, size_t len, unsigned rw);

/* Frees a slot that breakpoints_insert_hw_data returned. */
void breakpoints_release_hw(struct breakpoints *bps, int slot);

/* True when slot holds a data breakpoint (not an execution one). */
bool breakpoints_hw_is_data(const struct breakpoints *bps, int slot);

/* True when any hardware slot is in use. */
bool breakpoints_have_hw(const struct breakpoints *bps);

/*
 * DR7 for the slots in use: local enable, R/W and LEN of each (execute: 00, 1 byte).
 * breakpoints_dr7_data: the data slots only (stepping off an execution breakpoint).
 */
uint64_t breakpoints_dr7(const struct breakpoints *bps);
uint64_t breakpoints_dr7_data(const struct breakpoints *bps);

/*
 * DR6 with B0-B3 kept only for the slots dr7 enables (L or G bit). The CPU may set Bn
 * for any slot whose condition matched, enabled or not (SDM 17.2.3), so a #DB that an
 * enabled slot or something else raised can show a disabled slot's bit too.
 */
uint64_t breakpoints_dr6_enabled(uint64_t dr6, uint64_t dr7);

/* Removes every breakpoint, restoring the original bytes, and frees the table. */
void breakpoints_clear(struct breakpoints *bps, const struct guest_mem *mem);

#endif /* UKVM_BREAKPOINTS_H */
