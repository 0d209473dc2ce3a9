/*
 * handlers_regs.c: the register packets g, G, p and P.
 *
 * Register numbers and layout are enum gdb_regno's (gdb_target.h): the 'g' reply is every
 * register in that order, little-endian, as hex; a register the target cannot read is
 * sent as "xx" per byte, which gdb shows as <unavailable>.
 */
#include <string.h>

#include "gdb_regs.h"
#include "rsp_parse.h"
#include "session.h"

/* Big enough for the largest register (xmm, 16 bytes). */
#define REG_BUF_SIZE 16

static struct rsp_cursor packet_args(struct gdb_session *s)
{
    /* Skips the packet letter. */
    return rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
}

static void put_reg(struct gdb_session *s, unsigned regno)
{
    uint8_t buf[REG_BUF_SIZE];
    size_t size = gdb_reg_size(regno);
    if (s->ops->read_reg(s->ctx, regno, buf) == 0)
        rsp_put_hex(&s->conn, buf, size);
    else
        rsp_put_unavailable(&s->conn, size);
}

void handle_read_all_regs(struct gdb_session *s)
{
    rsp_reply_begin(&s->conn);
    for (unsigned r = 0; r < GDB_REG_COUNT; r++)
        put_reg(s, r);
    rsp_reply_send(&s->conn);
}

/* True when hex is n bytes of "xx": gdb sending back a value it never had. */
static bool all_unavailable(const char *hex, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        if (hex[i] != 'x')
            return false;
    return true;
}

/*
 * 'G': every register at once. The whole packet is checked before anything is written,
 * so a malformed one changes nothing; then only registers whose value differs are
 * written, which spares the target the registers it cannot set (and gdb, which rewrites
 * them all when one changes, an error for an unchanged one).
 */
void handle_write_all_regs(struct gdb_session *s)
{
    uint8_t values[GDB_REG_COUNT][REG_BUF_SIZE];
    bool skip[GDB_REG_COUNT];
    struct rsp_cursor cur = packet_args(s);
    if (rsp_left(&cur) != 2 * gdb_regs_total_size()) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    for (unsigned r = 0; r < GDB_REG_COUNT; r++) {
        size_t size = gdb_reg_size(r);
        skip[r] = all_unavailable(cur.p, size);
        if (skip[r])
            cur.p += 2 * size;
        else if (!rsp_take_hex_bytes(&cur, values[r], size)) {
            rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
            return;
        }
    }
    for (unsigned r = 0; r < GDB_REG_COUNT; r++) {
        uint8_t now[REG_BUF_SIZE];
        size_t size = gdb_reg_size(r);
        if (skip[r])
            continue;
        if (s->ops->read_reg(s->ctx, r, now) == 0 && memcmp(now, values[r], size) == 0)
            continue;
        if (s->ops->write_reg(s->ctx, r, values[r]) != 0) {
            rsp_send_str(&s->conn, GDB_ERR_REGISTER);
            return;
        }
    }
    rsp_send_str(&s->conn, "OK");
}

/* Parses the register number of 'p'/'P'; false if it is not a valid one. */
static bool take_regno(struct rsp_cursor *cur, unsigned *regno)
{
    uint64_t n;
    if (!rsp_take_hex(cur, &n) || n >= GDB_REG_COUNT)
        return false;
    *regno = (unsigned)n;
    return true;
}

void handle_read_reg(struct gdb_session *s)
{
    struct rsp_cursor cur = packet_args(s);
    uint64_t n;
    if (!rsp_take_hex(&cur, &n) || !rsp_at_end(&cur)) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    if (n >= GDB_REG_COUNT) {
        rsp_send_str(&s->conn, GDB_ERR_REGISTER);
        return;
    }
    rsp_reply_begin(&s->conn);
    put_reg(s, (unsigned)n);
    rsp_reply_send(&s->conn);
}

void handle_write_reg(struct gdb_session *s)
{
    struct rsp_cursor cur = packet_args(s);
    struct rsp_cursor num = cur;
    uint64_t n;
    unsigned regno;
    uint8_t value[REG_BUF_SIZE];
    if (!rsp_take_hex(&num, &n) || !rsp_take_char(&num, '=')) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    if (!take_regno(&cur, &regno)) {
        rsp_send_str(&s->conn, GDB_ERR_REGISTER);
        return;
    }
    rsp_take_char(&cur, '=');
    size_t size = gdb_reg_size(regno);
    if (rsp_left(&cur) != 2 * size || !rsp_take_hex_bytes(&cur, value, size)) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    if (s->ops->write_reg(s->ctx, regno, value) != 0) {
        rsp_send_str(&s->conn, GDB_ERR_REGISTER);
        return;
    }
    rsp_send_str(&s->conn, "OK");
}
