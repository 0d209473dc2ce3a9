/*
 * handlers_bp.c: Z and z, inserting and removing breakpoints and watchpoints.
 *
 *   Z TYPE,ADDR,KIND[;cond...]     TYPE 0 software, 1 hardware breakpoint,
 *   z TYPE,ADDR,KIND                    2 write, 3 read, 4 access watchpoint
 *
 * KIND is the breakpoint's length in bytes (1 for an x86 int3) or the watched length.
 * Target-side conditions and commands follow a ';' only when a stub offers them, which
 * this one does not, so anything after ';' is ignored. The target answers 1 for a type
 * it cannot do at all, sent as the empty reply so that gdb stops asking.
 */
#include "rsp_parse.h"
#include "session.h"

static void breakpoint(struct gdb_session *s, bool insert)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    uint64_t type, addr, kind;
    if (!rsp_take_hex(&cur, &type) || !rsp_take_char(&cur, ',') || !rsp_take_hex(&cur, &addr) ||
        !rsp_take_char(&cur, ',') || !rsp_take_hex(&cur, &kind) ||
        (!rsp_at_end(&cur) && *cur.p != ';')) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    int (*op)(void *, enum gdb_bp_type, uint64_t, size_t) =
        insert ? s->ops->insert_bp : s->ops->remove_bp;
    if (type > GDB_WP_ACCESS || !op) {
        rsp_send_str(&s->conn, ""); /* a kind this stub does not know */
        return;
    }
    int rc = op(s->ctx, (enum gdb_bp_type)type, addr, (size_t)kind);
    rsp_send_str(&s->conn, rc == 0 ? "OK" : rc == 1 ? "" : GDB_ERR_TARGET);
}

void handle_insert_bp(struct gdb_session *s)
{
    breakpoint(s, true);
}

void handle_remove_bp(struct gdb_session *s)
{
    breakpoint(s, false);
}
