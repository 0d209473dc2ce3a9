/*
 * rsp_transport.h: the byte stream under the remote protocol, and serving a session on
 * any such stream.
 *
 * gdbstub_serve() (gdbstub.h) serves a socket; tests and the fuzzer feed the same code
 * from memory through this interface, so nothing in the protocol layers needs a socket.
 */
#ifndef UKVM_GDBSTUB_RSP_TRANSPORT_H
#define UKVM_GDBSTUB_RSP_TRANSPORT_H

#include <sys/types.h>

#include "gdb_target.h"

struct rsp_transport {
    /*
     * Reads up to len (> 0) bytes into buf, blocking until at least one is there.
     * Returns the count, 0 at end of stream, or -1 when the stream failed. Retries
     * interrupted system calls itself.
     */
    ssize_t (*read)(void *io, void *buf, size_t len);

    /* Writes all len bytes (the whole of one reply). Returns 0, or -1 when the stream failed. */
    int (*write)(void *io, const void *buf, size_t len);

    void *io; /* passed to read() and write() */

    /*
     * A descriptor that polls readable when read() would not block, or -1. Without one
     * the stub cannot notice Ctrl-C or a disconnect while the target runs, so only
     * transports whose input is all there in advance (tests, the fuzzer) go without.
     */
    int poll_fd;
};

/*
 * Serves one session on transport t, like gdbstub_serve() on a socket: until the stream
 * ends or fails, gdb detaches or kills, or the target is gone. Calls ops->session_end()
 * exactly once, then returns how the session ended.
 */
enum gdb_session_end gdbstub_serve_transport(const struct rsp_transport *t,
                                             const struct gdb_target_ops *ops, void *ctx);

#endif /* UKVM_GDBSTUB_RSP_TRANSPORT_H */
