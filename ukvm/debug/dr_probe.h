/*
 * dr_probe.h: do hardware data breakpoints fire on this hypervisor?
 *
 * On hardware KVM (VMX, SVM), a debug register armed for writes (DR7 R/W = 01) or for
 * accesses (11) stops the guest with a #DB after the access. Where KVM runs guest code
 * in its instruction emulator, they never fire. Nothing in the KVM API
 * says which, so ukvm asks the machine: a throwaway VM (2 MiB, long mode, one page of
 * code) writes one byte to an address DR0 watches for writes; a VM_EXIT_DEBUG with
 * DR6.B0 set means data breakpoints work. The probe runs once, when the first
 * watchpoint that could use a debug register is inserted (never in a run without a
 * debugger), or for `ukvm --probe`, and costs about as much as starting a VM: about a
 * millisecond (the throwaway VM is probe_vm.h's).
 */
#ifndef UKVM_DR_PROBE_H
#define UKVM_DR_PROBE_H

#include <stdbool.h>

/*
 * True when hardware data breakpoints fire here. The first call probes; later calls
 * return the cached answer. Any failure to probe counts as "no" (page traps are then
 * used, which work everywhere). UKVM_WATCH_PAGES=1 in the environment answers "no"
 * without probing, so page traps can be tested on hardware KVM too.
 */
bool dr_probe_data_breakpoints(void);

/* A few words on the answer, e.g. "they fire" / "they never fire", for messages. */
const char *dr_probe_verdict(void);

#endif /* UKVM_DR_PROBE_H */
