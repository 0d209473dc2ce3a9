/*
 * watcher.c: the connection watcher thread (see watcher.h).
 *
 *   serving thread                          watcher thread, asleep in epoll_wait()
 *   watcher_arm():    armed = true
 *                     stream: enable, one-shot  --> readable (now, or already before)
 *   ops->resume() ...                                   read once: 0x03 -> interrupt()
 *                                                       EOF/error -> interrupt(), gone
 *                                                       still armed: enable again
 *   watcher_disarm(): armed = false
 *                     stream: disable
 *
 * One-shot and level-triggered: an event disables the stream until the watcher (while
 * armed) or the next arm enables it again, and enabling reports bytes already waiting.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "watcher.h"

#define EV_STREAM 1 /* epoll data: which descriptor woke the watcher */
#define EV_WAKE   2

struct gdb_watcher {
    pthread_t thread;
    pthread_mutex_t lock;
    bool armed;       /* under lock: the serving thread is in (or about to call) resume() */
    bool quit;        /* under lock */
    bool stream_done; /* under lock: EOF or error seen, nothing more to watch */
    int epoll_fd;
    int wake_fd; /* eventfd, for quitting */
    int stream_fd;
    struct rsp_conn *conn;
    const struct gdb_target_ops *ops;
    void *ctx;
};

/* Enables (one event, then disabled again) or disables the stream in the epoll set. */
static void set_stream_watch(struct gdb_watcher *w, bool on)
{
    struct epoll_event ev = {
        .events = EPOLLONESHOT | (on ? EPOLLIN | EPOLLRDHUP : 0),
        .data.u32 = EV_STREAM,
    };
    epoll_ctl(w->epoll_fd, EPOLL_CTL_MOD, w->stream_fd, &ev);
}

/* The stream is readable (or closed): one read, under the lock, while armed. */
static void on_stream_event(struct gdb_watcher *w)
{
    bool ctrl_c = false;
    ssize_t got = rsp_watch_read(w->conn, &ctrl_c);
    if (got <= 0) {
        w->stream_done = true;
        w->conn->gone = true; /* gdb went away: stop the target, end the session */
        w->ops->interrupt(w->ctx);
        return;
    }
    if (ctrl_c)
        w->ops->interrupt(w->ctx);
    set_stream_watch(w, true);
}

static void *watcher_main(void *arg)
{
    struct gdb_watcher *w = arg;
    for (;;) {
        struct epoll_event events[2];
        int n = epoll_wait(w->epoll_fd, events, 2, -1);
        if (n < 0 && errno != EINTR)
            break; /* cannot watch any more: the session goes on without Ctrl-C */
        bool stream = false;
        for (int i = 0; i < n; i++)
            stream |= events[i].data.u32 == EV_STREAM;
        pthread_mutex_lock(&w->lock);
        bool quit = w->quit;
        if (!quit && stream && w->armed && !w->stream_done)
            on_stream_event(w);
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
    w->stream_fd = conn->t->poll_fd;
    w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event stream = {.events = EPOLLONESHOT, .data.u32 = EV_STREAM};
    struct epoll_event wake = {.events = EPOLLIN, .data.u32 = EV_WAKE};
    if (w->epoll_fd < 0 || w->wake_fd < 0 ||
        epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->stream_fd, &stream) < 0 ||
        epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->wake_fd, &wake) < 0)
        goto fail;
    pthread_mutex_init(&w->lock, NULL);
    /*
     * The thread blocks every signal: the monitor's signals (Ctrl-C on its terminal, the
     * kick that ends KVM_RUN) must reach the threads that act on them, never this one.
     */
    sigset_t all, old;
    sigfillset(&all);
    /* But SIGSYS: blocked, the sandbox's report of a forbidden call would be lost. */
    sigdelset(&all, SIGSYS);
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

void watcher_arm(struct gdb_watcher *w)
{
    pthread_mutex_lock(&w->lock);
    w->armed = true;
    bool watch = !w->stream_done;
    pthread_mutex_unlock(&w->lock);
    if (watch)
        set_stream_watch(w, true);
}

void watcher_disarm(struct gdb_watcher *w)
{
    pthread_mutex_lock(&w->lock);
    w->armed = false;
    pthread_mutex_unlock(&w->lock);
    /* After the flag: a watcher that re-enabled the stream meanwhile is overruled. */
    set_stream_watch(w, false);
}

void watcher_destroy(struct gdb_watcher *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_mutex_unlock(&w->lock);
    uint64_t one = 1;
    while (write(w->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    close(w->epoll_fd);
    close(w->wake_fd);
    free(w);
}
