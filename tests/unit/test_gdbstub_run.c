/*
 * test_gdbstub_run.c: run control through the gdb stub, against the fake target of
 * test_gdbstub_fake.h: step and continue in every spelling (s, S, c, C, vCont), the stop
 * replies with their registers and reasons, reverse execution (bs, bc) where the target
 * records, console messages, exit and kill, detach,
 * disconnects, and Ctrl-C while the target runs.
 */
#include "test_gdbstub_fake.h"
#include "unit.h"

UNIT_TEST(step_stop_reply)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "vCont?", "vCont;c;C;s;S"));
    uint64_t rip0 = fake_rip(t);
    char want[256], rbp[20], rsp[20], rip[20];
    reg_hex(t, GDB_REG_RBP, rbp);
    reg_hex(t, GDB_REG_RSP, rsp);
    snprintf(want, sizeof(want), "T0506:%s;07:%s;10:%s;thread:1;", rbp, rsp,
             le64_hex(rip0 + 1, rip));
    CHECK(client_expect(c, "vCont;s:1", want));
    CHECK_EQ_U64(t->last_action, GDB_RESUME_STEP);
    CHECK_EQ_U64(fake_rip(t), rip0 + 1);
    CHECK(client_cmd(c, "s") && strncmp(c->buf, "T05", 3) == 0);
    CHECK(client_cmd(c, "vCont;s") && strncmp(c->buf, "T05", 3) == 0);
    CHECK(client_cmd(c, "vCont;s:p1.1;c") && strncmp(c->buf, "T05", 3) == 0);
    CHECK(client_cmd(c, "S05") && strncmp(c->buf, "T05", 3) == 0);
    CHECK(client_cmd(c, "vCont;S05:1") && strncmp(c->buf, "T05", 3) == 0);
    CHECK(client_cmd(c, "vCont;r100000,100010:1") && strncmp(c->buf, "T05", 3) == 0);
    CHECK_EQ_U64(t->last_action, GDB_RESUME_STEP);
    CHECK_EQ_U64(fake_rip(t), rip0 + 7);
    /* "s ADDR" and "S SIG;ADDR" set rip first. */
    CHECK(client_cmd(c, "s100500") && strncmp(c->buf, "T05", 3) == 0);
    CHECK_EQ_U64(fake_rip(t), 0x100501);
    CHECK(client_cmd(c, "S00;100600") && strncmp(c->buf, "T05", 3) == 0);
    CHECK_EQ_U64(fake_rip(t), 0x100601);
    /* An action for another thread does not apply; the default one does. */
    CHECK(client_cmd(c, "vCont;c:2;s") && strncmp(c->buf, "T05", 3) == 0);
    CHECK_EQ_U64(t->last_action, GDB_RESUME_STEP);
    /* Without rbp and rsp, only what can be read is expedited. */
    t->reg_unavailable[GDB_REG_RBP] = true;
    t->reg_unavailable[GDB_REG_RSP] = true;
    snprintf(want, sizeof(want), "T0510:%s;thread:1;", le64_hex(fake_rip(t) + 1, rip));
    CHECK(client_expect(c, "s", want));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(reverse_only_where_the_target_records)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    /* Not recorded: not offered, and bs/bc are unsupported packets (empty replies). */
    CHECK(client_cmd(c, "qSupported:swbreak+") && !strstr(c->buf, "Reverse"));
    CHECK(client_expect(c, "bs", ""));
    CHECK(client_expect(c, "bc", ""));
    CHECK_EQ_U64(t->resume_calls, 0);
    t->reverse = true;
    CHECK(client_cmd(c, "qSupported:swbreak+") &&
          strstr(c->buf, ";ReverseStep+;ReverseContinue+") != NULL);
    uint64_t rip0 = fake_rip(t);
    CHECK(client_cmd(c, "bs") && strncmp(c->buf, "T0506:", 6) == 0);
    CHECK_EQ_U64(t->last_action, GDB_RESUME_REVERSE_STEP);
    CHECK_EQ_U64(fake_rip(t), rip0 - 1);
    CHECK(client_cmd(c, "bc") && strncmp(c->buf, "T05", 3) == 0);
    CHECK_EQ_U64(t->last_action, GDB_RESUME_REVERSE_CONTINUE);
    /* A breakpoint reached going backwards is reported as going forwards. */
    t->next_stop.reason = GDB_REASON_SWBREAK;
    CHECK(client_cmd(c, "bc") && strncmp(c->buf, "T05swbreak:;06:", 15) == 0);
    /* The start of the history: gdb says "No more reverse-execution history". */
    t->next_stop.reason = GDB_REASON_NONE;
    t->next_stop.history_begin = true;
    CHECK(client_cmd(c, "bc") && strncmp(c->buf, "T05replaylog:begin;06:", 22) == 0);
    CHECK(client_cmd(c, "bs") && strncmp(c->buf, "T05replaylog:begin;06:", 22) == 0);
    /* Anything else after 'b' is no packet of ours. */
    int calls = t->resume_calls;
    CHECK(client_expect(c, "b", ""));
    CHECK(client_expect(c, "bx", ""));
    CHECK(client_expect(c, "bss", ""));
    CHECK(client_expect(c, "bc1234", ""));
    CHECK_EQ_U64(t->resume_calls, calls);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(continue_stop_reasons)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    /* gdb did not announce swbreak/hwbreak yet: the reasons must not be sent. */
    CHECK(client_cmd(c, "c") && strncmp(c->buf, "T0506:", 6) == 0);
    CHECK_EQ_U64(t->last_action, GDB_RESUME_CONTINUE);
    CHECK(client_cmd(c, "qSupported:swbreak+;hwbreak+"));
    CHECK(client_cmd(c, "c") && strncmp(c->buf, "T05swbreak:;06:", 15) == 0);
    CHECK(client_cmd(c, "vCont;c") && strncmp(c->buf, "T05swbreak:;06:", 15) == 0);
    CHECK(client_cmd(c, "C0b") && strncmp(c->buf, "T05swbreak:;", 12) == 0);
    CHECK(client_cmd(c, "vCont;C0b:1") && strncmp(c->buf, "T05swbreak:;", 12) == 0);
    CHECK(client_cmd(c, "vCont;c:-1") && strncmp(c->buf, "T05swbreak:;", 12) == 0);
    t->next_stop.reason = GDB_REASON_HWBREAK;
    CHECK(client_cmd(c, "c") && strncmp(c->buf, "T05hwbreak:;06:", 15) == 0);
    t->next_stop.reason = GDB_REASON_WATCH;
    t->next_stop.watch_addr = 0x100abc;
    CHECK(client_cmd(c, "c") && strncmp(c->buf, "T05watch:100abc;06:", 19) == 0);
    t->next_stop.reason = GDB_REASON_RWATCH;
    CHECK(client_cmd(c, "c") && strncmp(c->buf, "T05rwatch:100abc;", 17) == 0);
    t->next_stop.reason = GDB_REASON_AWATCH;
    CHECK(client_cmd(c, "c") && strncmp(c->buf, "T05awatch:100abc;", 17) == 0);
    /* A fault, with its message first on gdb's console. */
    t->next_stop.reason = GDB_REASON_NONE;
    t->next_stop.signal = GDB_SIGNAL_SEGV;
    strcpy(t->next_stop.message, "Page fault at 0x0");
    char hex[128];
    CHECK(client_send(c, "c"));
    CHECK(client_recv(c));
    CHECK(c->buf[0] == 'O' && strcmp(c->buf + 1, to_hex("Page fault at 0x0\n", hex)) == 0);
    CHECK(client_recv(c) && strncmp(c->buf, "T0b06:", 6) == 0);
    /* "c ADDR" sets rip first. */
    t->next_stop.message[0] = '\0';
    CHECK(client_cmd(c, "c100700") && c->buf[0] == 'T');
    CHECK_EQ_U64(fake_rip(t), 0x100700);
    /* '?' reports the current stop. */
    CHECK(client_cmd(c, "?") && strncmp(c->buf, "T0b06:", 6) == 0);
    CHECK_STR_CONTAINS(c->buf, "thread:1;");
    /* A resume the target cannot do. */
    t->resume_rc = -1;
    CHECK(client_expect(c, "c", "E04"));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(long_unterminated_message)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    memset(t->next_stop.message, 'x', sizeof(t->next_stop.message)); /* no NUL at all */
    CHECK(client_send(c, "c"));
    CHECK(client_recv(c) && c->buf[0] == 'O');
    char text[600];
    long n = from_hex(c->buf + 1, text, sizeof(text));
    CHECK_EQ_U64(n, sizeof(t->next_stop.message)); /* 511 bytes kept, and a newline */
    CHECK(text[0] == 'x' && text[510] == 'x' && text[511] == '\n');
    CHECK(client_recv(c) && strncmp(c->buf, "T05", 3) == 0);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(exit_ends_session)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    t->next_stop.kind = GDB_STOP_EXITED;
    t->next_stop.exit_status = 7;
    CHECK(client_expect(c, "c", "W07"));
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_TARGET_GONE);
    CHECK_EQ_U64(t->session_end_calls, 1);
    CHECK_EQ_U64(t->session_end_how, GDB_END_TARGET_GONE);
    client_free(c);
    free(t);
}

