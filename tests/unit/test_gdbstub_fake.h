/*
 * test_gdbstub_fake.h: a fake debug target for the gdb stub's tests, and a client that
 * plays gdb over a socketpair.
 *
 * The fake keeps registers and one window of memory in arrays, records every call, and
 * resumes by script: a step advances rip by one and stops with SIGTRAP; a continue
 * returns the next stop of fake_target.script, then next_stop, or, with
 * block_until_interrupt, blocks until the stub calls interrupt() and stops with SIGINT.
 *
 * The client runs gdbstub_serve() on one end of a socketpair in a thread and talks on
 * the other end. Every read has a timeout, so a stub that fails to answer fails the test
 * instead of hanging it.
 */
#ifndef UKVM_TEST_GDBSTUB_FAKE_H
#define UKVM_TEST_GDBSTUB_FAKE_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub/gdbstub.h"

#define HELPER static __attribute__((unused))

#define FAKE_MEM_BASE     0x100000ULL
#define FAKE_MEM_SIZE     0x40000ULL
#define FAKE_MAX_BPS      64
#define CLIENT_TIMEOUT_MS 5000

struct fake_bp {
    enum gdb_bp_type type;
    uint64_t addr;
    size_t len;
};

struct fake_target {
    uint8_t regs[GDB_REG_COUNT][16];
    bool reg_unavailable[GDB_REG_COUNT];
    bool reg_readonly[GDB_REG_COUNT];
    int reg_writes[GDB_REG_COUNT];
    uint8_t mem[FAKE_MEM_SIZE];
    int mem_writes;

    struct fake_bp bps[FAKE_MAX_BPS];
    int nbps;
    bool hw_unsupported; /* insert_bp of types 1-4 answers 1 */

    struct gdb_stop next_stop; /* for a continue, once the script is used up */
    struct gdb_stop script[8]; /* for the next continues; a swbreak one stops at the
                                  first software breakpoint inserted */
    int script_len, script_next;
    struct gdb_stop current; /* for '?' */
    int resume_rc;
    int resume_calls;
    enum gdb_resume_action last_action;
    bool block_until_interrupt;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    int interrupts;        /* calls to interrupt(), under lock */
    int interrupt_pending; /* not yet consumed by a resume, under lock */

    char last_monitor[256];
    int monitor_rc;
    const char *monitor_output;

    int session_end_calls;
    enum gdb_session_end session_end_how;

    bool reverse; /* can_reverse() says so: bs and bc are served */
};

static struct fake_target *fake_of(void *ctx)
{
    return ctx;
}

static int fake_read_reg(void *ctx, unsigned regno, void *buf)
{
    struct fake_target *t = fake_of(ctx);
    if (regno >= GDB_REG_COUNT || t->reg_unavailable[regno])
        return -1;
    memcpy(buf, t->regs[regno], gdb_reg_size(regno));
    return 0;
}

static int fake_write_reg(void *ctx, unsigned regno, const void *buf)
{
    struct fake_target *t = fake_of(ctx);
    if (regno >= GDB_REG_COUNT || t->reg_readonly[regno])
        return -1;
    memcpy(t->regs[regno], buf, gdb_reg_size(regno));
    t->reg_writes[regno]++;
    return 0;
}

static long fake_read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fake_target *t = fake_of(ctx);
    if (addr < FAKE_MEM_BASE || addr >= FAKE_MEM_BASE + FAKE_MEM_SIZE)
        return -1;
    uint64_t off = addr - FAKE_MEM_BASE;
    size_t n = len < FAKE_MEM_SIZE - off ? len : (size_t)(FAKE_MEM_SIZE - off);
    memcpy(buf, t->mem + off, n);
    return (long)n;
}

static int fake_write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    struct fake_target *t = fake_of(ctx);
    if (addr < FAKE_MEM_BASE || addr >= FAKE_MEM_BASE + FAKE_MEM_SIZE ||
        len > FAKE_MEM_BASE + FAKE_MEM_SIZE - addr)
        return -1;
    memcpy(t->mem + (addr - FAKE_MEM_BASE), buf, len);
    t->mem_writes++;
    return 0;
}

static int fake_insert_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len)
{
    struct fake_target *t = fake_of(ctx);
    if (type != GDB_BP_SOFTWARE && t->hw_unsupported)
        return 1;
    if (t->nbps == FAKE_MAX_BPS || addr < FAKE_MEM_BASE)
        return -1;
    t->bps[t->nbps++] = (struct fake_bp){type, addr, len};
    return 0;
}

