/*
 * rsp_packet.h: the framing layer of the remote serial protocol.
 *
 *   packet:   '$' data '#' c1 c2        c1c2 = sum of the data bytes mod 256, in hex
 *   data:     '}' x  stands for x ^ 0x20 (escapes '$', '#', '}' and '*' in binary data)
 *             x '*' n  repeats x (n - 29) more times (run-length encoding, on the
 *                      characters as sent; the stub encodes every reply this way)
 *   acks:     '+' (good) or '-' (bad, retransmit) after every packet, until
 *             QStartNoAckMode switches them off
 *   0x03:     Ctrl-C from gdb, outside any packet
 *
 * One rsp_conn per connection: its receive buffer is shared with the Ctrl-C watcher
 * (watcher.h), which reads the stream while the target runs; the two never touch it at
 * the same time. Replies are assembled whole in the transmit buffer and leave in one
 * write, because a separate send per piece costs far more than the piece (measured on
 * loopback: 600 bytes byte by byte, 630 us; in one send, 2 us).
 */
#ifndef UKVM_GDBSTUB_RSP_PACKET_H
#define UKVM_GDBSTUB_RSP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsp_transport.h"

/*
 * Every buffer and length limit of the stub derives from this one constant, so that no
 * two of them can disagree whatever it is set to. It is the PacketSize announced in
 * qSupported: the most data bytes (between '$' and '#') the stub accepts in one packet.
 * gdb also sizes its memory reads by it ('m' asks for up to half of it, so that the hex
 * reply fits), which makes it the main lever on `dump memory` throughput: 128 KiB packets
 * read 64 KiB per round trip. The fuzzer and one build of the gdb stub's unit tests use a
 * small one (0x400), so that inputs of modest size reach every limit.
 */
#ifndef RSP_PACKET_SIZE
#define RSP_PACKET_SIZE 0x20000
#endif
#if RSP_PACKET_SIZE < 0x100
#error "RSP_PACKET_SIZE below 256 bytes leaves no room for gdb's own packets"
#endif

/*
 * The largest reply payload the stub builds, and the size of its transmit buffer (plus
 * framing): the packet size, and never less than 4 KiB, which holds a 'g' reply (1200
 * characters) and the console packets whatever the packet size. gdb takes replies of any
 * length, so a reply may be longer than the PacketSize it was told.
 */
#define RSP_REPLY_MAX (RSP_PACKET_SIZE > 0x1000 ? RSP_PACKET_SIZE : 0x1000)

/* The most bytes one 'm' reads: its hex reply then fills the largest reply. */
#define RSP_MEM_READ_MAX (RSP_REPLY_MAX / 2)

/* The most bytes one 'M' writes: its hex data then fills a whole packet. ('X' data is
   used where it was decoded, so a packet bounds it.) */
#define RSP_MEM_WRITE_HEX_MAX (RSP_PACKET_SIZE / 2)

/* The most data bytes one reply carries after a one-letter prefix when each byte may take
   two characters (hex, or escaped binary): monitor output, target.xml windows. */
#define RSP_DOUBLED_REPLY_MAX ((RSP_REPLY_MAX - 1) / 2)

/* The session's scratch buffer for the data of 'm' and 'M' (session.h): the larger. */
#define RSP_MEM_SCRATCH_SIZE \
    (RSP_MEM_READ_MAX > RSP_MEM_WRITE_HEX_MAX ? RSP_MEM_READ_MAX : RSP_MEM_WRITE_HEX_MAX)

/* How often one reply is sent again when gdb answers '-' before the stub gives up on it. */
#define RSP_MAX_RETRANSMIT 8

enum rsp_recv_status {
    RSP_RECV_OK,   /* a packet is in pkt/pkt_len (already acknowledged in ack mode) */
    RSP_RECV_BAD,  /* a packet arrived but cannot be used (too long, bad escape or run
                      length, or a bad checksum in no-ack mode): answer it with an error */
    RSP_RECV_GONE, /* the stream ended or failed */
};

