/*
 * reverse.h: reverse execution on the debug core, for a recorded run (ukvm --record).
 *
 * Going back is going to an earlier position (hypercalls completed, instructions since
 * the last one; ukvm/replay/recorder.h): the guest is restored from the latest checkpoint
 * at or before it, replayed to its hypercall at full speed with nothing of the user's
 * armed, then single-stepped to the instruction. Where the guest is now is counted the
 * same way when it is not known (after a run forward): single steps from its last
 * hypercall until the registers are those of now.
 *
 * reverse-continue looks for the last stop of the user's (a breakpoint, or a watchpoint's
 * access) before now: interval by interval from the current one backwards, it replays
 * the interval with the breakpoints and watchpoints armed and counts their stops, then
 * goes to the last one. A watchpoint stops at the instruction that made the access, before
 * it runs, as gdb expects going backwards. With none in the whole history, the guest
 * stops at its start (DEBUG_STOP_HISTORY_BEGIN), as does reverse-stepi there.
 */
#ifndef UKVM_REVERSE_H
#define UKVM_REVERSE_H

#include "debug_core.h"

/*
 * Runs the guest backwards by one instruction (step) or to the last breakpoint or
 * watchpoint stop before now, and returns the stop in *stop (also core->stop). Returns
 * 0, or -1 with a one-line reason in stop->message: not a recorded run, the guest has
 * ended, or the position could not be found again (a replay that diverged).
 */
int debug_core_reverse(struct debug_core *core, bool step, struct debug_stop *stop);

#endif /* UKVM_REVERSE_H */
