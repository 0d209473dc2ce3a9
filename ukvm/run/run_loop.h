/*
 * run_loop.h: run the guest, serving each VM exit.
 *
 * Exit dispatch: hypercall (port I/O in the hypercall range) | hlt | debug | shutdown |
 * mmio | internal error | interrupted. run_until_event() serves the exits that let the
 * guest go on (console, poll, block I/O) and returns every other one as an event, so
 * that two drivers share one dispatcher: run_loop() (ukvm/crash/run_end.h: no debugger,
 * every event ends the guest, with a crash report where it is one) and the debug core
 * (which turns events into debugger stops). This file knows neither driver: the types of
 * a run and its events are in run_types.h, and everything above uses them.
 */
#ifndef UKVM_RUN_LOOP_H
#define UKVM_RUN_LOOP_H

#include "run_types.h"

/*
 * Runs the guest until something other than a served hypercall happens, and describes
 * it in *ev.
 */
void run_until_event(struct run_context *ctx, struct run_event *ev);

/*
 * Records a TRAP, ABORT, CRASH or INTERNAL_ERROR event as the context's last exception
 * (other kinds are ignored). The driver decides, since an "internal error" may turn out
 * to be a debugger's breakpoint.
 */
void run_record_exception(struct run_context *ctx, const struct run_event *ev);

#endif /* UKVM_RUN_LOOP_H */
