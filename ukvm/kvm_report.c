/*
 * kvm_report.c: `ukvm --probe` (see kvm_report.h).
 */
#include <stdio.h>
#include <unistd.h>

#include "kvm_report.h"
#include "ukvm/debug/dr_probe.h"
#include "ukvm/debug/exception_probe.h"
#include "ukvm/guest/mode_probe.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/process/guest_mode.h"
#include "ukvm/vm/vm.h"

/* The KVM modules whose names say which KVM this is; informational only. */
static const char *kvm_module(void)
{
    static const char *const known[] = {"kvm_intel", "kvm_amd", "kvm_pvm"};
    char path[64];
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        snprintf(path, sizeof(path), "/sys/module/%s", known[i]);
        if (access(path, F_OK) == 0)
            return known[i];
    }
    return "none of kvm_intel, kvm_amd, kvm_pvm is loaded";
}

int kvm_report_print(FILE *out, FILE *err)
{
    char why[256];
    struct vm *vm = NULL;
    /* Say why KVM cannot be used before any probe fails for the same reason. */
    if (vm_create(&vm, why, sizeof(why)) < 0) {
        fprintf(err, "ukvm: %s\n", why);
        return UKVM_EXIT_KVM;
    }
    vm_destroy(vm);
    struct guest_mode_probe probe;
    enum guest_mode mode = guest_mode_choose(GUEST_MODE_AUTO, true, &probe);
    bool dr = dr_probe_data_breakpoints();
    fprintf(out, "KVM module:         %s\n", kvm_module());
    if (probe.ok)
        fprintf(out, "guest mode (auto):  %s: kernel-mode guest code %s\n", guest_mode_name(mode),
                probe.emulated ? "is emulated (it costs over ten times user-mode code)"
                               : "runs as fast as user-mode code");
    else
        fprintf(out, "guest mode (auto):  %s: the probe failed (%s)\n", guest_mode_name(mode),
                probe.why);
    fprintf(out, "watchpoints:        %s: %s\n", dr ? "debug registers" : "page traps",
            dr_probe_verdict());
    fprintf(out, "kernel-mode int3:   %s\n", exception_probe_int3_text(exception_probe_int3()));
    fprintf(out, "triple fault:       %s\n",
            exception_probe_shutdown_text(exception_probe_shutdown()));
    int hidden = guest_probe_cpuid_hidden(mode == GUEST_MODE_USER, why, sizeof(why));
    if (hidden == 1)
        fprintf(out,
                "recorded cpuid:     ukvm's: RDRAND and RDSEED hidden from a recorded guest\n");
    else
        fprintf(out, "recorded cpuid:     %s: %s\n",
                hidden == 0 ? "the host's" : "the probe failed", why);
    int tsd = guest_probe_tsd(why, sizeof(why));
    if (tsd == 1)
        fprintf(out, "hvt --record:       possible: rdtsc at CPL 3 faults under CR4.TSD, so "
                     "ukvm serves and records a Solo5 hvt guest's clock\n");
    else
        fprintf(out, "hvt --record:       %s: %s\n", tsd == 0 ? "not possible" : "the probe failed",
                why);
    return 0;
}
