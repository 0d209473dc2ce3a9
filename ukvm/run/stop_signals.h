/*
 * stop_signals.h: SIGINT and SIGTERM end the guest cleanly.
 *
 * The handler only records the signal, asks the vCPU to leave KVM_RUN
 * (vcpu_request_exit) and writes to a wake descriptor that interrupts a guest asleep
 * in solo5_yield(); the run loop then ends the guest with status 128 + signal.
 */
#ifndef UKVM_STOP_SIGNALS_H
#define UKVM_STOP_SIGNALS_H

#include <stddef.h>

#include "ukvm/vm/vm.h"

/*
 * Installs the handlers for vcpu and ignores SIGPIPE (console output to a closed pipe
 * must not kill the monitor). Returns the wake descriptor (readable once a stop signal
 * arrived), or -1 with a reason in err.
 */
int stop_signals_install(struct vcpu *vcpu, char *err, size_t errlen);

/*
 * While fd >= 0, a stop signal also shuts the socket fd down (both directions), so that a
 * gdb session blocked reading it ends at once; -1 clears it. fd is the live gdb
 * connection.
 */
void stop_signals_set_session_fd(int fd);

/* The stop signal received so far (the first one), or 0. */
int stop_signals_received(void);

#endif /* UKVM_STOP_SIGNALS_H */
