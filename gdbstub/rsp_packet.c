/*
 * rsp_packet.c: receiving and sending remote-protocol packets (see rsp_packet.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rsp_packet.h"
#include "rsp_parse.h"

#define RSP_RX_SIZE 0x10000
#define CTRL_C      0x03

int rsp_conn_init(struct rsp_conn *conn, const struct rsp_transport *t)
{
    memset(conn, 0, sizeof(*conn));
    conn->t = t;
    conn->rx_cap = RSP_RX_SIZE;
    conn->rx = malloc(RSP_RX_SIZE);
    conn->raw = malloc(RSP_PACKET_SIZE);
    conn->pkt = malloc(RSP_PACKET_SIZE + 1);
    conn->tx = malloc(1 + RSP_REPLY_MAX + 3); /* '$' payload '#' c1 c2 */
    if (!conn->rx || !conn->raw || !conn->pkt || !conn->tx) {
        rsp_conn_free(conn);
        return -1;
    }
    conn->pkt[0] = '\0';
    return 0;
}

void rsp_conn_free(struct rsp_conn *conn)
{
    free(conn->rx);
    free(conn->raw);
    free(conn->pkt);
    free(conn->tx);
    conn->rx = conn->raw = conn->pkt = NULL;
    conn->tx = NULL;
}

/* Reads more of the stream into rx. Returns the count, or <= 0 (and marks gone). */
static ssize_t fill(struct rsp_conn *conn)
{
    if (conn->gone)
        return 0;
    if (conn->rx_start == conn->rx_end)
        conn->rx_start = conn->rx_end = 0;
    if (conn->rx_end == conn->rx_cap) {
        memmove(conn->rx, conn->rx + conn->rx_start, conn->rx_end - conn->rx_start);
        conn->rx_end -= conn->rx_start;
        conn->rx_start = 0;
    }
    ssize_t n = conn->t->read(conn->t->io, conn->rx + conn->rx_end, conn->rx_cap - conn->rx_end);
    if (n <= 0) {
        conn->gone = true;
        return n;
    }
    conn->rx_end += (size_t)n;
    return n;
}

/* The next byte of the stream, or -1 when it ended. */
static int next_byte(struct rsp_conn *conn)
{
    if (conn->rx_start == conn->rx_end && fill(conn) <= 0)
        return -1;
    return conn->rx[conn->rx_start++];
}

static int send_raw(struct rsp_conn *conn, const void *p, size_t n)
{
    if (conn->gone)
        return -1;
    if (conn->t->write(conn->t->io, p, n) < 0) {
        conn->gone = true;
        return -1;
    }
    return 0;
}

/*
 * Decodes raw[0, n) into pkt: first run lengths, on the characters as sent (gdb's own
 * reader does the same, so a '*' after an escape pair repeats the pair's second
 * character), then escapes. Returns false when the data is malformed ('*' with nothing
 * to repeat or a count out of range, '}' at the end) or would decode to more than
 * RSP_PACKET_SIZE bytes.
 */
static bool decode(struct rsp_conn *conn, size_t n)
{
    const uint8_t *in = conn->raw;
    uint8_t *out = conn->pkt;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '*') {
            /* Count characters are printable: 3 to 97 repeats (gdb never sends these). */
            if (++i == n || o == 0 || in[i] < 32 || in[i] > 126)
                return false;
            size_t repeat = in[i] - 29u;
            if (repeat > RSP_PACKET_SIZE - o)
                return false;
            memset(out + o, out[o - 1], repeat);
            o += repeat;
        } else {
            if (o == RSP_PACKET_SIZE)
                return false;
            out[o++] = in[i];
        }
    }
    /* Escapes, in place: the output never gets ahead of the input. */
    size_t w = 0;
    for (size_t r = 0; r < o; r++) {
        if (out[r] == '}') {
            if (++r == o)
                return false;
            out[w++] = out[r] ^ 0x20;
        } else {
            out[w++] = out[r];
        }
    }
    out[w] = '\0';
    conn->pkt_len = w;
    return true;
}

