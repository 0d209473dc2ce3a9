/*
 * run_end.h: the end of a guest that runs without a debugger.
 *
 * run_until_event() (ukvm/run/run_loop.h) turns KVM exits into events and knows nothing of
 * what an event means for the guest's life. Here, with no debugger, every event but an
 * interruption ends the guest: a crash report for a crash, a core file with --core, and
 * ukvm's exit status. The debug core ends guests the same way: when the debugger resumes
 * or kills a guest stopped at a fatal event, and after a detach (run_loop).
 */
#ifndef UKVM_RUN_END_H
#define UKVM_RUN_END_H

#include "ukvm/run/run_loop.h"

/*
 * Ends the guest for an event (recording it with run_record_exception first): prints the crash
 * report for TRAP, ABORT, CRASH, INTERNAL_ERROR and unexpected DEBUG events, and returns ukvm's
 * exit status. Not for INTERRUPTED (see run_loop). With ctx->core, every such report is
 * followed by a core file (core_capture_on_exit), whose failure changes nothing else.
 */
int run_event_finish(struct run_context *ctx, const struct run_event *ev);

/*
 * Runs the guest to its end with no debugger; returns the process exit status. A stop
 * signal (SIGINT/SIGTERM) ends the guest with 128 + the signal number.
 */
int run_loop(struct run_context *ctx);

#endif /* UKVM_RUN_END_H */
