/*
 * stop_events.h: the debug core's own seam between running the guest (debug_core.c) and
 * deciding what each run event means to a debugger (stop_events.c). Not for front ends.
 */
#ifndef UKVM_STOP_EVENTS_H
#define UKVM_STOP_EVENTS_H

#include "debug_state.h"

enum event_outcome {
    EVENT_RUN_ON,  /* nothing for the debugger: run the guest on */
    EVENT_STOPPED, /* core->stop says why the guest stopped */
    EVENT_FAILED,  /* the vCPU cannot run (errno) */
};

/*
 * Turns one event of run_until_event into the debugger's view: completes a pending exit,
 * then sets core->stop (or not, for EVENT_RUN_ON). stepping: the run was a single step.
 */
enum event_outcome debug_stop_handle_event(struct debug_core *core, const struct run_event *ev,
                                           bool stepping);

/* Clears core->stop and sets its reason. */
void debug_stop_set(struct debug_core *core, enum debug_stop_reason reason);

/* The guest is gone: DEBUG_STOP_EXITED with ukvm's exit status (signo: 0, or its signal). */
void debug_stop_end_guest(struct debug_core *core, int status, int signo);

/* Empties the run's wake descriptor of a stop request already taken. */
void debug_stop_drain_wake(struct debug_core *core);

#endif /* UKVM_STOP_EVENTS_H */