UNIT_TEST(killed_by_signal_ends_session)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    t->next_stop.kind = GDB_STOP_KILLED;
    t->next_stop.signal = GDB_SIGNAL_ABRT;
    strcpy(t->next_stop.message, "solo5_abort() called\n");
    char hex[64];
    CHECK(client_send(c, "vCont;c"));
    CHECK(client_recv(c) && strcmp(c->buf + 1, to_hex("solo5_abort() called\n", hex)) == 0);
    CHECK(client_recv(c) && strcmp(c->buf, "X06") == 0);
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_TARGET_GONE);
    CHECK_EQ_U64(t->session_end_calls, 1);
    client_free(c);
    free(t);
}

UNIT_TEST(stop_status_after_exit)
{
    struct fake_target *t = fake_new();
    t->current.kind = GDB_STOP_EXITED;
    t->current.exit_status = 0;
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "?", "W00"));
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_TARGET_GONE);
    client_free(c);
    free(t);
}

UNIT_TEST(detach_ends_session)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "D", "OK"));
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_DETACH);
    CHECK_EQ_U64(t->session_end_calls, 1);
    CHECK_EQ_U64(t->session_end_how, GDB_END_DETACH);
    client_free(c);
    free(t);
    /* The multiprocess form, in ack mode. */
    t = fake_new();
    c = client_start(t);
    CHECK(client_expect(c, "D;1", "OK"));
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_DETACH);
    client_free(c);
    free(t);
}

