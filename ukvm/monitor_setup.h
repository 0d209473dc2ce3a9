/*
 * monitor_setup.h: ukvm's start-up steps, from parsed options to a ready-to-run
 * struct run_context, shared by main() and by anything else that needs a monitor on a
 * unikernel (the debug core's tests, the shell):
 *
 *   KVM -> ELF load (its notes choose the guest ABI) and guest memory -> layout, page
 *   tables, GDT/TSS, memory map -> vCPU registers -> devices -> boot info -> signals
 *   -> run context
 *
 * Every ABI-specific step goes through the chosen struct guest_abi (ukvm/abi/).
 *
 * Each step returns 0, or the exit status class of its failure (exit_status.h) with a
 * one-line reason in err; main() prints "ukvm: <err>" and exits with that status.
 * monitor_setup() runs every step in order. Whatever a step set up is released by
 * monitor_teardown(), whichever step failed.
 */
#ifndef UKVM_MONITOR_SETUP_H
#define UKVM_MONITOR_SETUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ukvm/abi/guest_abi.h"
#include "ukvm/devices/block_dev.h"
#include "ukvm/devices/net_dev.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/elf_load.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/guest/mode_probe.h"
#include "ukvm/process/options.h"
#include "ukvm/replay/recorder.h"
#include "ukvm/run/run_loop.h"
#include "ukvm/vm/mem_slots.h"
#include "ukvm/vm/vm.h"

/*
 * One monitored guest. run points into the struct (mem, blocks, layout), so a monitor
 * must not be moved or copied once set up.
 */
struct monitor {
    struct vm *vm;
    struct vcpu *vcpu; /* owned by vm */
    struct guest_mem mem;
    struct mem_slots slots; /* how mem is mapped into the VM (trapped pages: watchpoints) */
    struct block_devs blocks;
    struct net_devs nets;
    struct elf_image image;
    const struct guest_abi *abi; /* chosen from the image's notes */
    struct hvt_state hvt;        /* the Solo5 hvt ABI's state, when abi is guest_abi_hvt */
    struct boot_layout layout;
    enum guest_mode mode;          /* kernel or user: decided with the ABI */
    struct guest_mode_probe probe; /* what --guest-mode=auto measured (probe.ok: it ran) */
    int wake_fd; /* stop_signals_install's wake descriptor, valid when have_wake_fd */
    bool have_wake_fd;
    struct run_context run;   /* ready after monitor_setup_run */
    uint64_t clock_origin_ns; /* CLOCK_MONOTONIC when the boot information was written */
    struct recorder record;   /* --record: valid when have_record */
    bool record_tsc;          /* --record of an hvt guest: user mode, its rdtsc trapped */
    bool have_record;
    char core_path[PATH_MAX]; /* --dumpcore=DIR: DIR/<default core name>; run.core_path */
};

/* 2. Opens KVM and creates the VM. Zeroes *m first. */
int monitor_setup_vm(const struct options *opts, struct monitor *m, char *err, size_t errlen);

/*
 * 3. Validates the unikernel ELF (opts->kernel_path), chooses its guest ABI from its notes,
 * allocates guest memory (opts->mem_mib, or the ABI's default when --mem was not given)
 * and loads the ELF into it. Decides the guest mode (opts->guest_mode; auto runs the
 * probe of ukvm/guest/mode_probe.h); user mode for an ABI without one is a usage error.
 */
int monitor_setup_unikernel(const struct options *opts, struct monitor *m, char *err,
                            size_t errlen);

/* 4. Computes the layout, writes page tables, GDT and TSS, and maps the memory into the VM. */
int monitor_setup_memory(struct monitor *m, char *err, size_t errlen);

/* 5. Creates the vCPU and sets its registers for direct 64-bit entry at the ELF entry point. */
int monitor_setup_vcpu(struct monitor *m, char *err, size_t errlen);

/*
 * 6. Opens the block devices (--disk, --block) and the network devices (--net) and
 * attaches them as the ABI wants (a Solo5 hvt guest's manifest must name exactly the
 * devices given).
 */
int monitor_setup_devices(const struct options *opts, struct monitor *m, char *err, size_t errlen);

/* 7. Writes the boot info: command line (opts->cmdline), clock, stack canary. Cannot fail. */
void monitor_setup_boot_info(const struct options *opts, struct monitor *m);

/* 8. Installs SIGINT/SIGTERM handling for the vCPU (stop_signals.h). */
int monitor_setup_signals(struct monitor *m, char *err, size_t errlen);

/* 9. Fills m->run, the context run_loop() and the debug core drive. Cannot fail. */
void monitor_setup_run(const struct options *opts, struct monitor *m);

/*
 * 9b. --record: prepares the record (ukvm/replay/recorder.h) and takes its first
 * checkpoint, the guest as it stands before its first instruction, and hands it to the
 * run context. Nothing without --record. Returns 0 or ukvm's exit status, with err.
 */
int monitor_setup_record(const struct options *opts, struct monitor *m, char *err, size_t errlen);

/*
 * 10. Builds the sandbox's filter for this run's mode and devices (ukvm/process/sandbox.h)
 * and first does what the run would otherwise do lazily with calls the filter refuses:
 * debuggers' probe for hardware data breakpoints (a VM of its own). sandbox_enter()
 * installs the filter. Not part of monitor_setup(): tests that set up monitors run
 * unconfined.
 */
int monitor_setup_sandbox(const struct options *opts, struct monitor *m, char *err, size_t errlen);

/*
 * Every step above but the sandbox, in order: on success m->run is ready to run (run_loop,
 * debug_core_init). Returns 0, or the failing step's exit status with its reason in err; call
 * monitor_teardown either way. opts must outlive the monitor (kernel_path is kept).
 */
int monitor_setup(const struct options *opts, struct monitor *m, char *err, size_t errlen);

/*
 * ukvm --info: validates the unikernel file (opts->kernel_path) and prints its guest ABI
 * and, for a Solo5 hvt binary, the devices its manifest declares, to out. Needs no KVM.
 * Returns 0, or UKVM_EXIT_BAD_UNIKERNEL with one "ukvm: ..." line on err.
 */
int monitor_describe(const struct options *opts, FILE *out, FILE *err);

/*
 * Releases everything the steps set up (devices, VM and vCPU, guest memory, the wake
 * descriptor). For a monitor that went through monitor_setup_vm (or monitor_setup), even
 * when a later step failed.
 */
void monitor_teardown(struct monitor *m);

#endif /* UKVM_MONITOR_SETUP_H */
