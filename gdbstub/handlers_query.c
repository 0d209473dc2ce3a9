/*
 * handlers_query.c: general queries (q...), settings (Q...), and the thread packets H and
 * T, for a target with exactly one thread (the vCPU), thread id 1.
 *
 * Queries the stub does not implement (qTStatus, qOffsets, qSymbol, ...) get the empty
 * reply, which tells gdb "not supported" and makes it fall back or stop asking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp_parse.h"
#include "session.h"
#include "target_xml.h"

/* Text bytes per 'O' packet of monitor output (each is sent as two hex digits). */
#define MONITOR_CHUNK (RSP_DOUBLED_REPLY_MAX < 1024 ? RSP_DOUBLED_REPLY_MAX : 1024)

/* The longest monitor command line accepted (a packet may bound it further). */
#define MONITOR_CMD_MAX 4096

/* True when thread id tid names the vCPU (or all/any threads, which is the vCPU). */
static bool is_our_thread(int64_t tid, bool allow_any)
{
    return tid == GDB_THREAD_ID || tid == -1 || (allow_any && tid == 0);
}

/*
 * qSupported[:gdb's features]: notes which stop reasons gdb understands and answers with
 * the stub's own features.
 */
static void query_supported(struct gdb_session *s, struct rsp_cursor *cur)
{
    if (rsp_take_char(cur, ':')) {
        while (!rsp_at_end(cur)) {
            const char *semi = memchr(cur->p, ';', rsp_left(cur));
            const char *end = semi ? semi : cur->end;
            size_t n = (size_t)(end - cur->p);
            if (n == 8 && memcmp(cur->p, "swbreak+", 8) == 0)
                s->gdb_swbreak = true;
            else if (n == 8 && memcmp(cur->p, "hwbreak+", 8) == 0)
                s->gdb_hwbreak = true;
            cur->p = semi ? semi + 1 : end;
        }
    }
    char reply[200];
    bool reverse = s->ops->can_reverse && s->ops->can_reverse(s->ctx);
    snprintf(reply, sizeof(reply),
             "PacketSize=%x;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+;"
             "qXfer:features:read+%s",
             RSP_PACKET_SIZE, reverse ? ";ReverseStep+;ReverseContinue+" : "");
    rsp_send_str(&s->conn, reply);
}

/*
 * qXfer:features:read:ANNEX:OFFSET,LENGTH: a window of target.xml, 'm' + data while more
 * follows, 'l' + data for the last part.
 */
static void query_xfer_features(struct gdb_session *s, struct rsp_cursor *cur)
{
    uint64_t offset, len;
    if (!rsp_take_prefix(cur, "target.xml:")) {
        rsp_send_str(&s->conn, "E00"); /* the protocol's code for an unknown annex */
        return;
    }
    if (!rsp_take_hex(cur, &offset) || !rsp_take_char(cur, ',') || !rsp_take_hex(cur, &len) ||
        !rsp_at_end(cur)) {
        rsp_send_str(&s->conn, "E00");
        return;
    }
    if (!s->target_xml) {
        s->target_xml = target_xml_build(&s->target_xml_len);
        if (!s->target_xml) {
            rsp_send_str(&s->conn, GDB_ERR_TARGET);
            return;
        }
    }
    size_t size = s->target_xml_len;
    if (offset >= size) {
        rsp_send_str(&s->conn, "l");
        return;
    }
    /* Escaping can double the data: keep the worst case inside one reply. */
    size_t room = RSP_DOUBLED_REPLY_MAX;
    size_t n = size - (size_t)offset;
    if (n > len)
        n = (size_t)len;
    if (n > room)
        n = room;
    rsp_reply_begin(&s->conn);
    rsp_put_str(&s->conn, offset + n < size ? "m" : "l");
    rsp_put_binary(&s->conn, s->target_xml + offset, n);
    rsp_reply_send(&s->conn);
}

/*
 * qRcmd,HEX (gdb's `monitor CMD`): runs the command, sends its output as 'O' packets,
 * then "OK", or "E01" when the command failed (its message is in the output).
 */
