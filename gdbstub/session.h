/*
 * session.h: the state of one gdb connection, and the packet handlers that share it.
 *
 * Everything per-connection lives here (no-ack mode, gdb's features, the receive
 * buffer), created by gdbstub_serve_transport() and dropped when it returns, so the next
 * connection starts clean. Each handler serves one packet kind (as kgdb's do): it parses
 * s->conn.pkt, calls the target, and sends exactly one reply, or none for 'k'.
 *
 * Error replies:
 *   E01  malformed packet: bad syntax, non-hex digit, wrong length, over a size limit
 *   E02  no such register, or the target could not write it
 *   E03  memory not accessible (or an address range that wraps around)
 *   E04  the target refused: breakpoint not inserted, resume failed
 * An empty reply means "not supported", as the protocol defines it.
 */
#ifndef UKVM_GDBSTUB_SESSION_H
#define UKVM_GDBSTUB_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "gdb_target.h"
#include "rsp_packet.h"

#define GDB_ERR_MALFORMED "E01"
#define GDB_ERR_REGISTER  "E02"
#define GDB_ERR_MEMORY    "E03"
#define GDB_ERR_TARGET    "E04"

/* The thread id of the one vCPU, in thread queries and stop replies. */
#define GDB_THREAD_ID 1

struct gdb_watcher;

struct gdb_session {
    struct rsp_conn conn;
    const struct gdb_target_ops *ops;
    void *ctx;
    struct gdb_watcher *watcher; /* NULL without a poll_fd: no Ctrl-C while running */

    /* gdb announced these stop reasons in qSupported: only then may replies carry them. */
    bool gdb_swbreak;
    bool gdb_hwbreak;

    uint8_t *mem;     /* scratch for m and M: RSP_MEM_SCRATCH_SIZE bytes */
    char *target_xml; /* built at the first qXfer read */
    size_t target_xml_len;

    bool ending; /* set by a handler: the session is over, with end_how */
    enum gdb_session_end end_how;
};

/*
 * Marks the session over (session.c); the serve loop calls session_end(how) once and
 * returns.
 */
void session_finish(struct gdb_session *s, enum gdb_session_end how);

/* Registers: g, G, p, P (handlers_regs.c). */
void handle_read_all_regs(struct gdb_session *s);
void handle_write_all_regs(struct gdb_session *s);
void handle_read_reg(struct gdb_session *s);
void handle_write_reg(struct gdb_session *s);

/* Memory: m, M, X (handlers_mem.c). */
void handle_read_mem(struct gdb_session *s);
void handle_write_mem_hex(struct gdb_session *s);
void handle_write_mem_binary(struct gdb_session *s);

/* Queries and settings: q..., Q..., H, T (handlers_query.c). */
void handle_query(struct gdb_session *s);
void handle_set(struct gdb_session *s);
void handle_set_thread(struct gdb_session *s);
void handle_thread_alive(struct gdb_session *s);

/* Run control: ?, c, s, C, S, vCont, D, k, v... (handlers_run.c). */
void handle_stop_status(struct gdb_session *s);
void handle_continue(struct gdb_session *s);
void handle_step(struct gdb_session *s);
void handle_continue_signal(struct gdb_session *s);
void handle_step_signal(struct gdb_session *s);
void handle_v_packet(struct gdb_session *s);
void handle_detach(struct gdb_session *s);
void handle_reverse(struct gdb_session *s);
void handle_kill(struct gdb_session *s);

/* Breakpoints and watchpoints: Z, z (handlers_bp.c). */
void handle_insert_bp(struct gdb_session *s);
void handle_remove_bp(struct gdb_session *s);

#endif /* UKVM_GDBSTUB_SESSION_H */
