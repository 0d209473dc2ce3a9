/*
 * core_capture.h: core files of a live monitor. Gathers what core_dump_write needs (the
 * registers of the context to show, system and FPU registers, the signal, guest memory
 * as the debugger sees it) from a guest that just died (--core) or from a debugger's
 * stop (`monitor core`), so that the core shows exactly what gdb's stop shows:
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

#include "core_dump.h"
#include "ukvm/debug/debug_core.h"
#include "ukvm/run/run_loop.h"

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
 * Writes a core of a debugger's current stop, registers as the vCPU holds them now (for
 * a fatal stop, the faulting context). Returns 0 with *res filled, or -1 with a reason
 * in err (also when the guest has already exited).
 */
int core_capture_stop(struct debug_core *core, const char *path, struct core_dump_result *res,
                      char *err, size_t errlen);

#endif /* UKVM_CORE_CAPTURE_H */
