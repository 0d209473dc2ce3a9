/*
 * gdb_target.h (ukvm side): the gdb stub's target operations, implemented once on the
 * debug core, and the --gdb front end that listens, accepts and serves connections.
 */
#ifndef UKVM_UKVM_GDB_TARGET_H
#define UKVM_UKVM_GDB_TARGET_H

#include <stdint.h>

#include "gdbstub/gdb_target.h"
#include "ukvm/debug/debug_core.h"

/* The operations table; its ctx is a struct ukvm_gdb_target. */
extern const struct gdb_target_ops ukvm_gdb_target_ops;

struct ukvm_gdb_target {
    struct debug_core *core;
    struct vcpu_fpu fpu; /* x87/SSE state of the current stop, read on first use */
    bool fpu_valid;
};

/*
 * Serves gdb on host:port until the guest ends (returns ukvm's exit status). Before the
 * first guest instruction it prints where it listens and waits. A connection that drops
 * leaves the guest stopped, its breakpoints removed, and waits for the next one; gdb's
 * detach lets the guest run on to its end; gdb's kill ends it (status 137).
 */
int gdb_frontend_run(struct run_context *run, const char *host, uint16_t port);

#endif /* UKVM_UKVM_GDB_TARGET_H */
