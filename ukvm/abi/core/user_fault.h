/*
 * user_fault.h: how a guest ABI takes over an exception its guest raised in user mode.
 *
 * In user mode (ukvm/guest/user_shim.h) the guest runs at CPL 3, where the privileged
 * instructions a kernel built for CPL 0 executes (Solo5's hvt kernel: lgdt, lidt, ltr,
 * cli, wrmsr, out for every hypercall...) raise #GP. Before the run loop reports an
 * exception, it offers it to the ABI (struct guest_abi's user_fault), with the vCPU
 * already back at the faulting instruction. The ABI may emulate the instruction, hand a
 * port access to the run loop (served exactly as a port I/O exit of kernel mode), or
 * deliver the exception to the guest's own handler, as the CPU would in kernel mode.
 */
#ifndef UKVM_USER_FAULT_H
#define UKVM_USER_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vcpu_state.h"

enum user_fault_outcome {
    USER_FAULT_NOT_MINE, /* report the exception as it is */
    USER_FAULT_DONE,     /* emulated or delivered: regs and sregs hold the new state */
    USER_FAULT_PORT,     /* a port access (port, size, is_write, value); rip advanced */
    USER_FAULT_HLT,      /* hlt; rip advanced: ends the guest as kernel mode's hlt */
    /*
     * rdtsc or rdtscp (tsc_aux), which fault at CPL 3 only where the monitor set CR4.TSD
     * (a recorded run: the counter is an input to record); rip not advanced, insn_len
     * bytes long: the run loop gives it the counter's value.
     */
    USER_FAULT_TSC,
    USER_FAULT_GUEST_ERROR, /* an instruction the ABI refuses: error says which and why */
};

struct user_fault {
    /* In: the exception, and the vCPU at the faulting instruction (changed on DONE). */
    unsigned vector;
    uint64_t error_code;
    const struct guest_mem *mem;
    void *abi_state;
    struct vcpu_regs *regs;
    struct vcpu_sregs *sregs;
    /* Out: USER_FAULT_PORT's access, USER_FAULT_GUEST_ERROR's message. */
    uint16_t port;
    uint8_t size;
    bool is_write;
    uint32_t value;
    uint8_t insn_len; /* USER_FAULT_TSC */
    bool tsc_aux;     /* USER_FAULT_TSC: rdtscp, which also sets ecx */
    char error[200];
};

#endif /* UKVM_USER_FAULT_H */
