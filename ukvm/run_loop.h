/*
 * run_loop.h: run the guest to its end, serving each VM exit.
 *
 * Exit dispatch: hypercall (port I/O in the hypercall range) | hlt | debug | shutdown |
 * mmio | internal error | interrupted by a stop signal. Every way out of the guest ends
 * in an exit status (exit_status.h) and, for crashes, a report on stderr.
 */
#ifndef UKVM_RUN_LOOP_H
#define UKVM_RUN_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "block_dev.h"
#include "boot_setup.h"
#include "exit_trace.h"
#include "guest_mem.h"
#include "vm.h"

struct run_context {
    struct vcpu *vcpu;
    const struct guest_mem *mem;
    const struct block_devs *blocks;
    const struct boot_layout *layout;
    const char *kernel_path;
    int wake_fd;
    bool trace; /* --trace: print each exit and hypercall to stderr */
    struct exit_trace exits;
};

/* Runs the guest until it ends; returns the process exit status for ukvm. */
int run_loop(struct run_context *ctx);

#endif /* UKVM_RUN_LOOP_H */
