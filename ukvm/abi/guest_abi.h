/*
 * guest_abi.h: one description per guest ABI ukvm serves, chosen once at load time.
 *
 *   ukvm       ukvm's own (include/ukvm_abi.h): unikernels built with ukvm's kernel
 *   Solo5 hvt  Solo5's hvt ABI version 2 (include/solo5_hvt_abi.h): binaries built by
 *              Solo5's toolchain for its hvt tender, run unchanged
 *
 * The description says how the ABI lays out memory and the boot information, what the
 * vCPU holds at entry, which ports are its hypercalls and how they are served, and how a
 * fatal stop finds the faulting context. Start-up (monitor_setup.c) and the run loop
 * call through it; nothing above the run loop (debug core, inspection, gdb stub, shell,
 * cores) knows which ABI runs.
 */
#ifndef UKVM_GUEST_ABI_H
#define UKVM_GUEST_ABI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ukvm/abi/core/hc_core.h"
#include "ukvm/abi/hvt/hvt.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/elf_load.h"
#include "ukvm/vm/vm.h"

/* What a boot information writer is given. */
struct guest_boot_params {
    const struct elf_image *image;
    const char *cmdline;
    struct boot_clock clock;
    uint64_t stack_canary;
    void *abi_state; /* the ABI's own state (hvt: struct hvt_state) */
};

struct guest_abi {
    const char *name; /* for messages: "ukvm", "Solo5 hvt" */
    /* Guest memory when --mem is not given, in MiB: each ABI's own monitor's default. */
    uint64_t default_mem_mib;
    /* Guest memory must be a multiple of this many bytes (0: any whole MiB). */
    uint64_t mem_align;
    /* The guest can run in user mode (ukvm/guest/user_shim.h). */
    bool user_mode;
    /* Its hypercalls: 4-byte port writes to [hc_port_base, hc_port_base + hc_port_count). */
    uint16_t hc_port_base, hc_port_count;
    /*
     * Bit n: call n ends the guest or reports its fault (halt, abort, trap), taking no
     * input from outside: a recorded run's replay serves it live, never from the record
     * (where a guest's own #BP handler reports a debugger's breakpoint, that is a call).
     */
    uint64_t final_calls;
    /*
     * Layout, page tables and descriptor tables, for kernel or user mode (0, or -1 with
     * err; an ABI that has no user mode refuses it).
     */
    int (*setup_memory)(struct guest_mem *mem, const struct elf_image *image, bool user_mode,
                        struct boot_layout *layout, char *err, size_t errlen);
    /* The vCPU at the first instruction. */
    void (*initial_regs)(uint64_t entry, const struct boot_layout *layout, struct vcpu_regs *regs,
                         struct vcpu_sregs *sregs);
    /* Attaches the devices the command line gave (0, or -1 with err). */
    int (*attach_devices)(void *abi_state, const struct elf_image *image,
                          const struct block_devs *blocks, struct net_devs *nets, char *err,
                          size_t errlen);
    /* Writes the boot information the guest's entry point receives. */
    void (*write_boot_info)(struct guest_mem *mem, const struct boot_layout *layout,
                            const struct guest_boot_params *params);
    /* Serves one hypercall (the port is in the ABI's range). */
    enum hc_outcome (*dispatch)(struct hc_context *ctx, uint16_t port, uint32_t value);
    /* The name of hypercall nr, "unknown" for none. */
    const char *(*hypercall_name)(unsigned nr);
    /*
     * Completes a fatal stop (HC_TRAP or HC_ABORT) with what only the vCPU can tell; may
     * change the outcome. NULL when the hypercall already carried the whole context.
     */
    void (*fatal_context)(struct hc_context *ctx, enum hc_outcome *outcome, struct vcpu *vcpu);
    /*
     * User mode: offered every exception the guest raises at CPL 3 that no debugger
     * takes (ukvm/abi/core/user_fault.h). NULL: every exception is reported.
     */
    enum user_fault_outcome (*user_fault)(struct user_fault *uf);
};

/* ukvm's own ABI and Solo5's hvt ABI. */
extern const struct guest_abi guest_abi_ukvm;
extern const struct guest_abi guest_abi_hvt;

/*
 * The ABI a loaded file speaks, from its notes (the loader has made sure there is exactly
 * one ABI note), after that ABI's own checks of them. Returns NULL with one line in err
 * saying what was found and what ukvm serves.
 */
const struct guest_abi *guest_abi_select(const struct elf_image *image, char *err, size_t errlen);

/*
 * Prints what ukvm --info says about a loaded file: its ABI and, for Solo5 hvt, the
 * devices its manifest declares and the options that attach them.
 */
void guest_abi_describe(FILE *out, const struct guest_abi *abi, const struct elf_image *image);

#endif /* UKVM_GUEST_ABI_H */
