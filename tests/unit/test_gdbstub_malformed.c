/*
 * test_gdbstub_malformed.c: the gdb stub against hostile and broken input. Whatever
 * arrives, the stub answers with an error or an empty reply (or, for a bad checksum in
 * ack mode, '-'), never crashes, hangs or overruns a buffer, and keeps serving: each test
 * ends with a well-formed packet that must still get its normal reply.
 */
#include "gdbstub/rsp_packet.h"
#include "test_gdbstub_fake.h"
#include "unit.h"

/* The session still works, then ends cleanly as a disconnect. */
#define CHECK_ALIVE_AND_CLOSE(c, t)                    \
    do {                                               \
        CHECK(client_expect(c, "qC", "QC1"));          \
        CHECK(client_close(c));                        \
        CHECK_EQ_U64((c)->result, GDB_END_DISCONNECT); \
        CHECK_EQ_U64((t)->session_end_calls, 1);       \
        client_free(c);                                \
        free(t);                                       \
    } while (0)

/* Sends raw bytes and checks the one reply that follows. */
static bool raw_expect(struct client *c, const char *raw, size_t n, const char *expected)
{
    if (!client_write(c, raw, n))
        return false;
    const char *r = client_recv(c);
    if (!r || strcmp(r, expected) != 0) {
        fprintf(stderr, "raw %.40s -> \"%s\", expected \"%s\"\n", raw, r ? r : "(none)", expected);
        return false;
    }
    return true;
}

UNIT_TEST(bad_checksum_ack_mode)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start(t);
    CHECK(client_write(c, "$qC#00", 6));
    CHECK_EQ_U64(client_getc(c), '-');
    CHECK(client_write(c, "$qC#zz", 6)); /* not even hex */
    CHECK_EQ_U64(client_getc(c), '-');
    /* gdb retransmits; now it is good. */
    CHECK(client_write(c, "$qC#b4", 6));
    CHECK_EQ_U64(client_getc(c), '+');
    CHECK(client_recv(c) && strcmp(c->buf, "QC1") == 0);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(bad_checksum_noack_mode)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(raw_expect(c, "$qC#00", 6, "E01"));
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(stub_retransmits_on_nak)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start(t);
    c->no_ack = true; /* ack by hand below */
    CHECK(client_send(c, "qC"));
    CHECK_EQ_U64(client_getc(c), '+');
    CHECK(client_recv(c) && strcmp(c->buf, "QC1") == 0);
    CHECK(client_write(c, "-", 1));
    CHECK(client_recv(c) && strcmp(c->buf, "QC1") == 0); /* sent again */
    CHECK(client_write(c, "+", 1));
    /* A gdb that NAKs forever: the stub gives up after RSP_MAX_RETRANSMIT and goes on. */
    CHECK(client_send(c, "qC"));
    CHECK_EQ_U64(client_getc(c), '+');
    for (int i = 0; i <= RSP_MAX_RETRANSMIT; i++) {
        CHECK(client_recv(c) && strcmp(c->buf, "QC1") == 0);
        CHECK(client_write(c, "-", 1));
    }
    CHECK(client_quiet(c, 50));
    c->no_ack = false;
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(noise_between_packets)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(raw_expect(c, "xyz+-\x03\n#00$qC#b4", 16, "QC1"));
    CHECK(raw_expect(c, "$#00", 4, "")); /* the empty packet */
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(dollar_inside_packet_restarts)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    /* A packet cut short by a new one: only the new one counts. */
    CHECK(raw_expect(c, "$m100000,4$qC#b4", 16, "QC1"));
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(nul_bytes)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_send_n(c, "\0\0\0", 3));
    CHECK(client_recv(c) && c->len == 0);
    CHECK(client_send_n(c, "m\0", 2));
    CHECK(client_recv(c) && strcmp(c->buf, "E01") == 0);
    CHECK(client_send_n(c, "qC\0", 3));
    CHECK(client_recv(c) && c->len == 0); /* not "qC": an unknown query */
    CHECK(client_send_n(c, "m100000\0,4", 10));
    CHECK(client_recv(c) && strcmp(c->buf, "E01") == 0);
    CHECK(client_send_n(c, "qRcmd,0061", 10)); /* a NUL in the command */
    CHECK(client_recv(c) && strcmp(c->buf, "E01") == 0);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(truncated_packet_then_eof)
{
    const char *cuts[] = {"$m1000", "$qC#b", "$qC#", "$", "$}", "$qC"};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        struct fake_target *t = fake_new();
        struct client *c = client_start_noack(t);
        CHECK(client_write(c, cuts[i], strlen(cuts[i])));
        CHECK(client_close(c));
        CHECK_EQ_U64(c->result, GDB_END_DISCONNECT);
        CHECK_EQ_U64(t->session_end_calls, 1);
        client_free(c);
        free(t);
    }
}

