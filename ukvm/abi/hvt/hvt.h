/*
 * hvt.h: Solo5's hvt guest ABI, version 2 (include/solo5_hvt_abi.h), on ukvm's monitor.
 *
 * A binary built by Solo5's toolchain for its hvt tender runs unchanged: the monitor
 * checks its ABI and manifest notes, lays out memory and the boot information as the
 * hvt tender does, attaches the manifest's devices from the command line, serves the
 * hvt hypercalls, and turns the guest's own trap reports (a HALT with a cookie) into the
 * monitor's one fatal-stop context, struct ukvm_trap_frame. Everything above the ABI
 * (debug core, inspection, gdb stub, shell, cores) never learns which ABI runs.
 */
#ifndef UKVM_ABI_HVT_H
#define UKVM_ABI_HVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "solo5_hvt_abi.h"
#include "ukvm/abi/core/hc_core.h"
#include "ukvm/abi/core/user_fault.h"
#include "ukvm/devices/block_dev.h"
#include "ukvm/devices/net_dev.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/elf_load.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vm.h"

/* Where the boot information area ends: boot info, manifest and command line fit below. */
#define HVT_BOOT_AREA_END 0x20000ull

/* One guest's hvt state: its manifest as the guest sees it, and what backs each handle. */
struct hvt_state {
    uint32_t mft_size;
    _Alignas(8) uint8_t mft[ELF_SOLO5_MFT_MAX];   /* a struct hvt_mft */
    int16_t block_of_handle[HVT_MFT_MAX_ENTRIES]; /* index in struct block_devs, or -1 */
    int16_t net_of_handle[HVT_MFT_MAX_ENTRIES];   /* index in struct net_devs, or -1 */
    uint8_t handle_of_net[OPTIONS_MAX_NETS];      /* the manifest index of each net device */
    /*
     * A POLL a stop interrupted (HC_INTERRUPTED): its argument and CLOCK_MONOTONIC
     * deadline, so that the same call, dispatched again on resume, waits only for the
     * rest. Solo5's solo5_yield() does not retry an early return itself.
     */
    bool poll_pending;
    uint64_t poll_arg;
    uint64_t poll_deadline_ns;
    /* HALT with a cookie: where the trap frame is, for hvt_fatal_context. */
    uint64_t halt_cookie;
    /* The guest's last console line, the reason a Solo5 abort gives ("Solo5: ABORT: ..."). */
    char line[200];
    size_t line_len;
    char last_line[200];
    /*
     * User mode (hvt_privileged.c): the tables the guest loaded with lgdt, lidt and ltr,
     * which the vCPU does not hold (the monitor's stay loaded). A zero IDT: none yet.
     */
    struct vcpu_dtable guest_gdt, guest_idt;
    uint16_t guest_tr;
};

/*
 * Checks the notes of a file with a Solo5 ABI note: hvt target, ABI version 2, and a
 * manifest that is well formed (version, entry count against its size, entry 0 reserved
 * with an empty name, every name NUL-terminated, nothing marked attached). Returns 0, or
 * -1 with one line in err saying what was found and what ukvm serves.
 */
int hvt_check_notes(const struct elf_abi_notes *notes, char *err, size_t errlen);

/*
 * Takes the checked manifest from notes into *st and attaches its devices: each block
 * entry to the --block:NAME=FILE device of the same name (capacity and block size written
 * into the entry), each network entry to the --net:NAME=TAP device (MAC and MTU written
 * into it, and the device waited on by POLL). A device given on the command line that the
 * manifest lacks or declares with
 * another type, or a manifest device left unattached, is an error (-1, one line in err).
 * nets may be NULL (none).
 */
int hvt_attach_devices(struct hvt_state *st, const struct elf_abi_notes *notes,
                       const struct block_devs *blocks, struct net_devs *nets, char *err,
                       size_t errlen);

/* Prints a file's manifest devices, one "  NAME  TYPE" line each (ukvm --info). */
void hvt_print_manifest(FILE *out, const struct elf_abi_notes *notes);

/*
 * Computes the layout (no stack guard: a Solo5 guest's heap meets its stack), writes the
 * page tables (the boot information area read-only, the image per segment, the rest of
 * memory writable, everything below 0x10000 unmapped) and the boot GDT. Returns 0, or -1
 * with a reason in err.
 */
int hvt_setup_memory(struct guest_mem *mem, const struct elf_image *image,
                     struct boot_layout *layout, char *err, size_t errlen);

/*
 * The same for user mode (ukvm/guest/user_shim.h): the GDT and TSS pages and the shim's
 * pages supervisor-only, the boot information area read-only and the image, heap and
 * stack reachable from CPL 3; then the shim itself. Returns 0, or -1 with err.
 */
int hvt_setup_memory_user(struct guest_mem *mem, const struct elf_image *image,
                          struct boot_layout *layout, char *err, size_t errlen);

/*
 * An exception a Solo5 guest raised at CPL 3 (ukvm/abi/core/user_fault.h): a #GP on a
 * privileged instruction of Solo5's kernel is emulated (hvt_privileged.c lists them),
 * any other exception goes to the guest's own handler through the IDT it loaded.
 * NOT_MINE when the guest has no IDT (or no handler, or no stack to push the frame).
 */
enum user_fault_outcome hvt_user_fault(struct user_fault *uf);

/* Entry registers: rip = entry, rdi = HVT_BOOT_INFO_GPA, rsp = memory size - 8. */
void hvt_initial_regs(uint64_t entry, const struct boot_layout *layout, struct vcpu_regs *regs,
                      struct vcpu_sregs *sregs);

/*
 * Writes struct hvt_boot_info, the manifest of *st and the command line (at most
 * HVT_CMDLINE_SIZE - 1 bytes, which options.c guarantees) into the boot information area.
 */
void hvt_write_boot_info(struct guest_mem *mem, const struct boot_layout *layout,
                         const struct elf_image *image, const struct hvt_state *st,
                         const char *cmdline, uint64_t tsc_hz);

/*
 * Handles the guest's write of value (the argument's address) to port, in
 * [HVT_HYPERCALL_PIO_BASE, HVT_HYPERCALL_PIO_BASE + HVT_HC_MAX). ctx->abi_state is the
 * guest's struct hvt_state. A HALT with status 255 is a fatal stop: HC_TRAP with a cookie
 * (complete it with hvt_fatal_context), HC_ABORT without.
 */
enum hc_outcome hvt_dispatch(struct hc_context *ctx, uint16_t port, uint32_t value);

/* The call's name, e.g. "PUTS"; "unknown" otherwise. */
const char *hvt_hypercall_name(unsigned nr);

/*
 * Completes a fatal stop: fills ctx->frame from the guest's trap frame at the HALT cookie
 * (rip, rsp, rflags, cs, ss, error code, CR2; rax..r11 from below it; the vector from the
 * entry stub that called the guest's trap handler, found through the guest's IDT; rbx,
 * rbp, r12..r15 from the pushes of that handler's prologue, else as they were at the
 * HALT) or, for an abort, from the vCPU's registers at the HALT. A cookie whose vector cannot be
 * told turns the stop into an abort naming it.
 */
void hvt_fatal_context(struct hc_context *ctx, enum hc_outcome *outcome, struct vcpu *vcpu);

#endif /* UKVM_ABI_HVT_H */
