/*
 * debug_core.h: the one owner of a debugged guest's state: stopped or running, the
 * breakpoint table, single-stepping, why it last stopped, and the register and memory
 * view of the stopped vCPU. The gdb stub (through ukvm/frontend/gdb_target.c) and the
 * shell are front ends on it; it knows neither.
 *
 * Stops are reported the same way on every KVM: before a stop is reported, an exit
 * whose instruction is still pending (port I/O) is completed, so rip is past it; a
 * software breakpoint reports rip at the breakpoint whether KVM said "#BP" (hardware
 * KVM with int3 interception) or "emulation failed" (KVMs that emulate guest code); a
 * fatal guest exception puts the vCPU back into the faulting context.
 */
#ifndef UKVM_DEBUG_CORE_H
#define UKVM_DEBUG_CORE_H

#include "core_symbols.h"
#include "debug_state.h"

/*
 * Prepares the core for run, stopped at the first instruction (DEBUG_STOP_ENTRY), and
 * installs the kick signal handler (SIGUSR2, see debug_core_request_stop). The vCPU must
 * be driven from the calling thread. Returns 0, or -1 with errno.
 */
int debug_core_init(struct debug_core *core, struct run_context *run);

/*
 * Runs the guest (one instruction when step is true) until it stops again, and returns
 * the stop in *stop (also kept in core->stop). Resuming from a fatal stop ends the guest
 * as it would have ended without a debugger (crash report, exit status 255). Returns 0,
 * or -1 when the vCPU cannot run any more (KVM failed).
 *
 * A breakpoint at the resume address: with step_off, it is stepped over first (out of
 * the way for one instruction, then back), so that `continue` from a breakpoint goes on
 * (the shell, where nobody else would). Without, it hits at once, as on a native
 * program: gdb steps over its own breakpoints itself (removes, steps, inserts again), and
 * when it resumes with one inserted at the resume address (`jump` to it, an inferior
 * call) it expects exactly that stop.
 */
int debug_core_resume(struct debug_core *core, bool step, bool step_off, struct debug_stop *stop);

/*
 * Asks a running guest to stop soon with DEBUG_STOP_INTERRUPT, whether it spins in
 * guest code or sleeps in solo5_yield(). Safe from any thread; must name the thread that
 * runs the vCPU (the one that called debug_core_init).
 */
void debug_core_request_stop(struct debug_core *core);

/*
 * Forgets a stop request not yet taken (one that came as the guest stopped for another
 * reason), with the wake it left on the run's wake descriptor. For the vCPU thread.
 */
void debug_core_clear_stop_request(struct debug_core *core);

/*
 * True when the guest is in the recorded past (a recorded run, gone back): a write to
 * its memory or registers would make the rest of the record untrue, so debuggers refuse
 * them (debug_core_write does) with debug_core_past_error's words.
 */
bool debug_core_in_past(const struct debug_core *core);
#define DEBUG_CORE_PAST_ERROR                                                                 \
    "the guest is in the recorded past (ukvm --record), where changing it would make the "    \
    "rest of the record untrue; run forward past the end of the record (its next hypercall) " \
    "first"

/*
 * A debugger changed the guest's registers or memory at the end of a recorded run: the
 * history before is dropped (it could no longer be replayed to here), and recording
 * starts again from this point, said on stderr. Nothing without a record.
 */
void debug_core_changed_guest(struct debug_core *core);

/* Releases what the core holds (breakpoint table, symbols). */
void debug_core_destroy(struct debug_core *core);

/* True when the guest has ended (DEBUG_STOP_EXITED). */
bool debug_core_ended(const struct debug_core *core);

/* Guest-virtual memory for debuggers: reads show original bytes under breakpoints. */
long debug_core_read(struct debug_core *core, uint64_t va, void *buf, size_t len);
int debug_core_write(struct debug_core *core, uint64_t va, const void *buf, size_t len);

/* Breakpoints. Return 0, or -1 (unmapped address, no free hardware slot, not set). */
int debug_core_insert_sw(struct debug_core *core, uint64_t va);
int debug_core_remove_sw(struct debug_core *core, uint64_t va);
int debug_core_insert_hw(struct debug_core *core, uint64_t va);
int debug_core_remove_hw(struct debug_core *core, uint64_t va);

/*
 * Watchpoints (watchpoints.h): kind on [va, va+len). Insert returns 0, or -1 with the
 * reason in err, one line the front end shows ("cannot watch 0x1ff000 (4 bytes): the page
 * 0x1ff000 is part of the stack ..."). Remove returns 0, or -1 when there is none.
 */
int debug_core_insert_watch(struct debug_core *core, enum watch_kind kind, uint64_t va,
                            uint64_t len, char *err, size_t errlen);
int debug_core_remove_watch(struct debug_core *core, enum watch_kind kind, uint64_t va,
                            uint64_t len);

/*
 * Maps guest memory as the watchpoints inserted now want it (trapped pages or not). The
 * guest's next run does this anyway; a view of the hypervisor's memory slots calls it
 * first, so that it shows the watchpoints as they are, not as the last run had them (gdb
 * removes and inserts watchpoints around every stop: applying each change at once would
 * remap memory twice per step for nothing). Says so on stderr when the hypervisor refuses.
 */
void debug_core_apply_watchpoints(struct debug_core *core);

/*
 * Removes every breakpoint and watchpoint (a debugger disconnected or detached); trapped
 * pages are mapped normally again before the guest next runs.
 */
void debug_core_clear_breakpoints(struct debug_core *core);

/*
 * Ends a guest that is stopped: from a fatal stop as without a debugger, otherwise as
 * killed. Returns ukvm's exit status.
 */
int debug_core_kill(struct debug_core *core);

/*
 * Lets the guest run on with no debugger (detach): removes breakpoints and debug
 * controls, then runs to the end like run_loop(). Returns ukvm's exit status.
 */
int debug_core_detach(struct debug_core *core);

#endif /* UKVM_DEBUG_CORE_H */
