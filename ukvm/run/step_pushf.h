/*
 * step_pushf.h: a single step must not leak its trap flag into guest memory.
 *
 * Every way ukvm single-steps a guest sets RFLAGS.TF for the one instruction: KVM's
 * KVM_GUESTDBG_SINGLESTEP does so on hardware KVM (VMX and SVM alike), and user mode sets
 * it itself. KVM hides that TF from the registers it reports, but a stepped `pushf`
 * writes it to the stack, where the guest sees it, and a later `popf` would turn tracing
 * on for real. Software KVMs that emulate the step do not leak it; clearing it is then a
 * no-op.
 */
#ifndef UKVM_STEP_PUSHF_H
#define UKVM_STEP_PUSHF_H

#include <stdbool.h>
#include <stdint.h>

#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vcpu_state.h"

/*
 * Called after a single step of the instruction at step_rip, with the paging state in
 * sregs and the stack pointer after the step: if that instruction was pushf (after any
 * operand-size or REX prefixes), clears TF in the word it pushed at rsp. as_user writes
 * as CPL 3 code could (user-mode guests: a stack the guest chose is never the monitor's
 * own page). A guest that had set TF itself loses it from that one pushed copy.
 */
void step_unpush_trap_flag(const struct guest_mem *mem, const struct vcpu_sregs *sregs,
                           uint64_t step_rip, uint64_t rsp, bool as_user);

#endif /* UKVM_STEP_PUSHF_H */
