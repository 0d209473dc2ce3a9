/*
 * handlers_run.c: run control (?, c, s, C, S, vCont, bc, bs), the v packets, D and k, and
 * the stop replies they produce.
 *
 *   T AA [reason] [replaylog:begin;] 06:rbp;07:rsp;10:rip; thread:1;
 *                                                    stopped with gdb signal AA
 *   W AA                                             exited with status AA
 *   X AA                                             ended by signal AA
 *
 * rbp, rsp and rip travel in the stop reply so that gdb can show where the target
 * stopped without asking for registers: about a quarter more steps per second
 * (measured with gdb 13). After W or X the target is gone and so is the session.
 */
#include <string.h>

#include "gdb_regs.h"
#include "rsp_parse.h"
#include "session.h"
#include "watcher.h"

/* Text bytes per 'O' packet (each is sent as two hex digits). */
#define CONSOLE_CHUNK 1024

/*
 * Sends text to gdb's console as 'O' packets, with a final newline (allowed only while
 * gdb waits for a stop reply).
 */
static void send_console(struct gdb_session *s, const char *text)
{
    size_t n = strlen(text);
    for (size_t off = 0; off < n && !s->conn.gone; off += CONSOLE_CHUNK) {
        size_t len = n - off < CONSOLE_CHUNK ? n - off : CONSOLE_CHUNK;
        rsp_reply_begin(&s->conn);
        rsp_put_str(&s->conn, "O");
        rsp_put_hex(&s->conn, text + off, len);
        if (off + len == n && text[n - 1] != '\n')
            rsp_put_hex(&s->conn, "\n", 1);
        rsp_reply_send(&s->conn);
    }
}

static void put_u8(struct gdb_session *s, int v)
{
    char hex[2];
    rsp_byte_to_hex((uint8_t)v, hex);
    rsp_put_bytes(&s->conn, hex, 2);
}

static void put_expedited_reg(struct gdb_session *s, unsigned regno)
{
    uint8_t value[8];
    if (s->ops->read_reg(s->ctx, regno, value) != 0)
        return; /* gdb asks for it when it needs it */
    put_u8(s, (int)regno);
    rsp_put_str(&s->conn, ":");
    rsp_put_hex(&s->conn, value, sizeof(value));
    rsp_put_str(&s->conn, ";");
}

static void put_reason(struct gdb_session *s, const struct gdb_stop *stop)
{
    const char *watch = NULL;
    switch (stop->reason) {
    case GDB_REASON_SWBREAK:
        if (s->gdb_swbreak)
            rsp_put_str(&s->conn, "swbreak:;");
        return;
    case GDB_REASON_HWBREAK:
        if (s->gdb_hwbreak)
            rsp_put_str(&s->conn, "hwbreak:;");
        return;
    case GDB_REASON_WATCH:
        watch = "watch:";
        break;
    case GDB_REASON_RWATCH:
        watch = "rwatch:";
        break;
    case GDB_REASON_AWATCH:
        watch = "awatch:";
        break;
    default:
        return;
    }
    rsp_put_str(&s->conn, watch);
    rsp_put_hex_u64(&s->conn, stop->watch_addr);
    rsp_put_str(&s->conn, ";");
}

/* Sends the stop reply for stop; after W or X the session ends (TARGET_GONE). */
static void send_stop_reply(struct gdb_session *s, const struct gdb_stop *stop)
{
    rsp_reply_begin(&s->conn);
    switch (stop->kind) {
    case GDB_STOP_EXITED:
        rsp_put_str(&s->conn, "W");
        put_u8(s, stop->exit_status);
        break;
    case GDB_STOP_KILLED:
        rsp_put_str(&s->conn, "X");
        put_u8(s, stop->signal);
        break;
    default:
        rsp_put_str(&s->conn, "T");
        put_u8(s, stop->signal);
        put_reason(s, stop);
        if (stop->history_begin)
            rsp_put_str(&s->conn, "replaylog:begin;");
        put_expedited_reg(s, GDB_REG_RBP);
        put_expedited_reg(s, GDB_REG_RSP);
        put_expedited_reg(s, GDB_REG_RIP);
        rsp_put_str(&s->conn, "thread:1;");
        break;
    }
    rsp_reply_send(&s->conn);
    if (stop->kind == GDB_STOP_EXITED || stop->kind == GDB_STOP_KILLED)
        session_finish(s, GDB_END_TARGET_GONE);
}

void handle_stop_status(struct gdb_session *s)
{
    struct gdb_stop stop;
    memset(&stop, 0, sizeof(stop));
    s->ops->stop_status(s->ctx, &stop);
    send_stop_reply(s, &stop);
}

/* Resumes the target and answers with where it stopped. */
static void resume_target(struct gdb_session *s, enum gdb_resume_action action)
{
    struct gdb_stop stop;
    memset(&stop, 0, sizeof(stop));
    if (rsp_take_pending_interrupt(&s->conn)) {
        /* Ctrl-C came with the resume packet: the user wants it stopped, so do not run. */
        s->ops->stop_status(s->ctx, &stop);
        if (stop.kind == GDB_STOP_SIGNAL) {
            stop.signal = GDB_SIGNAL_INT;
            stop.reason = GDB_REASON_NONE;
        }
        send_stop_reply(s, &stop);
        return;
    }
    if (s->watcher)
        watcher_arm(s->watcher);
    int rc = s->ops->resume(s->ctx, action, &stop);
    if (s->watcher)
        watcher_disarm(s->watcher);
    stop.message[sizeof(stop.message) - 1] = '\0';
    if (s->conn.gone) {
        session_finish(s, GDB_END_DISCONNECT); /* nobody to tell */
        return;
    }
    send_console(s, stop.message);
    if (rc != 0 && stop.kind == GDB_STOP_SIGNAL) {
        /* gdb reports "Remote failure reply" and takes the target as stopped. */
        rsp_send_str(&s->conn, GDB_ERR_TARGET);
        return;
    }
    send_stop_reply(s, &stop);
}

