/*
 * host_gdb_instant: a gdb remote stub that answers at once, with no target behind it: the
 * ceiling of the gdb benchmark (tests/bench/run.sh, section "gdb"). What gdb and the
 * loopback socket cost per single step or per memory read on this machine is what no
 * stub can go below; ukvm's figures are read against it.
 *
 *   host_gdb_instant PC
 *
 * Listens on 127.0.0.1 (a free port, printed as "host_gdb_instant: listening on
 * 127.0.0.1:PORT" on stderr), serves one gdb connection, and exits 0 when gdb kills or
 * detaches (or 1 on a socket error). Every stop reply carries rsp, rbp and rip, as
 * ukvm's do; rip walks through the 16 bytes from PC (gdb only needs it to stay inside
 * one function, for its frame unwinder), memory reads as zeros (never run-length
 * encoded: the cost of incompressible bytes), writes are accepted and dropped, and
 * breakpoint packets get the empty "not supported" reply. One write per reply,
 * TCP_NODELAY, no-ack mode: what ukvm does, done as cheaply as possible.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PACKET 0x20000 /* as ukvm (gdbstub/rsp_packet.h): gdb sizes memory reads by it */
#define STACK_TOP  0x3ffffd0ull

static int conn = -1;
static int no_ack;
static uint64_t pc_base, pc_off;

static void put_hex64(char *out, uint64_t v) /* little-endian target byte order */
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[(v >> (8 * i + 4)) & 0xf];
        out[2 * i + 1] = hex[(v >> (8 * i)) & 0xf];
    }
}

static void send_all(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(conn, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            perror("host_gdb_instant: send");
            exit(1);
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* Frames body as $body#xx and sends it in one write. */
static void reply(const char *body, size_t len)
{
    static char out[2 * MAX_PACKET + 8];
    uint8_t sum = 0;
    size_t n = 0;
    out[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        out[n++] = body[i];
        sum = (uint8_t)(sum + (uint8_t)body[i]);
    }
    n += (size_t)snprintf(out + n, 4, "#%02x", sum);
    send_all(out, n);
}

static void reply_str(const char *s)
{
    reply(s, strlen(s));
}

static void stop_reply(void)
{
    char r[128];
    int n = snprintf(r, sizeof(r), "T0506:");
    put_hex64(r + n, STACK_TOP);
    n += 16;
    n += snprintf(r + n, sizeof(r) - (size_t)n, ";07:");
    put_hex64(r + n, STACK_TOP - 8);
    n += 16;
    n += snprintf(r + n, sizeof(r) - (size_t)n, ";10:");
    put_hex64(r + n, pc_base + pc_off);
    n += 16;
    n += snprintf(r + n, sizeof(r) - (size_t)n, ";thread:1;");
    reply(r, (size_t)n);
}

/* gdb's default amd64 'g' layout, cut after the segment registers (gdb accepts short). */
static void regs_reply(void)
{
    char r[16 * 8 * 2 + 16 + 8 + 6 * 8];
    memset(r, '0', sizeof(r));
    put_hex64(r + 6 * 16, STACK_TOP);
    put_hex64(r + 7 * 16, STACK_TOP - 8);
    put_hex64(r + 16 * 16, pc_base + pc_off);
    reply(r, sizeof(r));
}

/* One packet's body, NUL-terminated. */
static void handle(const char *p)
{
    static char buf[MAX_PACKET];
    if (!strncmp(p, "qSupported", 10)) {
        snprintf(buf, sizeof(buf), "PacketSize=%x;QStartNoAckMode+;vContSupported+", MAX_PACKET);
        reply_str(buf);
    } else if (!strcmp(p, "QStartNoAckMode")) {
        reply_str("OK");
        no_ack = 1;
    } else if (!strcmp(p, "?")) {
        stop_reply();
    } else if (!strncmp(p, "vCont?", 6)) {
        reply_str("vCont;c;C;s;S");
    } else if (!strncmp(p, "vCont;s", 7) || p[0] == 's') {
        pc_off = (pc_off + 1) % 16;
        stop_reply();
    } else if (!strcmp(p, "g")) {
        regs_reply();
    } else if (p[0] == 'm') {
        unsigned long long addr, n;
        if (sscanf(p + 1, "%llx,%llx", &addr, &n) != 2 || n == 0 || 2 * n > sizeof(buf)) {
            reply_str("E01");
            return;
        }
        memset(buf, '0', 2 * n);
        reply(buf, 2 * n);
    } else if (p[0] == 'M' || p[0] == 'X') {
        reply_str("OK"); /* writes go nowhere: there is no memory */
    } else if (!strcmp(p, "qfThreadInfo")) {
        reply_str("m1");
    } else if (!strcmp(p, "qsThreadInfo")) {
        reply_str("l");
    } else if (!strcmp(p, "qC")) {
        reply_str("QC1");
    } else if (!strcmp(p, "qAttached")) {
        reply_str("1");
    } else if (p[0] == 'H') {
        reply_str("OK");
    } else if (!strncmp(p, "vKill", 5) || !strcmp(p, "k") || p[0] == 'D') {
        if (p[0] != 'k')
            reply_str("OK");
        exit(0);
    } else {
        reply_str(""); /* not supported: Z/z, qXfer, p, vCont;c (no target to run) ... */
    }
}

int main(int argc, char **argv)
{
    char *end;
    if (argc != 2 || (pc_base = strtoull(argv[1], &end, 0), *end != '\0')) {
        fprintf(stderr, "usage: host_gdb_instant PC\n");
        return 2;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &sl) < 0) {
        perror("host_gdb_instant: listen");
        return 1;
    }
    fprintf(stderr, "host_gdb_instant: listening on 127.0.0.1:%u\n", ntohs(sa.sin_port));
    conn = accept(ls, NULL, NULL);
    if (conn < 0) {
        perror("host_gdb_instant: accept");
        return 1;
    }
    close(ls);
    int one = 1;
    setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    static char in[2 * MAX_PACKET + 64];
    size_t have = 0;
    for (;;) {
        ssize_t n = recv(conn, in + have, sizeof(in) - have, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? 0 : 1;
        have += (size_t)n;
        size_t i = 0;
        for (;;) {
            while (i < have && in[i] != '$')
                i++; /* acks, Ctrl-C, noise */
            char *hash = memchr(in + i, '#', have - i);
            if (i >= have || !hash || (size_t)(hash - in) + 3 > have)
                break;
            if (!no_ack)
                send_all("+", 1);
            *hash = '\0';
            handle(in + i + 1);
            i = (size_t)(hash - in) + 3;
        }
        memmove(in, in + i, have - i);
        have -= i;
        if (have == sizeof(in))
            have = 0; /* an oversized packet: drop it */
    }
}