UNIT_TEST(non_hex_numbers)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    const char *bad[] = {"mzz,4",
                         "m10x0,4",
                         "m100000,zz",
                         "m100000",
                         "m,4",
                         "m100000,",
                         "m100000,4,",
                         "m-1,4",
                         "m 100000,4",
                         "M100000,2:zzzz",
                         "M100000,2:12",
                         "M100000,2:123456",
                         "M100000,2",
                         "X100000,2",
                         "Zx,100000,1",
                         "Z0,zz,1",
                         "Z0,100000",
                         "Z0,100000,1x",
                         "z0",
                         "cxyz",
                         "c100000x",
                         "Cxx",
                         "C05x",
                         "S05;zz",
                         "Hgzz",
                         "H",
                         "Hg1x",
                         "Tzz",
                         "T",
                         "qThreadExtraInfo,zz",
                         "gx",
                         "vCont;",
                         "vCont;x",
                         "vCont;c:zz",
                         "vCont;t",
                         "vCont;C",
                         "vCont;c;",
                         "vCont;r1",
                         "vCont;c:2",
                         "qRcmd,6",
                         "qRcmd,zz",
                         "qXfer:features:read:target.xml:zz,10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *r = client_cmd(c, bad[i]);
        if (!r || (r[0] != 'E' && r[0] != '\0'))
            UNIT_FAIL("%s -> \"%s\"", bad[i], r ? r : "(none)");
    }
    CHECK_EQ_U64(t->resume_calls, 0);
    CHECK_EQ_U64(t->mem_writes, 0);
    CHECK_EQ_U64(t->nbps, 0);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(huge_lengths_and_wrapping_ranges)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "m0,ffffffffffffffff", "E01"));
    CHECK(client_expect(c, "m100000,10000000000000000", "E01"));                /* 17 digits */
    CHECK(client_expect(c, "m00000000000000000000000000100000,4", "00010203")); /* zeros */
    CHECK(client_expect(c, "m10000000000000000,4", "E01"));
    CHECK(client_expect(c, "m100000,10001", "E01"));
    CHECK(client_expect(c, "mffffffffffffffff,2", "E03"));
    CHECK(client_expect(c, "mfffffffffffffff0,20", "E03"));
    CHECK(client_expect(c, "mffffffffffffffff,1", "E03")); /* fits: the target refuses */
    CHECK(client_expect(c, "Mffffffffffffffff,2:0000", "E03"));
    CHECK(client_expect(c, "Xffffffffffffffff,2:ab", "E03"));
    CHECK(client_expect(c, "M0,ffffffffffffffff:00", "E01"));
    CHECK(client_expect(c, "X0,ffffffffffffffff:00", "E01"));
    CHECK(
        client_expect(c, "qXfer:features:read:target.xml:ffffffffffffffff,ffffffffffffffff", "l"));
    const char *r = client_cmd(c, "qXfer:features:read:target.xml:0,ffffffffffffffff");
    /* The whole document, or (small packets) as much as one reply holds. */
    CHECK(r && (r[0] == 'm' || (r[0] == 'l' && strstr(r, "</target>"))));
    CHECK(client_expect(c, "p10000000000000000", "E01"));
    CHECK(client_expect(c, "Z0,100000,ffffffffffffffff", "OK"));
    CHECK_EQ_U64(t->mem_writes, 0);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(packet_longer_than_packet_size)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    size_t n = RSP_PACKET_SIZE + 100;
    char *big = malloc(n + 1);
    memcpy(big, "M100000,", 8);
    memset(big + 8, '0', n - 8);
    big[n] = '\0';
    CHECK(client_send(c, big));
    CHECK(client_recv(c) && strcmp(c->buf, "E01") == 0);
    CHECK_EQ_U64(t->mem_writes, 0);
    /* The largest packet allowed does get through: M of (size - header) / 2 bytes. */
    size_t len = (RSP_PACKET_SIZE - 16) / 2;
    int hdr = sprintf(big, "M100000,%zx:", len);
    memset(big + hdr, 'a', 2 * len);
    big[hdr + 2 * len] = '\0';
    CHECK(strlen(big) <= RSP_PACKET_SIZE);
    CHECK(client_expect(c, big, "OK"));
    CHECK_EQ_U64(t->mem[len - 1], 0xaa);
    free(big);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(escapes_and_run_lengths_in_packets)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    /* "m10*!,4" is "m100000,4": '*' '!' repeats the '0' 33 - 29 = 4 more times. */
    CHECK(client_expect(c, "m10*!,4", "00010203"));
    /* Run lengths apply before escapes: "}]* " is "}]]]]", i.e. '}' ']' ']' ']'. */
    CHECK(client_send_n(c, "X100000,4:}]* ", 14));
    CHECK(client_recv(c) && strcmp(c->buf, "OK") == 0);
    CHECK(memcmp(t->mem, "}]]]", 4) == 0);
    const char *bad[] = {"*!", "m1*\x10", "m1*", "qC}", "X100000,1:}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(client_send(c, bad[i]));
        CHECK(client_recv(c) && strcmp(c->buf, "E01") == 0);
    }
    /* A run-length bomb: a few bytes that would expand past the packet size. */
    char bomb[8192];
    size_t n = 0;
    bomb[n++] = 'a';
    while (n + 2 < sizeof(bomb)) {
        bomb[n++] = '*';
        bomb[n++] = '~';
    }
    CHECK(client_send_n(c, bomb, n));
    CHECK(client_recv(c) && strcmp(c->buf, "E01") == 0);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(replies_are_run_length_encoded)
{
    struct fake_target *t = fake_new();
    memset(t->mem, 0, 0x1000);
    struct client *c = client_start_noack(t);
    CHECK(client_send(c, "m100000,800"));
    /* 4096 '0' characters take a handful of bytes on the wire. */
    char raw[256];
    size_t n = 0;
    int ch;
    while (n < sizeof(raw) && (ch = client_getc(c)) >= 0) {
        raw[n++] = (char)ch;
        if (n >= 3 && raw[n - 3] == '#')
            break;
    }
    CHECK(n < 200);
    CHECK(raw[0] == '$' && raw[1] == '0' && raw[2] == '*');
    CHECK(memchr(raw + 1, '$', n - 1) == NULL); /* counts never make a frame character */
    /* And a run of every length decodes back to itself (6 and 7 avoid '#' and '$'). */
    for (int len = 1; len <= 300; len++) {
        memset(t->mem, 0x11, (size_t)len);
        t->mem[len] = 0x22;
        char req[32], want[700];
        snprintf(req, sizeof(req), "m100000,%x", len + 1);
        for (int i = 0; i < len; i++)
            memcpy(want + 2 * i, "11", 2);
        strcpy(want + 2 * len, "22");
        CHECK(client_expect(c, req, want));
    }
    CHECK(c->rle_runs > 0);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(wrong_register_packets)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "G00", "E01"));
    CHECK(client_expect(c, "G", "E01"));
    const char *g = client_cmd(c, "g");
    CHECK(g);
    size_t n = strlen(g);
    char *pkt = malloc(n + 3);
    pkt[0] = 'G';
    memcpy(pkt + 1, g, n + 1);
    pkt[n] = 'z'; /* a non-hex digit in the last register */
    CHECK(client_expect(c, pkt, "E01"));
    pkt[n] = '0';
    pkt[n + 1] = '0'; /* one byte too many */
    pkt[n + 2] = '\0';
    CHECK(client_expect(c, pkt, "E01"));
    for (unsigned r = 0; r < GDB_REG_COUNT; r++)
        CHECK_EQ_U64(t->reg_writes[r], 0);
    CHECK(client_expect(c, "P41=00", "E02"));
    CHECK(client_expect(c, "Pzz=00", "E01"));
    CHECK(client_expect(c, "P10=", "E01"));
    free(pkt);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(bad_breakpoint_types)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "Z5,100000,1", ""));
    CHECK(client_expect(c, "Zffffffffffffffff,100000,1", ""));
    CHECK(client_expect(c, "z9,100000,1", ""));
    CHECK(client_expect(c, "Z,100000,1", "E01"));
    CHECK_EQ_U64(t->nbps, 0);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

