/*
 * user_mode.h: the run loop's side of user mode (ukvm/guest/user_shim.h).
 *
 * In user mode three things reach the monitor as stores to the hypercall page
 * (UKVM_HC_MMIO_GPA), each a VM_EXIT_MMIO:
 *   - a hypercall: an 8-byte store of the argument's address at 8 * number, served
 *     exactly as the port write of kernel mode;
 *   - an exception: the shim's entry stub for the vector stores at
 *     UKVM_HC_MMIO_TRAP_OFFSET + vector. The monitor reads the CPU's frame from the trap
 *     stack and puts the vCPU back where the exception was raised, at CPL 3, so that
 *     every later view (debugger stop, crash report, core) sees the faulting code, as in
 *     kernel mode. #BP and #DB become the debug events KVM's guest-debug controls give in
 *     kernel mode when a debugger is attached; the rest are traps;
 *   - anything else: a guest error.
 * Single-stepping sets the trap flag in the guest's rflags (KVM's guest-debug controls
 * see nothing at CPL 3 on a KVM that emulates CPL 0) and clears it again at the stop.
 */
#ifndef UKVM_USER_MODE_H
#define UKVM_USER_MODE_H

#include <stdbool.h>
#include <stdint.h>

#include "ukvm/vm/vm.h"

struct run_context;
struct run_event;

/* What an MMIO exit at the hypercall page is. */
enum user_page_access {
    USER_PAGE_NOT_IT,    /* not the hypercall page (or not user mode) */
    USER_PAGE_HYPERCALL, /* *index = the hypercall number, *value = the argument */
    USER_PAGE_TRAP,      /* *index = the exception vector */
    USER_PAGE_BAD,       /* a store of the wrong size or place, or a read: a guest error */
};

/* Classifies an MMIO exit (see above). */
enum user_page_access user_mode_classify(const struct run_context *ctx, const struct vm_exit *exit,
                                         unsigned *index, uint64_t *value);

/* What became of a trap from the shim. */
enum user_trap_outcome {
    USER_TRAP_EVENT,    /* *ev is the event to report */
    USER_TRAP_CONTINUE, /* the guest ABI emulated or delivered it: the guest goes on */
    USER_TRAP_EXIT,     /* the ABI turned it into ev->exit (a port access, a hlt), rip past
                           the instruction: serve it as that exit */
};

/*
 * Serves a trap from the shim (USER_PAGE_TRAP): completes the stub's store and restores
 * the interrupted context. #BP while a debugger has the controls on, and the #DB of a
 * step, are a RUN_EVENT_DEBUG; any other exception (a #DB the debugger did not cause too) is first
 * offered to the guest ABI's user_fault (ukvm/abi/core/user_fault.h), then becomes a RUN_EVENT_TRAP
 * with the frame, or a RUN_EVENT_CRASH (a guest error the ABI named, or a trap stack that does not
 * hold a frame from CPL 3).
 */
enum user_trap_outcome user_mode_trap(struct run_context *ctx, unsigned vector,
                                      struct run_event *ev);

/*
 * After an instruction the guest ABI emulated (USER_TRAP_CONTINUE, or USER_TRAP_EXIT once
 * served) while single-stepping: the step is done, though the CPU raised no #DB for it.
 * Returns true with *ev the step's RUN_EVENT_DEBUG (trap flag cleared), false when not
 * stepping.
 */
bool user_mode_finish_step(struct run_context *ctx, struct run_event *ev);

/*
 * The debug controls, as vcpu_set_debug takes them: in kernel mode passed on; in user
 * mode single-stepping becomes the trap flag and int3 interception is remembered for
 * user_mode_trap. Returns 0, or -1 with errno.
 */
int user_mode_set_debug(struct run_context *ctx, const struct vcpu_debug *debug);

/* Before the vCPU runs: sets the trap flag when single-stepping in user mode. */
int user_mode_arm_step(struct run_context *ctx);

/*
 * After a stop while single-stepping: clears the trap flag if it is still set (the stop
 * came before the step's #DB: a watchpoint, a fault, a stop request). Call once any
 * pending exit is complete. No-op in kernel mode.
 */
void user_mode_disarm_step(struct run_context *ctx);

/*
 * An emulated port access (USER_TRAP_EXIT) turned out fatal: puts rip back at the
 * instruction (ev->frame.rip, where its #GP was raised), which the ABI's emulation had
 * already stepped past, so that the guest is shown where it failed, as in kernel mode.
 */
void user_mode_back_to_fault(struct run_context *ctx, const struct run_event *ev);

#endif /* UKVM_USER_MODE_H */
