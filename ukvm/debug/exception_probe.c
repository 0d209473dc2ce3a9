/*
 * exception_probe.c: the int3 and triple-fault probes (see exception_probe.h).
 */
#include "exception_probe.h"
#include "probe_vm.h"
#include "ukvm/inspect/x86_decode.h"

#define RESET_RIP     0xfff0ULL
#define RESET_CS_BASE 0xffff0000ULL

enum int3_handling exception_probe_int3(void)
{
    static const unsigned char code[] = {0xcc, 0xf4}; /* int3; hlt */
    struct vcpu_debug dbg = {.enabled = true, .intercept_int3 = true};
    struct probe_vm p;
    struct vm_exit exit;
    struct vcpu_regs regs;
    enum int3_handling h = INT3_PROBE_FAILED;
    if (probe_vm_start(&p, code, sizeof(code), &dbg) < 0)
        return h;
    if (probe_vm_run(&p, &exit) == 0) {
        if (exit.reason == VM_EXIT_DEBUG && exit.debug.exception == X86_EXC_BP)
            h = INT3_EXITS;
        else if (exit.reason == VM_EXIT_INTERNAL_ERROR && vcpu_get_regs(p.vcpu, &regs) == 0 &&
                 regs.rip == PROBE_VM_CODE)
            h = INT3_ENDS_EMULATION;
        else if (exit.reason == VM_EXIT_SHUTDOWN)
            h = INT3_REACHES_GUEST_IDT; /* with no IDT to take it, the CPU shut down */
    }
    probe_vm_end(&p);
    return h;
}

enum shutdown_state exception_probe_shutdown(void)
{
    static const unsigned char code[] = {0x0f, 0x0b}; /* ud2 */
    struct probe_vm p;
    struct vm_exit exit;
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    enum shutdown_state s = SHUTDOWN_PROBE_FAILED;
    if (probe_vm_start(&p, code, sizeof(code), NULL) < 0)
        return s;
    if (probe_vm_run(&p, &exit) == 0 && exit.reason == VM_EXIT_SHUTDOWN &&
        vcpu_get_regs(p.vcpu, &regs) == 0 && vcpu_get_sregs(p.vcpu, &sregs) == 0) {
        if (regs.rip == PROBE_VM_CODE)
            s = SHUTDOWN_KEEPS_REGISTERS;
        else if (regs.rip == RESET_RIP && sregs.cs.base == RESET_CS_BASE)
            s = SHUTDOWN_RESETS_VCPU;
    }
    probe_vm_end(&p);
    return s;
}

const char *exception_probe_int3_text(enum int3_handling h)
{
    switch (h) {
    case INT3_EXITS:
        return "int3 exits to ukvm (KVM_EXIT_DEBUG)";
    case INT3_ENDS_EMULATION:
        return "int3 ends KVM's instruction emulation at the int3; ukvm stops there";
    case INT3_REACHES_GUEST_IDT:
        return "int3 is not intercepted: the guest's IDT takes the #BP; ukvm stops at the "
               "trap a guest kernel reports with every register (ukvm's), else use hbreak";
    case INT3_PROBE_FAILED:
        break;
    }
    return "the probe failed";
}

const char *exception_probe_shutdown_text(enum shutdown_state s)
{
    switch (s) {
    case SHUTDOWN_KEEPS_REGISTERS:
        return "the registers stay at the instruction that faulted";
    case SHUTDOWN_RESETS_VCPU:
        return "KVM resets the vCPU: the registers at the fault are lost";
    case SHUTDOWN_PROBE_FAILED:
        break;
    }
    return "the probe failed";
}