UNIT_TEST(monitor_command_limits)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    size_t n = 2 * 5000;
    char *pkt = malloc(n + 7);
    strcpy(pkt, "qRcmd,");
    memset(pkt + 6, '6', n);
    pkt[6 + n] = '\0';
    CHECK(client_expect(c, pkt, "E01")); /* longer than any command */
    CHECK(t->last_monitor[0] == '\0');
    free(pkt);
    CHECK_ALIVE_AND_CLOSE(c, t);
}

int main(void)
{
    UNIT_RUN(bad_checksum_ack_mode);
    UNIT_RUN(bad_checksum_noack_mode);
    UNIT_RUN(stub_retransmits_on_nak);
    UNIT_RUN(noise_between_packets);
    UNIT_RUN(dollar_inside_packet_restarts);
    UNIT_RUN(nul_bytes);
    UNIT_RUN(truncated_packet_then_eof);
    UNIT_RUN(non_hex_numbers);
    UNIT_RUN(huge_lengths_and_wrapping_ranges);
    UNIT_RUN(packet_longer_than_packet_size);
    UNIT_RUN(escapes_and_run_lengths_in_packets);
    UNIT_RUN(replies_are_run_length_encoded);
    UNIT_RUN(wrong_register_packets);
    UNIT_RUN(bad_breakpoint_types);
    UNIT_RUN(monitor_command_limits);
    return UNIT_EXIT_STATUS();
}
