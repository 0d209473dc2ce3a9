/*
 * probe_vm.h: a throwaway VM for the run-time probes that ask KVM how it behaves.
 *
 * Nothing in the KVM API says whether hardware data breakpoints fire, whether an int3
 * is intercepted, or what a triple fault leaves in the registers: ukvm asks the machine
 * by running a few bytes of code. A probe VM has 2 MiB of memory, identity-mapped
 * (writable, executable) from 4 KiB up, and one vCPU entering 64-bit mode at
 * PROBE_VM_CODE with the boot GDT and no IDT (limit 0), as ukvm's guests start.
 * It costs about as much as starting a guest: a millisecond or so.
 */
#ifndef UKVM_PROBE_VM_H
#define UKVM_PROBE_VM_H

#include <stddef.h>

#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vm.h"

#define PROBE_VM_MEM  0x200000ULL /* 2 MiB */
#define PROBE_VM_CODE 0x100000ULL /* where the code is copied and the vCPU starts */

struct probe_vm {
    struct vm *vm;
    struct vcpu *vcpu;
    struct guest_mem mem; /* mem.host + gpa: the probe's memory, to read its results */
};

/*
 * Creates the VM with code (at most a page) at PROBE_VM_CODE and the debug controls dbg
 * (NULL: none). Returns 0, or -1 with *p torn down. Always pair with probe_vm_end.
 */
int probe_vm_start(struct probe_vm *p, const void *code, size_t len, const struct vcpu_debug *dbg);

/* Runs to the next exit that is not VM_EXIT_INTERRUPTED. Returns 0, or -1 when KVM fails. */
int probe_vm_run(struct probe_vm *p, struct vm_exit *exit);

/* Releases the VM and its memory; safe on a zeroed or already ended *p. */
void probe_vm_end(struct probe_vm *p);

#endif /* UKVM_PROBE_VM_H */