/* The optional resume address of c/s/C/S: gdb's `jump`. Sets rip; false if it replied. */
static bool take_resume_addr(struct gdb_session *s, struct rsp_cursor *cur)
{
    uint64_t addr;
    if (rsp_at_end(cur))
        return true;
    if (!rsp_take_hex(cur, &addr) || !rsp_at_end(cur)) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return false;
    }
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(addr >> (8 * i));
    if (s->ops->write_reg(s->ctx, GDB_REG_RIP, le) != 0) {
        rsp_send_str(&s->conn, GDB_ERR_REGISTER);
        return false;
    }
    return true;
}

/* c [ADDR] and s [ADDR]. */
static void resume_plain(struct gdb_session *s, enum gdb_resume_action action)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    if (take_resume_addr(s, &cur))
        resume_target(s, action);
}

/* C SIG[;ADDR] and S SIG[;ADDR]: a unikernel has no signals to deliver, so SIG is dropped. */
static void resume_with_signal(struct gdb_session *s, enum gdb_resume_action action)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    uint64_t sig;
    if (!rsp_take_hex(&cur, &sig) || (!rsp_at_end(&cur) && !rsp_take_char(&cur, ';'))) {
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        return;
    }
    if (take_resume_addr(s, &cur))
        resume_target(s, action);
}

void handle_continue(struct gdb_session *s)
{
    resume_plain(s, GDB_RESUME_CONTINUE);
}

void handle_step(struct gdb_session *s)
{
    resume_plain(s, GDB_RESUME_STEP);
}

void handle_continue_signal(struct gdb_session *s)
{
    resume_with_signal(s, GDB_RESUME_CONTINUE);
}

void handle_step_signal(struct gdb_session *s)
{
    resume_with_signal(s, GDB_RESUME_STEP);
}

/*
 * vCont;ACTION[:THREAD][;ACTION[:THREAD]]...: the leftmost action whose thread is the
 * vCPU (or unspecified, or -1) applies. 'r' (range step) may be done as one step, as the
 * protocol allows; 't' (stop) belongs to non-stop mode, which the stub does not offer.
 */
static void vcont(struct gdb_session *s, struct rsp_cursor *cur)
{
    int chosen = 0;
    do {
        if (rsp_at_end(cur)) {
            rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
            return;
        }
        char action = *cur->p++;
        uint64_t arg;
        int64_t tid = -1;
        bool ok;
        switch (action) {
        case 'c':
        case 's':
        case 't':
            ok = true;
            break;
        case 'C':
        case 'S':
            ok = rsp_take_hex(cur, &arg);
            break;
        case 'r':
            ok = rsp_take_hex(cur, &arg) && rsp_take_char(cur, ',') && rsp_take_hex(cur, &arg);
            break;
        default:
            ok = false;
            break;
        }
        if (ok && rsp_take_char(cur, ':'))
            ok = rsp_take_thread_id(cur, &tid);
        if (!ok || (!rsp_at_end(cur) && *cur->p != ';')) {
            rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
            return;
        }
        if (!chosen && (tid == -1 || tid == GDB_THREAD_ID))
            chosen = action;
    } while (rsp_take_char(cur, ';'));

    switch (chosen) {
    case 'c':
    case 'C':
        resume_target(s, GDB_RESUME_CONTINUE);
        break;
    case 's':
    case 'S':
    case 'r':
        resume_target(s, GDB_RESUME_STEP);
        break;
    default: /* 't', or no action for the vCPU */
        rsp_send_str(&s->conn, GDB_ERR_MALFORMED);
        break;
    }
}

void handle_v_packet(struct gdb_session *s)
{
    struct rsp_cursor cur = rsp_cursor(s->conn.pkt + 1, s->conn.pkt_len - 1);
    if (rsp_rest_is(&cur, "Cont?")) {
        rsp_send_str(&s->conn, "vCont;c;C;s;S");
    } else if (rsp_take_prefix(&cur, "Cont;")) {
        vcont(s, &cur);
    } else if (rsp_rest_is(&cur, "Kill") || rsp_take_prefix(&cur, "Kill;")) {
        rsp_send_str(&s->conn, "OK");
        session_finish(s, GDB_END_KILL);
    } else {
        rsp_send_str(&s->conn, ""); /* vMustReplyEmpty, vFile, vRun, vAttach, ... */
    }
}

/* bc and bs: backwards, for a target that records (an empty reply otherwise: unsupported). */
void handle_reverse(struct gdb_session *s)
{
    bool step = s->conn.pkt_len == 2 && s->conn.pkt[1] == 's';
    bool cont = s->conn.pkt_len == 2 && s->conn.pkt[1] == 'c';
    if (!(s->ops->can_reverse && s->ops->can_reverse(s->ctx)) || (!step && !cont)) {
        rsp_send_str(&s->conn, "");
        return;
    }
    resume_target(s, step ? GDB_RESUME_REVERSE_STEP : GDB_RESUME_REVERSE_CONTINUE);
}

/* D or D;PID: gdb lets the target run on without it. */
void handle_detach(struct gdb_session *s)
{
    rsp_send_str(&s->conn, "OK");
    session_finish(s, GDB_END_DETACH);
}

/* k: end the target. The protocol has no reply for it. */
void handle_kill(struct gdb_session *s)
{
    session_finish(s, GDB_END_KILL);
}
