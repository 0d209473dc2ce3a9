/*
 * stop_dump.c: a core file of a debugger's current stop (see stop_dump.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "stop_dump.h"
#include "ukvm/crash/core_capture.h"

/* The stop's signal, as gdb shows it (ukvm/frontend/gdb_target.c). */
static struct core_signal stop_signal(const struct debug_core *core)
{
    switch (core->stop.reason) {
    case DEBUG_STOP_FAULT:
    case DEBUG_STOP_ABORT:
    case DEBUG_STOP_CRASH:
        return core_capture_event_signal(&core->fatal_event);
    case DEBUG_STOP_INTERRUPT:
        return (struct core_signal){.signo = SIGINT, .code = SI_KERNEL};
    default:
        return (struct core_signal){.signo = SIGTRAP, .code = SI_KERNEL};
    }
}

int stop_dump_write(struct debug_core *core, const char *path, struct core_dump_result *res,
                    char *err, size_t errlen)
{
    if (debug_core_ended(core)) {
        snprintf(err, errlen, "the guest has ended: there is nothing left to dump");
        return -1;
    }
    struct vcpu_regs regs;
    if (vcpu_get_regs(core->run->vcpu, &regs) < 0) {
        snprintf(err, errlen, "the vCPU's registers cannot be read");
        return -1;
    }
    /* The program as written: every int3 of ours shows its original byte. */
    struct core_dump_patch *patches = NULL;
    size_t n = 0;
    if (core->bps.nsw) {
        patches = calloc(core->bps.nsw, sizeof(*patches));
        if (!patches) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < core->bps.nsw; i++)
            if (!core->bps.sw[i].lifted)
                patches[n++] = (struct core_dump_patch){.gpa = core->bps.sw[i].gpa,
                                                        .byte = core->bps.sw[i].original};
    }
    int rc =
        core_capture_live(core->run, &regs, stop_signal(core), patches, n, path, res, err, errlen);
    free(patches);
    return rc;
}
