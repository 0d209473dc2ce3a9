/*
 * core_capture.h: core files of a live monitor. Gathers what core_dump_write needs (the
 * registers of the context to show, system and FPU registers, the signal, guest memory
 * as the debugger sees it) from a guest that just died (--core) or, through the debug
 * core's ukvm/debug/stop_dump.c, from a debugger's stop (`monitor core`), so that the
 * core shows exactly what gdb's stop shows:
 *
 *   a CPU exception   the faulting context from the trap frame
 *   an abort          inside the aborting routine (solo5_abort, __stack_chk_fail) at its
 *                     first instruction with the return address on the stack, the caller
 *                     one frame up
 *   a triple fault,   the vCPU's own registers
 *   other deaths
 *
 * The signal is gdb's stop signal for the same event (guest_signal.h), with the si_code
 * and si_addr Linux would give a process (CR2 for a page fault).
 *
 * Writing a core never changes the guest: the debugger's int3 bytes and the abort's
 * return address are patched into the file, not into guest memory.
 */
#ifndef UKVM_CORE_CAPTURE_H
#define UKVM_CORE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "core_dump.h"
#include "ukvm/run/run_loop.h"
#include "ukvm/vm/vcpu_state.h"

/* A signal as a Unix process would have got it: number, si_code, si_addr. */
struct core_signal {
    int signo, code;
    uint64_t addr;
};

/*
 * Writes a core of the guest that ev ended (a kind run_event_finish reports as a crash)
 * to path (NULL: the default name, core_dump.h). Returns 0 with *res filled, or -1 with
 * a one-line reason in err.
 */
int core_capture_event(struct run_context *ctx, const struct run_event *ev, const char *path,
                       struct core_dump_result *res, char *err, size_t errlen);

/*
 * --core: writes the core of a guest ev ended (to ctx->core_path, or the default name)
 * and prints "ukvm: core written to ..." to stderr, or "ukvm: no core file: why". A
 * failure changes nothing else: the report is out and the exit status stays.
 */
void core_capture_on_exit(struct run_context *ctx, const struct run_event *ev);

/*
 * The signal of an event that ends the guest (a kind run_event_finish reports as a crash):
 * gdb's stop signal for it (guest_signal.h), with the si_code and si_addr Linux gives a
 * process (SEGV_MAPERR or SEGV_ACCERR and CR2 for a page fault, SI_TKILL for an abort).
 */
struct core_signal core_capture_event_signal(const struct run_event *ev);

/*
 * Writes a core of the guest as it is now, showing regs (the context to show, which the
 * caller chose) with the vCPU's own system and FPU registers, and signal sig; the npatches
 * bytes of patches replace guest memory in the file only. Returns 0 with *res filled, or
 * -1 with a one-line reason in err.
 */
int core_capture_live(const struct run_context *run, const struct vcpu_regs *regs,
                      struct core_signal sig, const struct core_dump_patch *patches,
                      size_t npatches, const char *path, struct core_dump_result *res, char *err,
                      size_t errlen);

#endif /* UKVM_CORE_CAPTURE_H */
