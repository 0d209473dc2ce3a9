/*
 * trap_frame.h: the guest's struct ukvm_trap_frame as a vCPU register view.
 *
 * A trap frame holds the faulting context (what the CPU pushed plus the general
 * registers the kernel's entry code saved); converting it lets crash reports and the
 * debuggers show the code that faulted rather than the handler that reported it. It is
 * the monitor's one representation of a faulting context, whatever the guest ABI, so
 * the conversions live with what every ABI shares.
 */
#ifndef UKVM_TRAP_FRAME_H
#define UKVM_TRAP_FRAME_H

#include "ukvm/vm/vcpu_state.h"
#include "ukvm_abi.h"

/* Copies the faulting context's general registers, rip, rsp and rflags into regs. */
void trap_frame_to_regs(const struct ukvm_trap_frame *frame, struct vcpu_regs *regs);

/*
 * The other way: regs' general registers, rip, rsp and rflags into frame; its vector,
 * error code, cr2, cs and ss are left as they are.
 */
void trap_frame_from_regs(const struct vcpu_regs *regs, struct ukvm_trap_frame *frame);

#endif /* UKVM_TRAP_FRAME_H */
