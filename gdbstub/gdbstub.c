/*
 * gdbstub.c: one gdb session: receive a packet, dispatch it to its handler, repeat.
 */
#include <stdlib.h>
#include <string.h>

#include "gdbstub.h"
#include "session.h"
#include "watcher.h"

/* Calls the handler for the packet in s->conn.pkt; each sends its own reply. */
static void dispatch(struct gdb_session *s)
{
    if (s->conn.pkt_len == 0) {
        rsp_send_str(&s->conn, ""); /* "$#00" */
        return;
    }
    switch (s->conn.pkt[0]) {
    case 'g':
        if (s->conn.pkt_len == 1)
            handle_read_all_regs(s);
        else
            rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        break;
    case 'G':
        handle_write_all_regs(s);
        break;
    case 'p':
        handle_read_reg(s);
        break;
    case 'P':
        handle_write_reg(s);
        break;
    case 'm':
        handle_read_mem(s);
        break;
    case 'M':
        handle_write_mem_hex(s);
        break;
    case 'X':
        handle_write_mem_binary(s);
        break;
    case 'c':
        handle_continue(s);
        break;
    case 's':
        handle_step(s);
        break;
    case 'C':
        handle_continue_signal(s);
        break;
    case 'S':
        handle_step_signal(s);
        break;
    case 'v':
        handle_v_packet(s);
        break;
    case 'Z':
        handle_insert_bp(s);
        break;
    case 'z':
        handle_remove_bp(s);
        break;
    case '?':
        handle_stop_status(s);
        break;
    case 'q':
        handle_query(s);
        break;
    case 'Q':
        handle_set(s);
        break;
    case 'H':
        handle_set_thread(s);
        break;
    case 'T':
        handle_thread_alive(s);
        break;
    case 'b':
        handle_reverse(s);
        break;
    case 'D':
        handle_detach(s);
        break;
    case 'k':
        handle_kill(s);
        break;
    default:
        rsp_send_str(&s->conn, "");
        break;
    }
}

enum gdb_session_end gdbstub_serve_transport(const struct rsp_transport *t,
                                             const struct gdb_target_ops *ops, void *ctx)
{
    struct gdb_session *s = calloc(1, sizeof(*s));
    if (!s || rsp_conn_init(&s->conn, t) < 0 || !(s->mem = malloc(RSP_MEM_SCRATCH_SIZE))) {
        /* Nothing was served; the target still hears that the session is over. */
        if (s)
            rsp_conn_free(&s->conn);
        free(s);
        ops->session_end(ctx, GDB_END_DISCONNECT);
        return GDB_END_DISCONNECT;
    }
    s->ops = ops;
    s->ctx = ctx;
    if (t->poll_fd >= 0)
        s->watcher = watcher_create(&s->conn, ops, ctx); /* NULL: serve without Ctrl-C */

    while (!s->ending) {
        switch (rsp_recv_packet(&s->conn)) {
        case RSP_RECV_OK:
            dispatch(s);
            break;
        case RSP_RECV_BAD:
            rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
            break;
        case RSP_RECV_GONE:
            break;
        }
        if (s->conn.gone)
            session_finish(s, GDB_END_DISCONNECT);
    }

    enum gdb_session_end how = s->end_how;
    watcher_destroy(s->watcher);
    ops->session_end(ctx, how);
    rsp_conn_free(&s->conn);
    free(s->mem);
    free(s->target_xml);
    free(s);
    return how;
}

const char *gdbstub_end_name(enum gdb_session_end how)
{
    switch (how) {
    case GDB_END_DISCONNECT:
        return "disconnect";
    case GDB_END_DETACH:
        return "detach";
    case GDB_END_KILL:
        return "kill";
    case GDB_END_TARGET_GONE:
        return "target gone";
    }
    return "?";
}
