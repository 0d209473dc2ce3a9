/*
 * last_exception.h: the most recent exception or abort the guest reported, kept by the
 * monitor for `monitor exc`, the shell and core files.
 */
#ifndef UKVM_LAST_EXCEPTION_H
#define UKVM_LAST_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "ukvm_abi.h"

enum last_exception_source {
    LAST_EXCEPTION_NONE,  /* nothing happened yet */
    LAST_EXCEPTION_TRAP,  /* a CPU exception the guest's kernel reported (UKVM_HC_TRAP) */
    LAST_EXCEPTION_ABORT, /* solo5_abort() or the stack protector (UKVM_HC_ABORT) */
    LAST_EXCEPTION_VCPU,  /* seen by the hypervisor: triple fault, internal error, ... */
};

struct last_exception {
    enum last_exception_source source;
    uint64_t exit_seq; /* the exit-trace sequence number at which it happened */
    /* TRAP and ABORT: as the guest reported it. VCPU: vector 0xff..., registers from KVM. */
    struct ukvm_trap_frame frame;
    char message[256]; /* abort message, or what the hypervisor reported; may be empty */
};

#endif /* UKVM_LAST_EXCEPTION_H */
