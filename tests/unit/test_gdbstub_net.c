/*
 * test_gdbstub_net.c: the stub's TCP side: listening addresses, free-port selection, the
 * "port in use" message, accept with TCP_NODELAY and the peer's address, and a session
 * served over a real loopback connection.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "test_gdbstub_fake.h"
#include "unit.h"

/* Connects to host:port over TCP; -1 on failure. */
static int connect_to(int family, const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t len;
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, host, &a->sin6_addr);
        len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, host, &a->sin_addr);
        len = sizeof(*a);
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

UNIT_TEST(listen_on_free_port)
{
    char err[256];
    uint16_t port = 0;
    int lfd = gdbstub_listen("127.0.0.1", 0, &port, err, sizeof(err));
    CHECK(lfd >= 0);
    CHECK(port != 0);
    CHECK(err[0] == '\0');
    int cfd = connect_to(AF_INET, "127.0.0.1", port);
    CHECK(cfd >= 0);
    char peer[64];
    int fd = gdbstub_accept(lfd, peer, sizeof(peer));
    CHECK(fd >= 0);
    CHECK(strncmp(peer, "127.0.0.1:", 10) == 0 && atoi(peer + 10) > 0);
    int nodelay = 0;
    socklen_t sl = sizeof(nodelay);
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &sl) == 0 && nodelay);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    CHECK(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
    close(cfd);
    close(fd);
    close(lfd);
}

UNIT_TEST(port_in_use_is_a_clear_error)
{
    char err[256];
    uint16_t port = 0;
    int lfd = gdbstub_listen("127.0.0.1", 0, &port, err, sizeof(err));
    CHECK(lfd >= 0);
    CHECK(gdbstub_listen("127.0.0.1", port, NULL, err, sizeof(err)) < 0);
    char want[128];
    snprintf(want, sizeof(want), "127.0.0.1:%u is in use (another ukvm or gdbserver?)", port);
    if (strcmp(err, want) != 0)
        UNIT_FAIL("\"%s\"", err);
    /* A tiny error buffer is not overrun and stays terminated. */
    char tiny[8];
    memset(tiny, 'Z', sizeof(tiny));
    CHECK(gdbstub_listen("127.0.0.1", port, NULL, tiny, 5) < 0);
    CHECK(tiny[4] == '\0' && tiny[5] == 'Z');
    close(lfd);
    /* Once closed, the port can be had again at once (SO_REUSEADDR). */
    lfd = gdbstub_listen("127.0.0.1", port, NULL, err, sizeof(err));
    CHECK(lfd >= 0);
    close(lfd);
}

UNIT_TEST(listen_addresses)
{
    char err[256];
    uint16_t port;
    int lfd = gdbstub_listen("localhost", 0, &port, err, sizeof(err));
    CHECK(lfd >= 0);
    close(lfd);
    lfd = gdbstub_listen("0.0.0.0", 0, &port, err, sizeof(err));
    CHECK(lfd >= 0 && port != 0);
    close(lfd);
    lfd = gdbstub_listen("::1", 0, &port, err, sizeof(err));
    if (lfd >= 0) { /* hosts without IPv6 cannot, and say so */
        int cfd = connect_to(AF_INET6, "::1", port);
        char peer[80];
        int fd = gdbstub_accept(lfd, peer, sizeof(peer));
        CHECK(cfd >= 0 && fd >= 0);
        CHECK(strncmp(peer, "[::1]:", 6) == 0);
        close(cfd);
        close(fd);
        close(lfd);
    } else {
        CHECK_STR_CONTAINS(err, "[::1]:0");
    }
    CHECK(gdbstub_listen("no-such-host.invalid", 1234, NULL, err, sizeof(err)) < 0);
    CHECK_STR_CONTAINS(err, "cannot listen on no-such-host.invalid:1234");
    CHECK(gdbstub_listen("192.0.2.1", 0, NULL, err, sizeof(err)) < 0); /* not ours */
    CHECK_STR_CONTAINS(err, "cannot listen on 192.0.2.1:0");
}

UNIT_TEST(accept_errors)
{
    errno = 0;
    CHECK(gdbstub_accept(-1, NULL, 0) < 0);
    CHECK(errno == EBADF);
}

struct tcp_server {
    int fd;
    struct fake_target *t;
    enum gdb_session_end how;
};

static void *tcp_serve(void *arg)
{
    struct tcp_server *s = arg;
    s->how = gdbstub_serve(s->fd, &fake_ops, s->t);
    close(s->fd);
    return NULL;
}

UNIT_TEST(session_over_tcp)
{
    char err[256];
    uint16_t port;
    int lfd = gdbstub_listen("127.0.0.1", 0, &port, err, sizeof(err));
    CHECK(lfd >= 0);
    struct client *c = calloc(1, sizeof(*c));
    c->fd = connect_to(AF_INET, "127.0.0.1", port);
    struct tcp_server s = {.fd = gdbstub_accept(lfd, NULL, 0), .t = fake_new()};
    CHECK(c->fd >= 0 && s.fd >= 0);
    pthread_t th;
    pthread_create(&th, NULL, tcp_serve, &s);
    CHECK(client_expect(c, "QStartNoAckMode", "OK"));
    c->no_ack = true;
    CHECK(client_expect(c, "m100000,4", "00010203"));
    s.t->block_until_interrupt = true;
    CHECK(client_send(c, "c"));
    CHECK(client_quiet(c, 50));
    CHECK(client_write(c, "\x03", 1));
    CHECK(client_recv(c) && strncmp(c->buf, "T02", 3) == 0);
    CHECK(client_expect(c, "D", "OK"));
    pthread_join(th, NULL);
    CHECK_EQ_U64(s.how, GDB_END_DETACH);
    CHECK_EQ_U64(s.t->session_end_calls, 1);
    close(lfd);
    client_free(c);
    free(s.t);
}

/* Ending a session from outside (as a signal handler would): shutdown() the socket. */
UNIT_TEST(shutdown_ends_session)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "qC", "QC1"));
    shutdown(c->server_fd, SHUT_RDWR);
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_DISCONNECT);
    CHECK_EQ_U64(t->session_end_calls, 1);
    client_free(c);
    free(t);
}

int main(void)
{
    UNIT_RUN(listen_on_free_port);
    UNIT_RUN(port_in_use_is_a_clear_error);
    UNIT_RUN(listen_addresses);
    UNIT_RUN(accept_errors);
    UNIT_RUN(session_over_tcp);
    UNIT_RUN(shutdown_ends_session);
    return UNIT_EXIT_STATUS();
}
