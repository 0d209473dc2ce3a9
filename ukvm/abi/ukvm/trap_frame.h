/*
 * trap_frame.h: the guest's struct ukvm_trap_frame as a vCPU register view.
 *
 * A trap frame holds the faulting context (what the CPU pushed plus the general
 * registers the kernel's entry code saved); converting it lets crash reports and the
 * debuggers show the code that faulted rather than the handler that reported it.
 */
#ifndef UKVM_TRAP_FRAME_H
#define UKVM_TRAP_FRAME_H

#include "ukvm/vm/vcpu_state.h"
#include "ukvm_abi.h"

/* Copies the faulting context's general registers, rip, rsp and rflags into regs. */
void trap_frame_to_regs(const struct ukvm_trap_frame *frame, struct vcpu_regs *regs);

#endif /* UKVM_TRAP_FRAME_H */
