/*
 * gdbstub_net.c: the TCP side of the stub: listening, accepting, and serving a session
 * on a connected socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub.h"
#include "rsp_transport.h"

/* "HOST:PORT", or "[HOST]:PORT" when HOST is an IPv6 address. */
static void format_endpoint(char *buf, size_t len, const char *host, unsigned port)
{
    snprintf(buf, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
}

static int listen_on(const struct addrinfo *ai, int *saved_errno)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *saved_errno = errno;
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
        *saved_errno = errno;
        close(fd);
        return -1;
    }
    return fd;
}

int gdbstub_listen(const char *host, uint16_t port, uint16_t *bound_port, char *err, size_t errlen)
{
    char where[300], service[8];
    format_endpoint(where, sizeof(where), host, port);
    snprintf(service, sizeof(service), "%u", port);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
    };
    struct addrinfo *res;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", where,
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    /* The first address that works ("localhost" may give ::1 and 127.0.0.1). */
    int fd = -1, first_errno = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        int e = 0;
        fd = listen_on(ai, &e);
        if (fd < 0 && !first_errno)
            first_errno = e;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (first_errno == EADDRINUSE)
            snprintf(err, errlen, "%s is in use (another ukvm or gdbserver?)", where);
        else
            snprintf(err, errlen, "cannot listen on %s: %s", where, strerror(first_errno));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (bound_port) {
        *bound_port = port;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
            *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                         : ((struct sockaddr_in *)&ss)->sin_port);
    }
    if (errlen)
        err[0] = '\0';
    return fd;
}

int gdbstub_accept(int listen_fd, char *peer, size_t peerlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails harmlessly on AF_UNIX */
    if (peer && peerlen) {
        char host[INET6_ADDRSTRLEN] = "?";
        unsigned port = 0;
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
            port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
            port = ntohs(in6->sin6_port);
        }
        format_endpoint(peer, peerlen, host, port);
    }
    return fd;
}

/* Waits until fd is ready for events (for a socket someone made non-blocking). */
static int wait_ready(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, -1) < 0 && errno != EINTR ? -1 : 0;
}

static ssize_t socket_read(void *io, void *buf, size_t len)
{
    int fd = *(int *)io;
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0)
            return n;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (wait_ready(fd, POLLIN) < 0)
                return -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
}

static int socket_write(void *io, const void *buf, size_t len)
{
    int fd = *(int *)io;
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (wait_ready(fd, POLLOUT) < 0)
                    return -1;
            } else if (errno != EINTR) {
                return -1;
            }
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

enum gdb_session_end gdbstub_serve(int conn_fd, const struct gdb_target_ops *ops, void *ctx)
{
    struct rsp_transport t = {
        .read = socket_read,
        .write = socket_write,
        .io = &conn_fd,
        .poll_fd = conn_fd,
    };
    return gdbstub_serve_transport(&t, ops, ctx);
}
