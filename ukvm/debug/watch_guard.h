/*
 * watch_guard.h: the guest pages a watchpoint must never trap.
 *
 * A trapped page (read-only or absent slot, ukvm/vm/mem_slots.h) turns the guest's own
 * accesses into exits the monitor completes. That works for instructions, which the
 * hypervisor can emulate one access at a time; it does not work for the accesses the CPU
 * makes by itself: walking page tables (and setting their accessed/dirty bits), reading
 * the GDT, IDT and TSS and pushing an exception frame while it delivers an exception,
 * and fetching instructions. Such a page trapped would stop the guest with an emulation
 * or delivery failure instead of a watchpoint hit, so these pages are refused, with the
 * reason in words:
 *
 *   - the page tables: every table page reachable from CR3;
 *   - the GDT, the IDT and the TSS (from GDTR, IDTR and TR);
 *   - the interrupt stacks the TSS names (IST1-IST7, UKVM_IST_STACK_SIZE below each top);
 *   - the stack: the whole stack region of the layout (UKVM_STACK_SIZE below the top of
 *     memory), and wherever rsp points now, its page and the page below;
 *   - code: any page the guest's page tables map executable.
 */
#ifndef UKVM_WATCH_GUARD_H
#define UKVM_WATCH_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vcpu_state.h"

/* What the check looks at: the stopped vCPU and its memory. layout may be NULL. */
struct watch_guard_env {
    const struct guest_mem *mem;
    const struct vcpu_regs *regs;
    const struct vcpu_sregs *sregs;
    const struct boot_layout *layout;
};

/*
 * Checks the page holding guest-physical gpa, which guest-virtual va maps to. Returns 0
 * when it may be trapped, or -1 with the reason in why ("the page 0x1000 holds the GDT:
 * the CPU reads it while it delivers an exception; ...").
 */
int watch_guard_check(const struct watch_guard_env *env, uint64_t va, uint64_t gpa, char *why,
                      size_t whylen);

#endif /* UKVM_WATCH_GUARD_H */
