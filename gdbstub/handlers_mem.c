/*
 * handlers_mem.c: the memory packets m (read), M (write, hex) and X (write, binary).
 *
 * Addresses are guest-virtual; the target translates them. Lengths are checked against
 * the stub's buffers before anything is read or written, and a range that would wrap
 * past the top of the address space is refused rather than passed on.
 */
#include <string.h>

#include "rsp_parse.h"
#include "session.h"

_Static_assert(RSP_MEM_READ_MAX <= RSP_MEM_SCRATCH_SIZE, "an 'm' read overruns the scratch");
_Static_assert(RSP_MEM_WRITE_HEX_MAX <= RSP_MEM_SCRATCH_SIZE, "an 'M' write overruns the scratch");
_Static_assert(RSP_MEM_READ_MAX <= RSP_REPLY_MAX / 2, "an 'm' reply overruns the reply buffer");

/* Parses "ADDR,LEN" after the packet letter; false if malformed. */
static bool take_range(struct rsp_cursor *cur, uint64_t *addr, uint64_t *len)
{
    return rsp_take_hex(cur, addr) && rsp_take_char(cur, ',') && rsp_take_hex(cur, len);
}

/* True when [addr, addr + len) does not wrap around. */
static bool range_fits(uint64_t addr, uint64_t len)
{
    return len == 0 || addr <= UINT64_MAX - (len - 1);
}

void handle_read_mem(struct gdb_session *s)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    uint64_t addr, len;
    if (!take_range(&cur, &addr, &len) || !rsp_at_end(&cur) || len > RSP_MEM_READ_MAX) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    if (!range_fits(addr, len)) {
        rsp_send_str(&s->conn, GDB_ERR_MEMORY);
        return;
    }
    long n = len ? s->ops->read_mem(s->ctx, addr, s->mem, (size_t)len) : 0;
    if (len && n <= 0) {
        rsp_send_str(&s->conn, GDB_ERR_MEMORY);
        return;
    }
    if ((uint64_t)n > len)
        n = (long)len; /* a target that claims more than asked is not believed */
    /* A short read is a valid reply: gdb asks again for the rest and gets the error. */
    rsp_reply_begin(&s->conn);
    rsp_put_hex(&s->conn, s->mem, (size_t)n);
    rsp_reply_send(&s->conn);
}

static void write_mem(struct gdb_session *s, uint64_t addr, const void *data, size_t len)
{
    if (!range_fits(addr, len)) {
        rsp_send_str(&s->conn, GDB_ERR_MEMORY);
        return;
    }
    if (len && s->ops->write_mem(s->ctx, addr, data, len) != 0) {
        rsp_send_str(&s->conn, GDB_ERR_MEMORY);
        return;
    }
    rsp_send_str(&s->conn, "OK");
}

void handle_write_mem_hex(struct gdb_session *s)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    uint64_t addr, len;
    if (!take_range(&cur, &addr, &len) || !rsp_take_char(&cur, ':') ||
        len > RSP_MEM_WRITE_HEX_MAX || rsp_left(&cur) != 2 * len ||
        !rsp_take_hex_bytes(&cur, s->mem, (size_t)len)) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    write_mem(s, addr, s->mem, (size_t)len);
}

/*
 * 'X': the data is binary, already unescaped by the packet layer, and must be exactly
 * LEN bytes. gdb probes for X support with a zero-length write ("X ADDR,0:"), which
 * succeeds without touching the target.
 */
void handle_write_mem_binary(struct gdb_session *s)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    uint64_t addr, len;
    if (!take_range(&cur, &addr, &len) || !rsp_take_char(&cur, ':') || rsp_left(&cur) != len) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    write_mem(s, addr, cur.p, (size_t)len);
}
