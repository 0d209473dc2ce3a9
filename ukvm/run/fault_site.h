/*
 * fault_site.h: the vCPU at the instruction whose port or MMIO exit ended the guest.
 *
 * When such an exit is fatal (a port that is no hypercall, a malformed hypercall, a store
 * outside guest memory), every front end must show the guest where it failed: the crash
 * report, a debugger's stop, `monitor core` and --core alike, whatever the KVM. KVMs do
 * not agree on where rip is at such an exit: hardware KVM leaves it at an `out` or `in`
 * (the instruction completes on the next KVM_RUN, an `in` loading its register from
 * whatever the monitor left), while its instruction emulator (an MMIO store anywhere; all
 * of it where CPL 0 code is emulated) has already moved rip past the instruction. So ukvm
 * asks, for each fatal exit, instead of assuming either.
 */
#ifndef UKVM_FAULT_SITE_H
#define UKVM_FAULT_SITE_H

#include "run_context.h"

/*
 * For a fatal event whose exit is still pending (ev->exit_pending, an io or mmio exit):
 * lets KVM finish the instruction without running on (vcpu_complete_pending_exit, so that
 * nothing half-done is left in KVM), then puts the registers back as they were at the
 * exit with rip at the start of the instruction: where KVM reported it, when finishing it
 * moved rip; else found by decoding the instruction that ends at rip and makes this very
 * access (an `in`/`out` to the exit's port, a `mov` store to the exit's address; the
 * registers such instructions read are the ones at the exit). An instruction it cannot
 * decode keeps rip past it. Clears ev->exit_pending. Nothing is done when the vCPU cannot
 * be read or run (a later read reports that).
 */
void fault_site_restore(struct run_context *ctx, struct run_event *ev);

/*
 * The decoding behind fault_site_restore, for the unit test: the length (1-15) of an
 * instruction that ends at `end` (code holds the n bytes before end, code[n - 1] the last)
 * and performs the access of exit (an `in`/`out` of exit->io, or a `mov` store of
 * exit->mmio.len bytes whose effective address, computed with regs and fs_base/gs_base,
 * translates to exit->mmio.gpa through translate(ctx, va, &gpa), which returns 0 or -1);
 * 0 when none does.
 */
unsigned fault_site_length(const uint8_t *code, unsigned n, uint64_t end,
                           const struct vm_exit *exit, const struct vcpu_regs *regs,
                           uint64_t fs_base, uint64_t gs_base,
                           int (*translate)(void *ctx, uint64_t va, uint64_t *gpa), void *ctx);

#endif /* UKVM_FAULT_SITE_H */