static int fake_remove_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len)
{
    struct fake_target *t = fake_of(ctx);
    for (int i = 0; i < t->nbps; i++) {
        if (t->bps[i].type == type && t->bps[i].addr == addr && t->bps[i].len == len) {
            t->bps[i] = t->bps[--t->nbps];
            return 0;
        }
    }
    return -1;
}

static uint64_t fake_rip(struct fake_target *t)
{
    uint64_t rip;
    memcpy(&rip, t->regs[GDB_REG_RIP], 8);
    return rip;
}

static int fake_resume(void *ctx, enum gdb_resume_action action, struct gdb_stop *stop)
{
    struct fake_target *t = fake_of(ctx);
    t->resume_calls++;
    t->last_action = action;
    memset(stop, 0, sizeof(*stop));
    if (action == GDB_RESUME_REVERSE_STEP) {
        uint64_t rip = fake_rip(t) - 1;
        memcpy(t->regs[GDB_REG_RIP], &rip, 8);
        stop->kind = GDB_STOP_SIGNAL;
        stop->signal = GDB_SIGNAL_TRAP;
        stop->history_begin = t->next_stop.history_begin;
    } else if (action == GDB_RESUME_STEP) {
        uint64_t rip = fake_rip(t) + 1;
        memcpy(t->regs[GDB_REG_RIP], &rip, 8);
        stop->kind = GDB_STOP_SIGNAL;
        stop->signal = GDB_SIGNAL_TRAP;
    } else if (t->block_until_interrupt) {
        pthread_mutex_lock(&t->lock);
        while (t->interrupt_pending == 0)
            pthread_cond_wait(&t->cond, &t->lock);
        t->interrupt_pending = 0;
        pthread_mutex_unlock(&t->lock);
        stop->kind = GDB_STOP_SIGNAL;
        stop->signal = GDB_SIGNAL_INT;
    } else if (t->script_next < t->script_len) {
        *stop = t->script[t->script_next++];
        for (int i = 0; stop->reason == GDB_REASON_SWBREAK && i < t->nbps; i++) {
            if (t->bps[i].type == GDB_BP_SOFTWARE) {
                memcpy(t->regs[GDB_REG_RIP], &t->bps[i].addr, 8); /* "ran" to it */
                break;
            }
        }
    } else {
        *stop = t->next_stop;
    }
    t->current = *stop;
    return t->resume_rc;
}

