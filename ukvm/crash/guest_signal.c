/*
 * guest_signal.c: the signal of a guest's fatal event (see guest_signal.h).
 */
#include <signal.h>

#include "guest_signal.h"
#include "ukvm/inspect/x86_decode.h"

int guest_signal_of_vector(uint64_t vector)
{
    switch (vector) {
    case X86_EXC_PF:
    case X86_EXC_GP:
    case X86_EXC_SS:
    case X86_EXC_NP:
    case X86_EXC_TS:
        return SIGSEGV;
    case X86_EXC_UD:
        return SIGILL;
    case X86_EXC_DE:
    case X86_EXC_MF:
    case X86_EXC_XM:
        return SIGFPE;
    default:
        return SIGTRAP;
    }
}

int guest_signal_of_event(const struct run_event *ev)
{
    switch (ev->kind) {
    case RUN_EVENT_TRAP:
        return guest_signal_of_vector(ev->frame.vector);
    case RUN_EVENT_ABORT:
        return SIGABRT;
    case RUN_EVENT_INTERNAL_ERROR:
        return SIGILL;
    case RUN_EVENT_CRASH:
        return SIGSEGV;
    default:
        return SIGTRAP;
    }
}
