/*
 * kvm_report.h: `ukvm --probe`, what ukvm's run-time probes find on this KVM.
 *
 * ukvm never assumes one kind of KVM: it asks, in throwaway VMs, whenever an answer
 * changes what it does (mode_probe.h, dr_probe.h, exception_probe.h). This runs every
 * probe at once and prints the answers, so a user can see which paths their host gets,
 * and the tests can check that each probe chose what the KVM under them calls for.
 */
#ifndef UKVM_KVM_REPORT_H
#define UKVM_KVM_REPORT_H

#include <stdio.h>

/*
 * Prints one line per probe to out: the KVM module, the guest mode --guest-mode=auto
 * picks, the watchpoint mechanism, what an int3 does, and what a triple fault leaves.
 * Honours UKVM_WATCH_PAGES=1 as a run does. Returns 0, or UKVM_EXIT_KVM with one
 * "ukvm: ..." line on err when /dev/kvm cannot be used.
 */
int kvm_report_print(FILE *out, FILE *err);

#endif /* UKVM_KVM_REPORT_H */