enum rsp_recv_status rsp_recv_packet(struct rsp_conn *conn)
{
    int c;
    conn->pkt_len = 0;
    conn->pkt[0] = '\0';
    for (;;) {
        /* Between packets: acks, Ctrl-C while stopped (nothing to interrupt) and noise. */
        do {
            if ((c = next_byte(conn)) < 0)
                return RSP_RECV_GONE;
        } while (c != '$');

    restart:;
        size_t n = 0;
        uint8_t sum = 0;
        bool too_long = false;
        while ((c = next_byte(conn)) != '#') {
            if (c < 0)
                return RSP_RECV_GONE;
            if (c == '$')
                goto restart; /* the packet so far was cut short: this one replaces it */
            sum += (uint8_t)c;
            if (n < RSP_PACKET_SIZE)
                conn->raw[n++] = (uint8_t)c;
            else
                too_long = true; /* keep reading up to '#', storing nothing */
        }
        int hi = next_byte(conn);
        int lo = hi < 0 ? -1 : next_byte(conn);
        if (lo < 0 && conn->gone)
            return RSP_RECV_GONE;
        int d1 = rsp_hex_digit(hi), d2 = rsp_hex_digit(lo);
        if (d1 < 0 || d2 < 0 || (uint8_t)(d1 << 4 | d2) != sum) {
            if (conn->no_ack)
                return RSP_RECV_BAD; /* gdb expects no '-' any more: answer with an error */
            if (send_raw(conn, "-", 1) < 0)
                return RSP_RECV_GONE;
            continue;
        }
        if (!conn->no_ack && send_raw(conn, "+", 1) < 0)
            return RSP_RECV_GONE;
        if (too_long || !decode(conn, n)) {
            conn->pkt_len = 0;
            conn->pkt[0] = '\0';
            return RSP_RECV_BAD;
        }
        return RSP_RECV_OK;
    }
}

bool rsp_take_pending_interrupt(struct rsp_conn *conn)
{
    bool interrupt = false;
    while (conn->rx_start < conn->rx_end) {
        uint8_t c = conn->rx[conn->rx_start];
        if (c == CTRL_C)
            interrupt = true;
        else if (c != '+' && c != '-')
            break;
        conn->rx_start++;
    }
    return interrupt;
}

ssize_t rsp_watch_read(struct rsp_conn *conn, bool *interrupt)
{
    uint8_t spill[256];
    uint8_t *dst;
    size_t room;
    *interrupt = false;
    if (conn->rx_start == conn->rx_end)
        conn->rx_start = conn->rx_end = 0;
    if (conn->rx_end == conn->rx_cap && conn->rx_start > 0) {
        memmove(conn->rx, conn->rx + conn->rx_start, conn->rx_end - conn->rx_start);
        conn->rx_end -= conn->rx_start;
        conn->rx_start = 0;
    }
    if (conn->rx_end < conn->rx_cap) {
        dst = conn->rx + conn->rx_end;
        room = conn->rx_cap - conn->rx_end;
    } else {
        dst = spill; /* full of bytes gdb should not have sent: look for Ctrl-C only */
        room = sizeof(spill);
    }
    ssize_t n = conn->t->read(conn->t->io, dst, room);
    if (n <= 0)
        return n;
    *interrupt = memchr(dst, CTRL_C, (size_t)n) != NULL;
    if (dst != spill)
        conn->rx_end += (size_t)n;
    return n;
}

void rsp_reply_begin(struct rsp_conn *conn)
{
    conn->tx[0] = '$';
    conn->tx_len = 1;
    conn->tx_overflow = false;
}

size_t rsp_reply_room(const struct rsp_conn *conn)
{
    return conn->tx_overflow ? 0 : 1 + RSP_REPLY_MAX - conn->tx_len;
}

/* Reserves n payload bytes; NULL (and the reply marked overflowed) if they do not fit. */
static char *reserve(struct rsp_conn *conn, size_t n)
{
    if (n > rsp_reply_room(conn)) {
        conn->tx_overflow = true;
        return NULL;
    }
    char *p = conn->tx + conn->tx_len;
    conn->tx_len += n;
    return p;
}

void rsp_put_bytes(struct rsp_conn *conn, const void *p, size_t n)
{
    char *dst = reserve(conn, n);
    if (dst)
        memcpy(dst, p, n);
}

void rsp_put_str(struct rsp_conn *conn, const char *s)
{
    rsp_put_bytes(conn, s, strlen(s));
}

/* "000102...ff": the two hex digits of every byte value, for memory replies. */
#define HEX_ROW(h) \
    h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "a" h "b" h "c" h "d" h "e" h "f"
static const char hex_pairs[] = HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4")
    HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b")
        HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");

