/*
 * dr_probe.c: the run-time probe for hardware data breakpoints (see dr_probe.h).
 *
 * Written on the bottom half's interface only (ukvm/vm/vm.h), like every other part of
 * the top half: a Hypervisor.framework backend would be probed the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "dr_probe.h"
#include "probe_vm.h"
#include "ukvm/inspect/x86_decode.h"

#define PROBE_TARGET 0x180000ULL

/* DR7 (SDM 17.2.4): L0 enables DR0; R/W0 (bits 17:16) 01 = data writes; LEN0 00 = 1 byte. */
#define DR7_L0        (1ULL << 0)
#define DR7_RW0_WRITE (1ULL << 16)
#define DR6_B0        (1ULL << 0)

enum probe_answer { PROBE_NOT_YET, PROBE_YES, PROBE_NO, PROBE_FORCED_NO, PROBE_FAILED };

static enum probe_answer answer = PROBE_NOT_YET;

/* The guest: movb $1, PROBE_TARGET; hlt. */
static const unsigned char probe_code[] = {
    0xc6, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00, 0x01, /* movb $1, 0x180000 (absolute) */
    0xf4,                                           /* hlt */
};

static enum probe_answer probe(void)
{
    struct vcpu_debug dbg = {.enabled = true,
                             .hw_breakpoints = true,
                             .dr = {PROBE_TARGET},
                             .dr7 = DR7_L0 | DR7_RW0_WRITE};
    struct probe_vm p;
    struct vm_exit exit;
    enum probe_answer result = PROBE_FAILED;
    if (probe_vm_start(&p, probe_code, sizeof(probe_code), &dbg) < 0)
        return PROBE_FAILED;
    if (probe_vm_run(&p, &exit) == 0) {
        if (exit.reason == VM_EXIT_DEBUG && exit.debug.exception == X86_EXC_DB &&
            (exit.debug.dr6 & DR6_B0))
            result = PROBE_YES;
        else if (exit.reason == VM_EXIT_HLT && p.mem.host[PROBE_TARGET] == 1)
            result = PROBE_NO; /* the write happened and nothing stopped it */
    }
    probe_vm_end(&p);
    return result;
}

bool dr_probe_data_breakpoints(void)
{
    if (answer == PROBE_NOT_YET) {
        const char *force = getenv("UKVM_WATCH_PAGES");
        answer = force && strcmp(force, "1") == 0 ? PROBE_FORCED_NO : probe();
    }
    return answer == PROBE_YES;
}

const char *dr_probe_verdict(void)
{
    switch (answer) {
    case PROBE_NOT_YET:
        return "not probed yet";
    case PROBE_YES:
        return "hardware data breakpoints fire";
    case PROBE_NO:
        return "hardware data breakpoints never fire on this KVM";
    case PROBE_FORCED_NO:
        return "hardware data breakpoints not used (UKVM_WATCH_PAGES=1)";
    case PROBE_FAILED:
        return "the probe for hardware data breakpoints failed";
    }
    return "?";
}