struct rsp_conn {
    const struct rsp_transport *t;
    bool no_ack; /* after QStartNoAckMode */
    bool gone;   /* the stream ended or failed: nothing more can be sent or received */

    /* Bytes read from the stream and not yet consumed: rx[rx_start, rx_end). */
    uint8_t *rx;
    size_t rx_start, rx_end, rx_cap;

    uint8_t *raw;   /* the current packet's data as received (RSP_PACKET_SIZE) */
    uint8_t *pkt;   /* ... decoded (escapes and run lengths), NUL-terminated */
    size_t pkt_len; /* decoded length, without the NUL */

    char *tx;      /* the reply being built: '$' payload, room for '#' c1 c2 */
    size_t tx_len; /* bytes in tx, including the leading '$' */
    bool tx_overflow;
};

/* Sets up conn on transport t. Returns 0, or -1 when out of memory. */
int rsp_conn_init(struct rsp_conn *conn, const struct rsp_transport *t);

/* Frees conn's buffers (the transport is the caller's). */
void rsp_conn_free(struct rsp_conn *conn);

/*
 * Waits for the next packet. Between packets it drops acks, Ctrl-C bytes and noise; a
 * '$' inside a packet starts the packet over (the earlier one was cut short); a bad
 * checksum is answered '-' in ack mode. Never stores more than RSP_PACKET_SIZE bytes.
 */
enum rsp_recv_status rsp_recv_packet(struct rsp_conn *conn);

/*
 * Consumes acks and Ctrl-C bytes already received after the current packet (nothing is
 * read from the stream). True if a Ctrl-C was among them: gdb interrupted a resume
 * before the stub started it.
 */
bool rsp_take_pending_interrupt(struct rsp_conn *conn);

/*
 * For the Ctrl-C watcher, when poll says the stream is readable: reads once, appending to
 * the receive buffer (bytes that do not fit are dropped: in all-stop mode gdb sends
 * nothing but Ctrl-C while the target runs). Returns the count read, 0 at end of stream,
 * -1 on failure; *interrupt is set when a Ctrl-C byte was among the bytes.
 */
ssize_t rsp_watch_read(struct rsp_conn *conn, bool *interrupt);

/* Starts a new reply. */
void rsp_reply_begin(struct rsp_conn *conn);

/* Appends raw payload bytes (they must not need escaping). */
void rsp_put_bytes(struct rsp_conn *conn, const void *p, size_t n);

/* Appends a NUL-terminated string (no '$', '#', '}' or '*'). */
void rsp_put_str(struct rsp_conn *conn, const char *s);

/* Appends n bytes as 2n lower-case hex digits. */
void rsp_put_hex(struct rsp_conn *conn, const void *p, size_t n);

/* Appends "xx" n times: the bytes of a register that cannot be read. */
void rsp_put_unavailable(struct rsp_conn *conn, size_t n);

/* Appends v as a hex number without leading zeros ("0" for zero). */
void rsp_put_hex_u64(struct rsp_conn *conn, uint64_t v);

/* Appends binary bytes, escaping '$', '#', '}' and '*'. */
void rsp_put_binary(struct rsp_conn *conn, const void *p, size_t n);

/* The payload bytes still free in the reply being built. */
size_t rsp_reply_room(const struct rsp_conn *conn);

/*
 * Run-length encodes, frames and sends the reply in one write; in ack mode waits for gdb's '+',
 * sending it again on '-' (at most RSP_MAX_RETRANSMIT times). A reply that overflowed the buffer (a
 * stub bug) goes out as "E01" instead of truncated. Returns 0, or -1 when the stream is gone.
 */
int rsp_reply_send(struct rsp_conn *conn);

/* Builds and sends a whole reply from a string ("OK", "E01", "" ...). */
int rsp_send_str(struct rsp_conn *conn, const char *s);

#endif /* UKVM_GDBSTUB_RSP_PACKET_H */