UNIT_TEST(kill_ends_session)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_send(c, "k"));
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_KILL);
    CHECK_EQ_U64(t->session_end_calls, 1);
    CHECK_EQ_U64(t->session_end_how, GDB_END_KILL);
    CHECK(client_getc(c) < 0); /* no reply, and the stub closed its end */
    client_free(c);
    free(t);
    t = fake_new();
    c = client_start_noack(t);
    CHECK(client_expect(c, "vKill;1", "OK"));
    CHECK(client_wait_end(c));
    CHECK_EQ_U64(c->result, GDB_END_KILL);
    client_free(c);
    free(t);
}

UNIT_TEST(disconnect_ends_session)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "qC", "QC1"));
    CHECK_DISCONNECT(c, t);
    /* Right away, before any packet, in ack mode. */
    t = fake_new();
    c = client_start(t);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(ctrl_c_interrupts_continue)
{
    struct fake_target *t = fake_new();
    t->block_until_interrupt = true;
    struct client *c = client_start_noack(t);
    CHECK(client_send(c, "c"));
    CHECK(client_quiet(c, 50)); /* running: no reply yet */
    CHECK(client_write(c, "\x03", 1));
    CHECK(client_recv(c) && strncmp(c->buf, "T0206:", 6) == 0);
    CHECK_EQ_U64(t->interrupts, 1);
    CHECK_EQ_U64(t->resume_calls, 1);
    /* The session goes on normally. */
    CHECK(client_expect(c, "qC", "QC1"));
    /* Ctrl-C with a packet right behind it, in one write: the packet is kept. */
    CHECK(client_send(c, "vCont;c"));
    CHECK(client_quiet(c, 50));
    CHECK(client_write(c, "\x03$qC#b4", 7));
    CHECK(client_recv(c) && strncmp(c->buf, "T02", 3) == 0);
    CHECK(client_recv(c) && strcmp(c->buf, "QC1") == 0);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(ctrl_c_before_resume_starts)
{
    struct fake_target *t = fake_new();
    t->block_until_interrupt = true;
    struct client *c = client_start_noack(t);
    /* gdb's continue and the user's Ctrl-C arrive together: the target is not run. */
    CHECK(client_write(c, "$c#63\x03", 6));
    CHECK(client_recv(c) && strncmp(c->buf, "T02", 3) == 0);
    CHECK_EQ_U64(t->resume_calls, 0);
    /* Ctrl-C while stopped is ignored. */
    CHECK(client_write(c, "\x03", 1));
    CHECK(client_expect(c, "qC", "QC1"));
    CHECK_EQ_U64(t->interrupts, 0);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(disconnect_while_running)
{
    struct fake_target *t = fake_new();
    t->block_until_interrupt = true;
    struct client *c = client_start_noack(t);
    CHECK(client_send(c, "c"));
    CHECK(client_quiet(c, 50));
    CHECK(client_close(c)); /* the watcher sees EOF, interrupts, the session ends */
    CHECK_EQ_U64(c->result, GDB_END_DISCONNECT);
    CHECK_EQ_U64(t->interrupts, 1);
    CHECK_EQ_U64(t->session_end_calls, 1);
    CHECK_EQ_U64(t->session_end_how, GDB_END_DISCONNECT);
    client_free(c);
    free(t);
}

UNIT_TEST(fresh_state_per_session)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_cmd(c, "qSupported:swbreak+"));
    CHECK(client_cmd(c, "c") && strncmp(c->buf, "T05swbreak:;", 12) == 0);
    CHECK(client_close(c));
    client_free(c);
    /* A new session on the same target: ack mode again, no swbreak until announced. */
    t->session_end_calls = 0;
    c = client_start(t);
    CHECK(client_send(c, "c"));
    CHECK_EQ_U64(client_getc(c), '+');
    CHECK(client_recv(c) && strncmp(c->buf, "T0506:", 6) == 0);
    CHECK_DISCONNECT(c, t);
}

int main(void)
{
    UNIT_RUN(step_stop_reply);
    UNIT_RUN(reverse_only_where_the_target_records);
    UNIT_RUN(continue_stop_reasons);
    UNIT_RUN(long_unterminated_message);
    UNIT_RUN(exit_ends_session);
    UNIT_RUN(killed_by_signal_ends_session);
    UNIT_RUN(stop_status_after_exit);
    UNIT_RUN(detach_ends_session);
    UNIT_RUN(kill_ends_session);
    UNIT_RUN(disconnect_ends_session);
    UNIT_RUN(ctrl_c_interrupts_continue);
    UNIT_RUN(ctrl_c_before_resume_starts);
    UNIT_RUN(disconnect_while_running);
    UNIT_RUN(fresh_state_per_session);
    return UNIT_EXIT_STATUS();
}
