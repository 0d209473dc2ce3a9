/*
 * stop_signals.c: SIGINT/SIGTERM handling (see stop_signals.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stop_signals.h"

static struct vcpu *stop_vcpu;
static int stop_wake_fd = -1;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_session_fd = -1;

static void on_stop_signal(int signo)
{
    int saved = errno;
    if (!stop_signal)
        stop_signal = signo;
    vcpu_request_exit(stop_vcpu);
    uint64_t one = 1;
    ssize_t ignored = write(stop_wake_fd, &one, sizeof(one));
    (void)ignored;
    if (stop_session_fd >= 0)
        shutdown(stop_session_fd, SHUT_RDWR); /* async-signal-safe */
    errno = saved;
}

int stop_signals_install(struct vcpu *vcpu, char *err, size_t errlen)
{
    stop_vcpu = vcpu;
    stop_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop_wake_fd < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        return -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: KVM_RUN and ppoll must come back with EINTR. */
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) {
        snprintf(err, errlen, "sigaction: %s", strerror(errno));
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    return stop_wake_fd;
}

void stop_signals_set_session_fd(int fd)
{
    stop_session_fd = fd;
}

int stop_signals_received(void)
{
    return stop_signal;
}