static void fake_interrupt(void *ctx)
{
    struct fake_target *t = fake_of(ctx);
    pthread_mutex_lock(&t->lock);
    t->interrupts++;
    t->interrupt_pending = 1;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

static void fake_stop_status(void *ctx, struct gdb_stop *stop)
{
    *stop = fake_of(ctx)->current;
}

static int fake_monitor(void *ctx, const char *command, FILE *out)
{
    struct fake_target *t = fake_of(ctx);
    snprintf(t->last_monitor, sizeof(t->last_monitor), "%s", command);
    if (t->monitor_output)
        fputs(t->monitor_output, out);
    else
        fprintf(out, "ran: %s\n", command);
    return t->monitor_rc;
}

static void fake_session_end(void *ctx, enum gdb_session_end how)
{
    struct fake_target *t = fake_of(ctx);
    t->session_end_calls++;
    t->session_end_how = how;
}

static bool fake_can_reverse(void *ctx)
{
    return fake_of(ctx)->reverse;
}

static const struct gdb_target_ops fake_ops = {
    .read_reg = fake_read_reg,
    .write_reg = fake_write_reg,
    .read_mem = fake_read_mem,
    .write_mem = fake_write_mem,
    .insert_bp = fake_insert_bp,
    .remove_bp = fake_remove_bp,
    .resume = fake_resume,
    .interrupt = fake_interrupt,
    .stop_status = fake_stop_status,
    .monitor = fake_monitor,
    .session_end = fake_session_end,
    .can_reverse = fake_can_reverse,
};

/* A fake target with recognisable register values (register r's byte i is r * 16 + i)
 * and memory (byte at FAKE_MEM_BASE + i is i & 0xff), stopped with SIGTRAP. */
HELPER struct fake_target *fake_new(void)
{
    struct fake_target *t = calloc(1, sizeof(*t));
    for (unsigned r = 0; r < GDB_REG_COUNT; r++)
        for (unsigned i = 0; i < 16; i++)
            t->regs[r][i] = (uint8_t)(r * 16 + i);
    uint64_t rip = FAKE_MEM_BASE + 0x100;
    memcpy(t->regs[GDB_REG_RIP], &rip, 8);
    for (size_t i = 0; i < FAKE_MEM_SIZE; i++)
        t->mem[i] = (uint8_t)i;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    t->current.kind = GDB_STOP_SIGNAL;
    t->current.signal = GDB_SIGNAL_TRAP;
    t->next_stop.kind = GDB_STOP_SIGNAL;
    t->next_stop.signal = GDB_SIGNAL_TRAP;
    t->next_stop.reason = GDB_REASON_SWBREAK;
    return t;
}

/* ---------------------------------------------------------------- the client ("gdb") */

struct client {
    int fd;
    int server_fd;
    pthread_t server;
    struct fake_target *t;
    enum gdb_session_end result;
    bool served; /* the server thread returned */
    bool no_ack;
    char buf[0x50000];
    size_t len;   /* of the last packet read, in buf */
    int rle_runs; /* run lengths seen in replies */
    size_t wire;  /* bytes received from the stub, all told */
    uint8_t in[0x10000];
    size_t in_start, in_end; /* received, not yet consumed */
};

static void *client_server_main(void *arg)
{
    struct client *c = arg;
    c->result = gdbstub_serve(c->server_fd, &fake_ops, c->t);
    close(c->server_fd);
    __atomic_store_n(&c->served, true, __ATOMIC_RELEASE);
    return NULL;
}

HELPER struct client *client_start(struct fake_target *t)
{
    struct client *c = calloc(1, sizeof(*c));
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        perror("socketpair");
        exit(2);
    }
    c->fd = sv[0];
    c->server_fd = sv[1];
    c->t = t;
    pthread_create(&c->server, NULL, client_server_main, c);
    return c;
}

/* Waits up to CLIENT_TIMEOUT_MS for the session to end; true when it did. */
HELPER bool client_wait_end(struct client *c)
{
    for (int i = 0; i < CLIENT_TIMEOUT_MS; i++) {
        if (__atomic_load_n(&c->served, __ATOMIC_ACQUIRE)) {
            pthread_join(c->server, NULL);
            return true;
        }
        usleep(1000);
    }
    return false;
}

/* Closes gdb's end and waits for the session to end. */
HELPER bool client_close(struct client *c)
{
    close(c->fd);
    c->fd = -1;
    return client_wait_end(c);
}

HELPER void client_free(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

HELPER bool client_write(struct client *c, const void *p, size_t n)
{
    const char *b = p;
    while (n > 0) {
        ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* Sends $payload#cs (payload of n bytes, sent as is). */
HELPER bool client_send_n(struct client *c, const void *payload, size_t n)
{
    char *frame = malloc(n + 5); /* with room for snprintf's NUL */
    const uint8_t *p = payload;
    uint8_t sum = 0;
    frame[0] = '$';
    memcpy(frame + 1, p, n);
    for (size_t i = 0; i < n; i++)
        sum += p[i];
    snprintf(frame + 1 + n, 4, "#%02x", sum);
    bool ok = client_write(c, frame, n + 4);
    free(frame);
    return ok;
}

HELPER bool client_send(struct client *c, const char *payload)
{
    return client_send_n(c, payload, strlen(payload));
}

/* One byte from the stub, or -1 after CLIENT_TIMEOUT_MS or at end of stream. */
HELPER int client_getc(struct client *c)
{
    if (c->in_start == c->in_end) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, CLIENT_TIMEOUT_MS) <= 0)
            return -1;
        ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);
        if (n <= 0)
            return -1;
        c->in_start = 0;
        c->in_end = (size_t)n;
    }
    c->wire++;
    return c->in[c->in_start++];
}

/* True when the stub has sent nothing within ms milliseconds. */
HELPER bool client_quiet(struct client *c, int ms)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    return c->in_start == c->in_end && poll(&p, 1, ms) == 0;
}

/*
 * Reads the next packet into c->buf (NUL-terminated, c->len bytes), skipping the stub's
 * acks, expanding run lengths, checking the checksum, and acking it in ack mode. Returns c->buf, or
 * NULL on timeout, end of stream or a bad packet.
 */
