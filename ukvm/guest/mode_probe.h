/*
 * mode_probe.h: the run-time probe behind --guest-mode=auto, and the choice it makes.
 */
#ifndef UKVM_MODE_PROBE_H
#define UKVM_MODE_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "ukvm/process/guest_mode.h"

/* What the probe measured: the same loop's cost at CPL 0 and at CPL 3. */
struct guest_mode_probe {
    bool ok;        /* false: the probe could not run (why says so) */
    bool emulated;  /* CPL 0 is emulated: user mode is the fast one */
    double cpl0_us; /* microseconds for the loop at CPL 0 (best of the runs) */
    double cpl3_us; /* the same at CPL 3 */
    char why[320];  /* when !ok */
};

/*
 * Runs the probe in a throw-away VM of its own (about a millisecond where CPL 0 is
 * emulated, microseconds elsewhere). Measures cost, not correctness: timing noise on a
 * loaded host can only blur a ratio of thousands, not reverse it.
 */
void guest_mode_probe_run(struct guest_mode_probe *probe);

/*
 * Whether rdtsc at CPL 3 faults (#GP) once CR4.TSD is set, as the architecture says: on
 * hardware virtualization it does; a KVM that runs CPL 3 code in its own way may not.
 * Runs in a throw-away VM. Returns 1 or 0, or -1 when the probe could not run; why says
 * why for 0 and -1.
 */
int guest_probe_tsd(char *why, size_t whylen);

/*
 * Whether the guest's cpuid (at CPL 3 when user_mode, else CPL 0) answers with the CPUID
 * ukvm sets, here a recorded run's, which hides RDRAND (vm_set_deterministic). Returns 1
 * or 0, or -1 when the probe could not run; why says why for 0 and -1. (A host without
 * RDRAND answers 1 whatever the KVM does: nothing is there to hide.)
 */
int guest_probe_cpuid_hidden(bool user_mode, char *why, size_t whylen);

/*
 * The mode a run gets: requested unless it is auto, which becomes user mode when the
 * ABI has one and the probe says kernel mode is emulated. *probe is filled when the
 * probe ran (probe->ok false otherwise).
 */
enum guest_mode guest_mode_choose(enum guest_mode requested, bool abi_has_user_mode,
                                  struct guest_mode_probe *probe);

#endif /* UKVM_MODE_PROBE_H */
