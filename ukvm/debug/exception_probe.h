/*
 * exception_probe.h: how this KVM treats two guest exceptions a debugger cares about.
 *
 *   int3      With KVM_GUESTDBG_USE_SW_BP, hardware KVM intercepts a guest's #BP and
 *             exits with KVM_EXIT_DEBUG; a KVM that runs kernel-mode code in its
 *             instruction emulator ends emulation at the int3 instead (ukvm stops there
 *             as well). A nested KVM under an emulated SVM (QEMU's TCG) does neither: the
 *             #BP reaches the guest's own IDT. ukvm's kernel reports the trap to the
 *             monitor with every register, and ukvm stops at its breakpoint as usual;
 *             a Solo5 kernel's handler prints it and keeps only part of the registers,
 *             so the guest cannot go on from there: `hbreak` is the breakpoint there.
 *   shutdown  After a triple fault, most KVMs leave the registers at the instruction that
 *             faulted; kvm_amd re-initialises the vCPU on a shutdown intercept (the VMCB
 *             is undefined after one), leaving the reset state (rip 0xfff0).
 *
 * Each probe runs a few bytes in a throwaway VM (probe_vm.h) at CPL 0, on demand: only
 * `ukvm --probe` asks. Guests in user mode take both exceptions through ukvm's own
 * handlers, the same on every KVM.
 */
#ifndef UKVM_EXCEPTION_PROBE_H
#define UKVM_EXCEPTION_PROBE_H

enum int3_handling {
    INT3_PROBE_FAILED,
    INT3_EXITS,             /* KVM_EXIT_DEBUG with #BP */
    INT3_ENDS_EMULATION,    /* KVM_EXIT_INTERNAL_ERROR (emulation) at the int3 */
    INT3_REACHES_GUEST_IDT, /* not intercepted: the guest's IDT takes the #BP */
};

enum shutdown_state {
    SHUTDOWN_PROBE_FAILED,
    SHUTDOWN_KEEPS_REGISTERS, /* rip at the instruction that faulted */
    SHUTDOWN_RESETS_VCPU,     /* the reset state: rip 0xfff0, cs base 0xffff0000 */
};

/* Runs `int3; hlt` with KVM_GUESTDBG_USE_SW_BP and no IDT; says what happened. */
enum int3_handling exception_probe_int3(void);

/* Runs `ud2` with no IDT (a triple fault); says what the registers hold afterwards. */
enum shutdown_state exception_probe_shutdown(void);

/* One line on the answer, for `ukvm --probe`. */
const char *exception_probe_int3_text(enum int3_handling h);

/* One line on the answer, for `ukvm --probe`. */
const char *exception_probe_shutdown_text(enum shutdown_state s);

#endif /* UKVM_EXCEPTION_PROBE_H */