static void query_monitor(struct gdb_session *s, struct rsp_cursor *cur)
{
    size_t hexlen = rsp_left(cur);
    char cmd[MONITOR_CMD_MAX + 1];
    if (!s->ops->monitor) {
        rsp_send_str(&s->conn, "");
        return;
    }
    if (hexlen % 2 || hexlen / 2 > MONITOR_CMD_MAX || !rsp_take_hex_bytes(cur, cmd, hexlen / 2) ||
        memchr(cmd, '\0', hexlen / 2)) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    cmd[hexlen / 2] = '\0';

    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    if (!f) {
        rsp_send_str(&s->conn, GDB_ERR_TARGET);
        return;
    }
    int rc = s->ops->monitor(s->ctx, cmd, f);
    if (fclose(f) != 0)
        outlen = 0;
    for (size_t off = 0; off < outlen && !s->conn.gone; off += MONITOR_CHUNK) {
        size_t n = outlen - off < MONITOR_CHUNK ? outlen - off : MONITOR_CHUNK;
        rsp_reply_begin(&s->conn);
        rsp_put_str(&s->conn, "O");
        rsp_put_hex(&s->conn, out + off, n);
        rsp_reply_send(&s->conn);
    }
    free(out);
    rsp_send_str(&s->conn, rc == 0 ? "OK" : GDB_ERR_MALFORMED);
}

/* qThreadExtraInfo,ID: a short description gdb shows in `info threads`. */
static void query_thread_extra(struct gdb_session *s, struct rsp_cursor *cur)
{
    int64_t tid;
    if (!rsp_take_thread_id(cur, &tid) || !rsp_at_end(cur) || tid != GDB_THREAD_ID) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    static const char text[] = "vCPU 0";
    rsp_reply_begin(&s->conn);
    rsp_put_hex(&s->conn, text, sizeof(text) - 1);
    rsp_reply_send(&s->conn);
}

void handle_query(struct gdb_session *s)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    if (rsp_take_prefix(&cur, "Supported"))
        query_supported(s, &cur);
    else if (rsp_take_prefix(&cur, "Xfer:features:read:"))
        query_xfer_features(s, &cur);
    else if (rsp_take_prefix(&cur, "Rcmd,"))
        query_monitor(s, &cur);
    else if (rsp_take_prefix(&cur, "ThreadExtraInfo,"))
        query_thread_extra(s, &cur);
    else if (rsp_rest_is(&cur, "Attached") || rsp_take_prefix(&cur, "Attached:"))
        rsp_send_str(&s->conn, "1"); /* gdb attached to a running program: detach on quit */
    else if (rsp_rest_is(&cur, "C"))
        rsp_send_str(&s->conn, "QC1");
    else if (rsp_rest_is(&cur, "fThreadInfo"))
        rsp_send_str(&s->conn, "m1");
    else if (rsp_rest_is(&cur, "sThreadInfo"))
        rsp_send_str(&s->conn, "l");
    else
        rsp_send_str(&s->conn, "");
}

void handle_set(struct gdb_session *s)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    if (rsp_rest_is(&cur, "StartNoAckMode")) {
        /*
         * gdb still acks the OK; the stub does not wait for that '+' (the reader drops
         * it like any ack between packets).
         */
        rsp_reply_begin(&s->conn);
        rsp_put_str(&s->conn, "OK");
        s->conn.no_ack = true;
        rsp_reply_send(&s->conn);
        return;
    }
    rsp_send_str(&s->conn, "");
}

/* H OP THREAD: selects the thread for later operations; only the vCPU can be selected. */
void handle_set_thread(struct gdb_session *s)
{
    /* The operation letter (g, c, ...) does not matter: there is one thread for all. */
    struct rsp_cursor cur =
        rsp_cursor(s->conn.pkt + 2, s->conn.pkt_len < 2 ? 0 : s->conn.pkt_len - 2);
    int64_t tid;
    if (s->conn.pkt_len < 2 || !rsp_take_thread_id(&cur, &tid) || !rsp_at_end(&cur) ||
        !is_our_thread(tid, true)) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    rsp_send_str(&s->conn, "OK");
}

/* T THREAD: is the thread alive? */
void handle_thread_alive(struct gdb_session *s)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    int64_t tid;
    if (!rsp_take_thread_id(&cur, &tid) || !rsp_at_end(&cur) || tid != GDB_THREAD_ID) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    rsp_send_str(&s->conn, "OK");
}
