/*
 * gdbstub.h: ukvm's GDB remote stub: listens for gdb, and serves one connection at a
 * time on a target described by struct gdb_target_ops (gdb_target.h).
 *
 *   int lfd = gdbstub_listen("127.0.0.1", 1234, &port, err, sizeof(err));
 *   for (;;) {
 *       int fd = gdbstub_accept(lfd, peer, sizeof(peer));
 *       enum gdb_session_end how = gdbstub_serve(fd, &ops, ctx);
 *       close(fd);
 *       ... act on how ...
 *   }
 *
 * Protocol coverage: qSupported (PacketSize, QStartNoAckMode, swbreak, hwbreak,
 * vContSupported, qXfer:features:read), g/G/p/P, m/M/X, c/s/C/S, vCont, Z0-Z4/z0-z4,
 * ?, qAttached, thread queries for the one vCPU, qRcmd (gdb's `monitor`), D, k, vKill,
 * Ctrl-C while running. Anything else gets the empty reply ("not supported").
 */
#ifndef UKVM_GDBSTUB_H
#define UKVM_GDBSTUB_H

#include <stddef.h>
#include <stdint.h>

#include "gdb_target.h"

/*
 * Opens a TCP listening socket on host:port (host a name or a numeric IPv4 or IPv6
 * address: "127.0.0.1", "localhost", "0.0.0.0", "::1"), with SO_REUSEADDR so that a
 * restarted ukvm gets its port back at once. Port 0 picks a free port; the port bound is
 * stored in *bound_port (if not NULL). Returns the listening fd (close-on-exec), or -1
 * with a one-line reason in err, e.g. "127.0.0.1:1234 is in use (another ukvm or
 * gdbserver?)".
 */
int gdbstub_listen(const char *host, uint16_t port, uint16_t *bound_port, char *err, size_t errlen);

/*
 * Waits for one connection on listen_fd and returns its fd (close-on-exec, TCP_NODELAY:
 * a stop reply must not wait for Nagle). peer receives "ADDRESS:PORT" of the other end
 * (may be NULL). Returns -1 with errno set on failure; EINTR is not retried, so a
 * signal can end the wait.
 */
int gdbstub_accept(int listen_fd, char *peer, size_t peerlen);

/*
 * Serves gdb on connection conn_fd until it disconnects ("quit", or the connection
 * fails), detaches (D), kills (k, vKill), or the target ends (after the W or X reply).
 * Calls ops->session_end(ctx, how) exactly once, then returns how; per-connection state
 * (no-ack mode, gdb's features) dies with the call, so the next connection starts
 * clean. Does not close conn_fd.
 *
 * Signals: interrupted system calls are retried. To end a session from a signal handler,
 * shutdown(conn_fd, SHUT_RDWR) (async-signal-safe): the session ends as a disconnect.
 * SIGPIPE is not raised by the stub's writes (MSG_NOSIGNAL).
 */
enum gdb_session_end gdbstub_serve(int conn_fd, const struct gdb_target_ops *ops, void *ctx);

/* A name for how, for log lines: "disconnect", "detach", "kill", "target gone". */
const char *gdbstub_end_name(enum gdb_session_end how);

#endif /* UKVM_GDBSTUB_H */
