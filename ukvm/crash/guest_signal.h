/*
 * guest_signal.h: the Unix signal that stands for a guest's fatal event, as a crashed
 * Linux process would have got it. gdb's stop (ukvm/frontend/gdb_target.c) and core
 * files (core_capture.c) both show it, and a core must say what the live stop said, so
 * the table is here, once:
 *
 *   CPU exception #PF #GP #SS #NP #TS    SIGSEGV
 *                 #UD                    SIGILL
 *                 #DE #MF #XM            SIGFPE
 *                 any other vector       SIGTRAP
 *   solo5_abort, stack protector         SIGABRT
 *   KVM internal error                   SIGILL  (the CPU could not run the instruction)
 *   triple fault, hlt, bad hypercall...  SIGSEGV
 *   debug or watch exit, no debugger     SIGTRAP
 *
 * Numbers are the host's (<signal.h>); gdb's remote protocol numbers are those of
 * ukvm/frontend/gdb_target.c.
 */
#ifndef UKVM_GUEST_SIGNAL_H
#define UKVM_GUEST_SIGNAL_H

#include <stdint.h>

#include "ukvm/run/run_loop.h"

/* The signal for CPU exception vector (any value: unknown vectors give SIGTRAP). */
int guest_signal_of_vector(uint64_t vector);

/*
 * The signal for an event that ends the guest (TRAP by its frame's vector, ABORT,
 * INTERNAL_ERROR, CRASH; SIGTRAP for any other kind).
 */
int guest_signal_of_event(const struct run_event *ev);

#endif /* UKVM_GUEST_SIGNAL_H */
