/*
 * gdb_frontend.c: `ukvm --gdb`: listen, accept, serve, and decide what each way a gdb
 * session ends means for the guest (see gdb_target.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gdb_target.h"
#include "gdbstub/gdbstub.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/process/sandbox.h"
#include "ukvm/run/stop_signals.h"

/* Waits for a connection; returns its fd, or -1 when a stop signal arrived (or accept failed). */
static int wait_for_gdb(int listen_fd)
{
    for (;;) {
        char peer[128];
        int fd = gdbstub_accept(listen_fd, peer, sizeof(peer));
        if (fd >= 0) {
            fprintf(stderr, "ukvm: gdb connected from %s\n", peer);
            return fd;
        }
        if (errno != EINTR || stop_signals_received())
            return -1;
    }
}

int gdb_frontend_run(struct run_context *run, const char *host, uint16_t port)
{
    static struct debug_core core;
    struct ukvm_gdb_target target = {.core = &core};
    char err[256];
    if (debug_core_init(&core, run) < 0) {
        fprintf(stderr, "ukvm: cannot set up the debug core: %s\n", strerror(errno));
        return UKVM_EXIT_KVM;
    }
    uint16_t bound = port;
    int listen_fd = gdbstub_listen(host, port, &bound, err, sizeof(err));
    if (listen_fd < 0) {
        fprintf(stderr, "ukvm: --gdb: %s\n", err);
        debug_core_destroy(&core);
        return UKVM_EXIT_USAGE;
    }
    /* Listening was the last of set-up; in before the line that tells gdb where to go. */
    sandbox_enter();
    const char *shown = strchr(host, ':') ? "[%s]:%u" : "%s:%u";
    char where[300];
    snprintf(where, sizeof(where), shown, host, bound);
    fprintf(stderr, "ukvm: waiting for gdb on %s (in gdb: target remote %s)\n", where, where);

    int status = -1;
    while (status < 0) {
        int fd = wait_for_gdb(listen_fd);
        if (fd < 0) {
            int signo = stop_signals_received();
            if (signo) {
                fprintf(stderr, "ukvm: guest ended by %s\n", strsignal(signo));
                status = UKVM_EXIT_SIGNAL_BASE + signo;
            } else {
                fprintf(stderr, "ukvm: --gdb: accept failed: %s\n", strerror(errno));
                status = UKVM_EXIT_KVM;
            }
            break;
        }
        stop_signals_set_session_fd(fd);
        enum gdb_session_end how = stop_signals_received()
                                       ? GDB_END_DISCONNECT
                                       : gdbstub_serve(fd, &ukvm_gdb_target_ops, &target);
        stop_signals_set_session_fd(-1);
        close(fd);
        int signo = stop_signals_received();
        if (signo && !debug_core_ended(&core)) {
            /* SIGINT/SIGTERM to ukvm ends the guest whatever gdb was doing. */
            fprintf(stderr, "ukvm: guest ended by %s\n", strsignal(signo));
            status = UKVM_EXIT_SIGNAL_BASE + signo;
            break;
        }
        switch (how) {
        case GDB_END_DISCONNECT:
            if (debug_core_ended(&core)) {
                status = core.stop.exit_status;
                break;
            }
            fprintf(stderr,
                    "ukvm: gdb disconnected; the guest stays stopped, its breakpoints "
                    "removed; waiting for gdb on %s\n",
                    where);
            break;
        case GDB_END_DETACH:
            fprintf(stderr, "ukvm: gdb detached; the guest runs on\n");
            close(listen_fd);
            listen_fd = -1;
            status = debug_core_detach(&core);
            break;
        case GDB_END_KILL:
            if (!core.fatal && !debug_core_ended(&core))
                fprintf(stderr, "ukvm: guest killed by gdb\n");
            status = debug_core_kill(&core);
            break;
        case GDB_END_TARGET_GONE:
            status = core.stop.exit_status;
            break;
        }
    }
    if (listen_fd >= 0)
        close(listen_fd);
    debug_core_destroy(&core);
    return status;
}
