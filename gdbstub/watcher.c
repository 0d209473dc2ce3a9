/*
 * watcher.c: the connection watcher thread (see watcher.h).
 *
 *   serving thread                       watcher thread (epoll: stream, edge-triggered;
 *                                                        wake eventfd)
 *   watcher_arm():   armed = true           woken by new bytes on the stream:
 *                    bytes already there?      armed?  drain them: 0x03 -> interrupt(),
 *                      -> wake eventfd                 EOF/error -> interrupt(), gone
 *   ops->resume() ...                          not armed?  leave them to the serving thread
 *   watcher_disarm(): armed = false
 *
 * Edge-triggered, because a level-triggered watcher would spin on bytes that are the
 * serving thread's to read while it is not armed.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "watcher.h"

struct gdb_watcher {
    pthread_t thread;
    pthread_mutex_t lock;
    bool armed;       /* under lock: the serving thread is in (or about to call) resume() */
    bool quit;        /* under lock */
    bool stream_done; /* watcher thread only: EOF or error seen */
    int epoll_fd;
    int wake_fd; /* eventfd: "look at the stream now" and "quit" */
    struct rsp_conn *conn;
    const struct gdb_target_ops *ops;
    void *ctx;
};

static bool stream_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

/*
 * Reads everything the stream has (edge-triggered: the next wake-up needs an empty
 * stream), under the lock and only while armed.
 */
static void drain_stream(struct gdb_watcher *w)
{
    while (!w->stream_done && stream_readable(w->conn->t->poll_fd)) {
        bool ctrl_c = false;
        ssize_t got = rsp_watch_read(w->conn, &ctrl_c);
        if (got <= 0) {
            w->stream_done = true;
            w->conn->gone = true; /* gdb went away: stop the target, end the session */
            w->ops->interrupt(w->ctx);
        } else if (ctrl_c) {
            w->ops->interrupt(w->ctx);
        }
    }
}

static void *watcher_main(void *arg)
{
    struct gdb_watcher *w = arg;
    for (;;) {
        struct epoll_event events[2];
        int n = epoll_wait(w->epoll_fd, events, 2, -1);
        if (n < 0 && errno != EINTR)
            break; /* cannot watch any more: the session goes on without Ctrl-C */
        uint64_t count;
        if (read(w->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
            break;
        pthread_mutex_lock(&w->lock);
        bool quit = w->quit;
        if (!quit && w->armed)
            drain_stream(w);
        pthread_mutex_unlock(&w->lock);
        if (quit)
            break;
    }
    return NULL;
}

struct gdb_watcher *watcher_create(struct rsp_conn *conn, const struct gdb_target_ops *ops,
                                   void *ctx)
{
    struct gdb_watcher *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->conn = conn;
    w->ops = ops;
    w->ctx = ctx;
    w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event stream = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET};
    struct epoll_event wake = {.events = EPOLLIN};
    if (w->epoll_fd < 0 || w->wake_fd < 0 ||
        epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, conn->t->poll_fd, &stream) < 0 ||
        epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->wake_fd, &wake) < 0)
        goto fail;
    pthread_mutex_init(&w->lock, NULL);
    /*
     * The thread blocks every signal: the monitor's signals (Ctrl-C on its terminal, the
     * kick that ends KVM_RUN) must reach the threads that act on them, never this one.
     */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&w->thread, NULL, watcher_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        pthread_mutex_destroy(&w->lock);
        goto fail;
    }
    return w;
fail:
    if (w->epoll_fd >= 0)
        close(w->epoll_fd);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    free(w);
    return NULL;
}

static void wake(struct gdb_watcher *w)
{
    uint64_t one = 1;
    while (write(w->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
}

void watcher_arm(struct gdb_watcher *w)
{
    pthread_mutex_lock(&w->lock);
    w->armed = true;
    pthread_mutex_unlock(&w->lock);
    /*
     * Bytes that arrived before armed was set raised their edge while the watcher had to
     * ignore them (a Ctrl-C sent right behind the resume packet): look at them now.
     */
    if (stream_readable(w->conn->t->poll_fd))
        wake(w);
}

void watcher_disarm(struct gdb_watcher *w)
{
    pthread_mutex_lock(&w->lock);
    w->armed = false;
    pthread_mutex_unlock(&w->lock);
}

void watcher_destroy(struct gdb_watcher *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_mutex_unlock(&w->lock);
    wake(w);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    close(w->epoll_fd);
    close(w->wake_fd);
    free(w);
}
