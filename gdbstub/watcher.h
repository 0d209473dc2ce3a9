/*
 * watcher.h: notices Ctrl-C and disconnects while the target runs.
 *
 * ops->resume() blocks the serving thread until the target stops, so a second thread
 * watches the connection meanwhile: a Ctrl-C byte (0x03) becomes ops->interrupt(), and
 * so does the end of the stream (gdb quit or died), which is also recorded in conn->gone
 * so that the session ends once resume() returns.
 *
 * The watcher is armed around each resume(). Arming and disarming must cost next to
 * nothing, because gdb single-steps by resuming thousands of times a second: handing the
 * stream over with a thread wake-up and waiting for the hand-back measured about 18 us
 * per resume, and a watcher that woke for every packet cost about as much again in CPU.
 * So the thread lives as long as the session, asleep in epoll; the stream is registered
 * one-shot, and enabled only while armed. Arming is a flag under a mutex plus one
 * epoll_ctl() (which also reports bytes that arrived just before); disarming likewise,
 * and the mutex guarantees that afterwards the watcher no longer touches the connection.
 * Between resumes the watcher does not wake at all.
 *
 * While armed the watcher alone reads the stream, appending to the connection's receive
 * buffer, so a byte of gdb's next packet is kept, not lost.
 */
#ifndef UKVM_GDBSTUB_WATCHER_H
#define UKVM_GDBSTUB_WATCHER_H

#include "gdb_target.h"
#include "rsp_packet.h"

struct gdb_watcher;

/*
 * Starts a watcher for conn (whose transport must have a poll_fd) that calls
 * ops->interrupt(ctx). Returns NULL when its thread or descriptors cannot be created;
 * the session then runs without Ctrl-C.
 */
struct gdb_watcher *watcher_create(struct rsp_conn *conn, const struct gdb_target_ops *ops,
                                   void *ctx);

/*
 * Starts watching: from now on the serving thread must not touch conn until
 * watcher_disarm(). Call right before ops->resume(). ops->interrupt() may come before
 * resume() has begun (the target must keep such a request for the resume to come).
 */
void watcher_arm(struct gdb_watcher *w);

/* Stops watching; on return the watcher no longer touches the connection. */
void watcher_disarm(struct gdb_watcher *w);

/* Ends and joins the thread and frees the watcher (not armed). NULL is allowed. */
void watcher_destroy(struct gdb_watcher *w);

#endif /* UKVM_GDBSTUB_WATCHER_H */