HELPER const char *client_recv(struct client *c)
{
    int ch;
    do {
        if ((ch = client_getc(c)) < 0)
            return NULL;
    } while (ch != '$');
    size_t n = 0;
    uint8_t sum = 0;
    while ((ch = client_getc(c)) != '#') {
        if (ch < 0 || n + 1 >= sizeof(c->buf))
            return NULL;
        sum += (uint8_t)ch;
        if (ch == '*') {
            /* Run length, as gdb's reader expands it: the previous character again. */
            int count = client_getc(c);
            if (count < 32 || n == 0 || n + (size_t)(count - 29) + 1 >= sizeof(c->buf))
                return NULL;
            sum += (uint8_t)count;
            memset(c->buf + n, c->buf[n - 1], (size_t)(count - 29));
            n += (size_t)(count - 29);
            c->rle_runs++;
            continue;
        }
        c->buf[n++] = (char)ch;
    }
    c->buf[n] = '\0';
    c->len = n;
    char cs[3] = {0};
    for (int i = 0; i < 2; i++)
        if ((ch = client_getc(c)) < 0)
            return NULL;
        else
            cs[i] = (char)ch;
    if (strtoul(cs, NULL, 16) != sum) {
        fprintf(stderr, "client: bad checksum from stub\n");
        return NULL;
    }
    if (!c->no_ack)
        client_write(c, "+", 1);
    return c->buf;
}

/* Sends payload, expects the stub's '+' in ack mode, and returns the reply packet. */
HELPER const char *client_cmd(struct client *c, const char *payload)
{
    if (!client_send(c, payload))
        return NULL;
    if (!c->no_ack && client_getc(c) != '+')
        return NULL;
    return client_recv(c);
}

/* True when payload gets exactly the reply expected. */
HELPER bool client_expect(struct client *c, const char *payload, const char *expected)
{
    const char *r = client_cmd(c, payload);
    if (!r || strcmp(r, expected) != 0) {
        fprintf(stderr, "client: %s -> \"%.200s\", expected \"%s\"\n", payload, r ? r : "(none)",
                expected);
        return false;
    }
    return true;
}

/* A client already in no-ack mode, as gdb leaves things after connecting. */
HELPER struct client *client_start_noack(struct fake_target *t)
{
    struct client *c = client_start(t);
    if (!client_expect(c, "QStartNoAckMode", "OK"))
        fprintf(stderr, "client: no-ack negotiation failed\n");
    c->no_ack = true;
    return c;
}

/* Hex of a NUL-terminated string, into out (2 * strlen + 1 bytes). */
HELPER char *to_hex(const char *s, char *out)
{
    for (size_t i = 0; s[i]; i++)
        sprintf(out + 2 * i, "%02x", (unsigned char)s[i]);
    out[2 * strlen(s)] = '\0';
    return out;
}

/* Decodes hex into out; returns the byte count, or -1. */
HELPER long from_hex(const char *hex, void *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap)
        return -1;
    uint8_t *o = out;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        o[i] = (uint8_t)v;
    }
    return (long)(n / 2);
}

/* ---------------------------------------------------------------- checks */

/* Ends the session by closing gdb's side; checks it ended once, as a disconnect. */
#define CHECK_DISCONNECT(c, t)                                  \
    do {                                                        \
        CHECK(client_close(c));                                 \
        CHECK_EQ_U64((c)->result, GDB_END_DISCONNECT);          \
        CHECK_EQ_U64((t)->session_end_calls, 1);                \
        CHECK_EQ_U64((t)->session_end_how, GDB_END_DISCONNECT); \
        client_free(c);                                         \
        free(t);                                                \
    } while (0)

HELPER int hexval(char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

HELPER const char *reg_hex(struct fake_target *t, unsigned regno, char *out)
{
    for (size_t i = 0; i < gdb_reg_size(regno); i++)
        sprintf(out + 2 * i, "%02x", t->regs[regno][i]);
    return out;
}

/* The hex of 8 little-endian bytes. */
HELPER char *le64_hex(uint64_t v, char *out)
{
    for (int i = 0; i < 8; i++)
        sprintf(out + 2 * i, "%02x", (unsigned)(v >> (8 * i)) & 0xff);
    return out;
}

#endif /* UKVM_TEST_GDBSTUB_FAKE_H */