void rsp_put_hex(struct rsp_conn *conn, const void *p, size_t n)
{
    if (n > RSP_REPLY_MAX / 2) {
        conn->tx_overflow = true;
        return;
    }
    char *dst = reserve(conn, 2 * n);
    if (!dst)
        return;
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        memcpy(dst + 2 * i, hex_pairs + 2 * b[i], 2);
}

void rsp_put_unavailable(struct rsp_conn *conn, size_t n)
{
    if (n > RSP_REPLY_MAX / 2) {
        conn->tx_overflow = true;
        return;
    }
    char *dst = reserve(conn, 2 * n);
    if (dst)
        memset(dst, 'x', 2 * n);
}

void rsp_put_hex_u64(struct rsp_conn *conn, uint64_t v)
{
    char digits[16];
    int n = 0;
    do {
        digits[15 - n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    rsp_put_bytes(conn, digits + 16 - n, (size_t)n);
}

void rsp_put_binary(struct rsp_conn *conn, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n && !conn->tx_overflow; i++) {
        uint8_t c = b[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            char esc[2] = {'}', (char)(c ^ 0x20)};
            rsp_put_bytes(conn, esc, 2);
        } else {
            rsp_put_bytes(conn, &c, 1);
        }
    }
}

/* Waits for gdb's verdict on the reply just sent: 1 good, 0 resend, -1 stream gone. */
static int wait_ack(struct rsp_conn *conn)
{
    for (;;) {
        int c = next_byte(conn);
        if (c < 0)
            return -1;
        if (c == '+')
            return 1;
        if (c == '-')
            return 0;
        if (c == '$') {
            /* gdb moved on to its next packet: take that as the ack, keep the packet. */
            conn->rx_start--;
            return 1;
        }
        /* Ctrl-C while stopped, or noise: nothing to do. */
    }
}

/*
 * Run-length encodes the payload tx[1, tx_len) in place: c followed by n more c (n >= 3)
 * becomes c '*' (n + 29), never longer than before. gdb decodes this in its packet
 * reader, before anything else, and its reader costs a hash lookup per character
 * received: on guest memory, mostly zeros, this makes `dump memory` several times
 * faster. Counts of 6 and 7 would give '#' and '$', which frame packets, so those runs
 * are cut to 5.
 */
static void run_length_encode(struct rsp_conn *conn)
{
    char *buf = conn->tx;
    size_t r = 1, w = 1, end = conn->tx_len;
    while (r < end) {
        char c = buf[r];
        size_t run = 1;
        /* Eight characters at a time: memory replies are long runs of '0'. */
        uint64_t same = 0x0101010101010101ULL * (uint8_t)c, word;
        while (r + run + 8 <= end && (memcpy(&word, buf + r + run, 8), word == same))
            run += 8;
        while (r + run < end && buf[r + run] == c)
            run++;
        r += run;
        buf[w++] = c;
        size_t more = run - 1;
        while (more >= 3) {
            size_t n = more < 97 ? more : 97;
            if (n == 6 || n == 7)
                n = 5;
            buf[w++] = '*';
            buf[w++] = (char)(n + 29);
            more -= n;
        }
        while (more--)
            buf[w++] = c;
    }
    conn->tx_len = w;
}

int rsp_reply_send(struct rsp_conn *conn)
{
    if (conn->tx_overflow) {
        rsp_reply_begin(conn);
        rsp_put_str(conn, "E01");
    }
    run_length_encode(conn);
    uint8_t sum = 0;
    for (size_t i = 1; i < conn->tx_len; i++)
        sum += (uint8_t)conn->tx[i];
    conn->tx[conn->tx_len] = '#';
    rsp_byte_to_hex(sum, conn->tx + conn->tx_len + 1);
    size_t total = conn->tx_len + 3;
    for (int attempt = 0;; attempt++) {
        if (send_raw(conn, conn->tx, total) < 0)
            return -1;
        if (conn->no_ack)
            return 0;
        int verdict = wait_ack(conn);
        if (verdict < 0)
            return -1;
        if (verdict > 0 || attempt == RSP_MAX_RETRANSMIT)
            return 0;
    }
}

int rsp_send_str(struct rsp_conn *conn, const char *s)
{
    rsp_reply_begin(conn);
    rsp_put_str(conn, s);
    return rsp_reply_send(conn);
}
