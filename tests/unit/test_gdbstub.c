/*
 * test_gdbstub.c: the gdb stub's packets, with exact replies, against the fake target of
 * test_gdbstub_fake.h over a socketpair: negotiation, target.xml, registers, memory,
 * breakpoints, monitor commands, thread queries. Run control is in test_gdbstub_run.c,
 * malformed input in test_gdbstub_malformed.c, sockets in test_gdbstub_net.c, the
 * target description's bits in test_gdbstub_xml.c, real gdb in test_gdbstub_gdb.c.
 */
#include "gdbstub/gdb_target.h"
#include "gdbstub/rsp_packet.h"
#include "test_gdbstub_fake.h"
#include "unit.h"

UNIT_TEST(qsupported_reply)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start(t);
    /* The packet size is the build's (this test also runs in a small-packet build). */
    char want[160];
    snprintf(want, sizeof(want),
             "PacketSize=%x;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+;"
             "qXfer:features:read+",
             RSP_PACKET_SIZE);
    CHECK(client_expect(c, "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386", want));
    CHECK(client_expect(c, "qSupported", want));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(ack_then_noack_mode)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start(t);
    /* Ack mode: every packet is acked with '+' before its reply. */
    CHECK(client_send(c, "qC"));
    CHECK_EQ_U64(client_getc(c), '+');
    CHECK(client_recv(c) && strcmp(c->buf, "QC1") == 0);
    CHECK(client_expect(c, "QStartNoAckMode", "OK"));
    c->no_ack = true;
    /* No-ack mode: the reply's '$' comes first, and gdb's acks are not needed. */
    CHECK(client_send(c, "qC"));
    CHECK_EQ_U64(client_getc(c), '$');
    CHECK_DISCONNECT(c, t);
}

/* Reads target.xml through qXfer in windows of chunk bytes. */
static char *read_target_xml(struct client *c, unsigned chunk, int *packets)
{
    size_t cap = 1 << 16, len = 0;
    char *doc = calloc(1, cap);
    *packets = 0;
    for (;;) {
        char req[96];
        snprintf(req, sizeof(req), "qXfer:features:read:target.xml:%zx,%x", len, chunk);
        const char *r = client_cmd(c, req);
        (*packets)++;
        if (!r || (r[0] != 'm' && r[0] != 'l') || c->len - 1 > chunk || len + c->len >= cap) {
            free(doc);
            return NULL;
        }
        memcpy(doc + len, r + 1, c->len - 1);
        len += c->len - 1;
        if (r[0] == 'l')
            return doc;
    }
}

UNIT_TEST(target_xml_in_chunks)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    int small_packets, big_packets;
    char *doc = read_target_xml(c, 0x100, &small_packets);
    char *whole = read_target_xml(c, 0xffff, &big_packets);
    CHECK(doc && whole);
    CHECK(strcmp(doc, whole) == 0);
    CHECK(small_packets > 5);
    /* A big window is cut only by the reply buffer: one packet with the default size. */
    CHECK_EQ_U64(big_packets, (strlen(whole) + RSP_DOUBLED_REPLY_MAX - 1) / RSP_DOUBLED_REPLY_MAX);
    CHECK_STR_CONTAINS(doc, "<architecture>i386:x86-64</architecture>");
    CHECK_STR_CONTAINS(doc, "<feature name=\"org.gnu.gdb.i386.core\">");
    CHECK_STR_CONTAINS(doc, "<feature name=\"org.gnu.gdb.i386.sse\">");
    CHECK_STR_CONTAINS(doc, "<feature name=\"org.gnu.gdb.i386.segments\">");
    CHECK_STR_CONTAINS(doc, "<feature name=\"org.ukvm.gdb.x86.sys\">");
    CHECK_STR_CONTAINS(doc, "</target>\n");
    /* Every register, in enum order, with its own number and size. */
    const char *prev = doc;
    for (unsigned r = 0; r < GDB_REG_COUNT; r++) {
        char want[128];
        snprintf(want, sizeof(want), "<reg name=\"%s\" bitsize=\"%zu\"", gdb_reg_name(r),
                 gdb_reg_size(r) * 8);
        const char *at = strstr(doc, want);
        CHECK_STR_CONTAINS(doc, want);
        CHECK(at > prev);
        prev = at;
        snprintf(want, sizeof(want), "regnum=\"%u\"", r);
        CHECK(strstr(at, want) && strstr(at, want) < strchr(at, '>'));
    }
    /* Past the end, and an unknown annex. */
    char req[96];
    snprintf(req, sizeof(req), "qXfer:features:read:target.xml:%zx,100", strlen(doc));
    CHECK(client_expect(c, req, "l"));
    CHECK(client_expect(c, "qXfer:features:read:i386.xml:0,100", "E00"));
    CHECK(client_expect(c, "qXfer:features:read:target.xml:0", "E00"));
    free(doc);
    free(whole);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(register_table)
{
    size_t total = 0;
    for (unsigned r = 0; r < GDB_REG_COUNT; r++)
        total += gdb_reg_size(r);
    CHECK_EQ_U64(total, 16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 2 * 8 + 6 * 8);
    CHECK(strcmp(gdb_reg_name(GDB_REG_R8), "r8") == 0);
    CHECK(strcmp(gdb_reg_name(GDB_REG_RIP), "rip") == 0);
    CHECK(strcmp(gdb_reg_name(GDB_REG_ST0 + 7), "st7") == 0);
    CHECK(strcmp(gdb_reg_name(GDB_REG_FOP), "fop") == 0);
    CHECK(strcmp(gdb_reg_name(GDB_REG_XMM0 + 15), "xmm15") == 0);
    CHECK(strcmp(gdb_reg_name(GDB_REG_FS_BASE), "fs_base") == 0);
    CHECK(strcmp(gdb_reg_name(GDB_REG_CR3), "cr3") == 0);
    CHECK(strcmp(gdb_reg_name(GDB_REG_EFER), "efer") == 0);
    CHECK_EQ_U64(gdb_reg_size(GDB_REG_EFLAGS), 4);
    CHECK_EQ_U64(gdb_reg_size(GDB_REG_ST0), 10);
    CHECK_EQ_U64(gdb_reg_size(GDB_REG_MXCSR), 4);
    CHECK_EQ_U64(gdb_reg_size(GDB_REG_CR8), 8);
    CHECK_EQ_U64(gdb_reg_size(GDB_REG_COUNT), 0);
    CHECK(gdb_reg_name(GDB_REG_COUNT) == NULL);
    CHECK(gdb_reg_name(~0u) == NULL);
    /* The numbers gdb's amd64 descriptions give these registers. */
    CHECK_EQ_U64(GDB_REG_RIP, 16);
    CHECK_EQ_U64(GDB_REG_ST0, 24);
    CHECK_EQ_U64(GDB_REG_XMM0, 40);
    CHECK_EQ_U64(GDB_REG_MXCSR, 56);
    CHECK_EQ_U64(GDB_REG_FS_BASE, 57);
    CHECK_EQ_U64(GDB_REG_COUNT, 65);
}

UNIT_TEST(read_all_registers)
{
    struct fake_target *t = fake_new();
    t->reg_unavailable[GDB_REG_ST0 + 3] = true;
    struct client *c = client_start_noack(t);
    const char *r = client_cmd(c, "g");
    CHECK(r);
    size_t total = 0;
    for (unsigned i = 0; i < GDB_REG_COUNT; i++)
        total += gdb_reg_size(i);
    CHECK_EQ_U64(c->len, 2 * total);
    size_t off = 0;
    for (unsigned i = 0; i < GDB_REG_COUNT; i++) {
        char want[40];
        if (t->reg_unavailable[i])
            memset(want, 'x', 2 * gdb_reg_size(i)), want[2 * gdb_reg_size(i)] = '\0';
        else
            reg_hex(t, i, want);
        if (strncmp(r + off, want, strlen(want)) != 0)
            UNIT_FAIL("register %s: %.*s, expected %s", gdb_reg_name(i), (int)strlen(want), r + off,
                      want);
        off += strlen(want);
    }
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(write_all_registers)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    const char *r = client_cmd(c, "g");
    CHECK(r);
    char *g = strdup(r);
    /* Flip every byte of every register: each value must land in its register. */
    char *packet = malloc(strlen(g) + 2);
    packet[0] = 'G';
    for (size_t i = 0; g[i]; i++)
        packet[1 + i] = (i % 2) ? g[i] : "fedcba9876543210"[hexval(g[i])];
    packet[1 + strlen(g)] = '\0';
    if (strlen(packet) > RSP_PACKET_SIZE) {
        /* A small-packet build: the G packet is longer than a packet may be, and is
           refused whole (gdb then writes registers one by one with P). */
        CHECK(client_expect(c, packet, "E01"));
        for (unsigned i = 0; i < GDB_REG_COUNT; i++)
            CHECK_EQ_U64(t->reg_writes[i], 0);
        free(g);
        free(packet);
        CHECK_DISCONNECT(c, t);
        return;
    }
    CHECK(client_expect(c, packet, "OK"));
    size_t off = 1;
    for (unsigned i = 0; i < GDB_REG_COUNT; i++) {
        char now[40];
        reg_hex(t, i, now);
        CHECK(strncmp(packet + off, now, strlen(now)) == 0);
        CHECK_EQ_U64(t->reg_writes[i], 1);
        off += strlen(now);
    }
    /* The same values again: nothing changes, nothing is written. */
    CHECK(client_expect(c, packet, "OK"));
    for (unsigned i = 0; i < GDB_REG_COUNT; i++)
        CHECK_EQ_U64(t->reg_writes[i], 1);
    /* A register the target cannot write is fine while unchanged, an error once changed. */
    t->reg_readonly[GDB_REG_CR8] = true;
    CHECK(client_expect(c, packet, "OK"));
    size_t cr8_offset = 0;
    for (unsigned i = 0; i < GDB_REG_CR8; i++)
        cr8_offset += gdb_reg_size(i);
    char *cr8 = packet + 1 + 2 * cr8_offset;
    cr8[0] = cr8[0] == '0' ? '1' : '0';
    CHECK(client_expect(c, packet, "E02"));
    /* "xx" (unavailable) bytes are skipped. */
    t->reg_readonly[GDB_REG_CR8] = false;
    memset(packet + 1, 'x', 16);
    int before = t->reg_writes[GDB_REG_RAX];
    CHECK(client_expect(c, packet, "OK"));
    CHECK_EQ_U64(t->reg_writes[GDB_REG_RAX], before);
    free(g);
    free(packet);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(read_write_single_registers)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    char want[40], req[80];
    for (unsigned r = GDB_REG_R8; r <= GDB_REG_R15; r++) {
        snprintf(req, sizeof(req), "p%x", r);
        CHECK(client_expect(c, req, reg_hex(t, r, want)));
        /* Write r8-r15 with distinct values and read them back. */
        snprintf(req, sizeof(req), "P%x=%02x00000000000080", r, r);
        CHECK(client_expect(c, req, "OK"));
        snprintf(req, sizeof(req), "p%x", r);
        snprintf(want, sizeof(want), "%02x00000000000080", r);
        CHECK(client_expect(c, req, want));
        uint64_t v;
        memcpy(&v, t->regs[r], 8);
        CHECK_EQ_U64(v, 0x8000000000000000ULL | r);
    }
    /* cr3 (0x3d) and fs_base (0x39), 8 bytes; xmm0 (0x28), 16 bytes; st0 (0x18), 10. */
    CHECK(client_expect(c, "p3d", reg_hex(t, GDB_REG_CR3, want)));
    CHECK(client_expect(c, "P3d=0030100000000000", "OK"));
    uint64_t cr3;
    memcpy(&cr3, t->regs[GDB_REG_CR3], 8);
    CHECK_EQ_U64(cr3, 0x103000);
    CHECK(client_expect(c, "p39", reg_hex(t, GDB_REG_FS_BASE, want)));
    CHECK(client_expect(c, "p28", reg_hex(t, GDB_REG_XMM0, want)));
    CHECK(client_expect(c, "P28=00112233445566778899aabbccddeeff", "OK"));
    CHECK(client_expect(c, "p28", "00112233445566778899aabbccddeeff"));
    CHECK(client_expect(c, "P18=0102030405060708090a", "OK"));
    CHECK(client_expect(c, "p18", "0102030405060708090a"));
    CHECK(client_expect(c, "p11", reg_hex(t, GDB_REG_EFLAGS, want)));
    CHECK_EQ_U64(strlen(want), 8);
    /* Unavailable and unwritable registers. */
    t->reg_unavailable[GDB_REG_CR2] = true;
    CHECK(client_expect(c, "p3c", "xxxxxxxxxxxxxxxx"));
    t->reg_readonly[GDB_REG_CR2] = true;
    CHECK(client_expect(c, "P3c=0000000000000000", "E02"));
    /* Bad numbers and lengths. */
    CHECK(client_expect(c, "p41", "E02"));
    CHECK(client_expect(c, "pffffffff", "E02"));
    CHECK(client_expect(c, "P41=0000000000000000", "E02"));
    CHECK(client_expect(c, "P8=00", "E01"));
    CHECK(client_expect(c, "P8=000000000000000000", "E01"));
    CHECK(client_expect(c, "P8=zz00000000000000", "E01"));
    CHECK(client_expect(c, "P8", "E01"));
    CHECK(client_expect(c, "p", "E01"));
    CHECK(client_expect(c, "p8x", "E01"));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(memory_read_write)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "m100010,8", "1011121314151617"));
    CHECK(client_expect(c, "M100010,4:deadbeef", "OK"));
    CHECK(client_expect(c, "m100010,8", "deadbeef14151617"));
    CHECK(client_expect(c, "M100010,0:", "OK"));
    /* A read that runs off the end of memory is short; one that starts outside fails. */
    CHECK(client_expect(c, "m13fffe,8", "feff"));
    CHECK(client_expect(c, "m140000,8", "E03"));
    CHECK(client_expect(c, "m0,1", "E03"));
    CHECK(client_expect(c, "M13fffe,4:00000000", "E03"));
    /* The largest read, as gdb's dump does: 64 KiB in one reply with the default packet
       size. In a small-packet build this is larger than the packet size, and the scratch
       buffer it lands in must still hold it. */
    char req[64];
    snprintf(req, sizeof(req), "m100000,%x", RSP_MEM_READ_MAX);
    const char *r = client_cmd(c, req);
    CHECK(r && c->len == 2 * RSP_MEM_READ_MAX);
    CHECK(r && strncmp(r + 2 * RSP_MEM_READ_MAX - 4, "feff", 4) == 0);
    snprintf(req, sizeof(req), "m100000,%x", RSP_MEM_READ_MAX + 1);
    CHECK(client_expect(c, req, "E01"));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(memory_binary_write)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    /* gdb's probe for X support. */
    CHECK(client_expect(c, "X100000,0:", "OK"));
    CHECK_EQ_U64(t->mem_writes, 0);
    /* Data with every byte that must be escaped, plus NUL and Ctrl-C. */
    const uint8_t data[] = {'$', '#', '}', '*', 0x00, 0x03, 'A', 0xff};
    char pkt[64];
    size_t n = (size_t)sprintf(pkt, "X100020,%zx:", sizeof(data));
    for (size_t i = 0; i < sizeof(data); i++) {
        if (data[i] == '$' || data[i] == '#' || data[i] == '}' || data[i] == '*') {
            pkt[n++] = '}';
            pkt[n++] = (char)(data[i] ^ 0x20);
        } else {
            pkt[n++] = (char)data[i];
        }
    }
    CHECK(client_send_n(c, pkt, n));
    CHECK(client_recv(c) && strcmp(c->buf, "OK") == 0);
    CHECK(memcmp(t->mem + 0x20, data, sizeof(data)) == 0);
    /* The length must match the data. */
    CHECK(client_expect(c, "X100020,3:ab", "E01"));
    CHECK(client_expect(c, "X100020,1:ab", "E01"));
    CHECK(client_expect(c, "X13ffff,2:ab", "E03"));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(breakpoints)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    CHECK(client_expect(c, "Z0,100200,1", "OK"));
    CHECK_EQ_U64(t->nbps, 1);
    CHECK_EQ_U64(t->bps[0].type, GDB_BP_SOFTWARE);
    CHECK_EQ_U64(t->bps[0].addr, 0x100200);
    CHECK_EQ_U64(t->bps[0].len, 1);
    CHECK(client_expect(c, "Z1,100300,1", "OK"));
    CHECK_EQ_U64(t->bps[1].type, GDB_BP_HARDWARE);
    CHECK(client_expect(c, "Z2,100400,8", "OK"));
    CHECK_EQ_U64(t->bps[2].type, GDB_WP_WRITE);
    CHECK_EQ_U64(t->bps[2].len, 8);
    CHECK(client_expect(c, "Z3,100400,4", "OK"));
    CHECK(client_expect(c, "Z4,100400,2", "OK"));
    CHECK_EQ_U64(t->nbps, 5);
    CHECK(client_expect(c, "z0,100200,1", "OK"));
    CHECK(client_expect(c, "z0,100200,1", "E04")); /* no longer there */
    CHECK_EQ_U64(t->nbps, 4);
    /* Conditions after ';' are ignored; a refused insert is E04; unknown types empty. */
    CHECK(client_expect(c, "Z0,100500,1;X3,220027", "OK"));
    CHECK(client_expect(c, "Z0,10,1", "E04"));
    CHECK(client_expect(c, "Z5,100400,1", ""));
    t->hw_unsupported = true;
    CHECK(client_expect(c, "Z1,100300,1", ""));
    CHECK(client_expect(c, "Z2,100300,1", ""));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(monitor_command)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    char hex[256], out[256];
    snprintf(out, sizeof(out), "qRcmd,%s", to_hex("pt 0x100000", hex));
    CHECK(client_send(c, out));
    CHECK(client_recv(c) && c->buf[0] == 'O');
    CHECK(strcmp(c->buf + 1, to_hex("ran: pt 0x100000\n", hex)) == 0);
    CHECK(client_recv(c) && strcmp(c->buf, "OK") == 0);
    CHECK(strcmp(t->last_monitor, "pt 0x100000") == 0);
    /* Long output comes in several 'O' packets, whole. */
    char *big = malloc(10001);
    for (int i = 0; i < 10000; i++)
        big[i] = (char)('a' + i % 26);
    big[10000] = '\0';
    t->monitor_output = big;
    CHECK(client_send(c, "qRcmd,72656773")); /* "regs" */
    size_t got = 0;
    int packets = 0;
    for (;;) {
        CHECK(client_recv(c));
        if (strcmp(c->buf, "OK") == 0)
            break;
        CHECK(c->buf[0] == 'O');
        char chunk[0x4000];
        long n = from_hex(c->buf + 1, chunk, sizeof(chunk));
        CHECK(n > 0 && got + (size_t)n <= 10000 && memcmp(big + got, chunk, (size_t)n) == 0);
        got += (size_t)n;
        packets++;
    }
    CHECK_EQ_U64(got, 10000);
    CHECK(packets > 1);
    /* A failing command: its output, then an error. Empty command: output, OK. */
    t->monitor_output = "no such command\n";
    t->monitor_rc = -1;
    CHECK(client_send(c, "qRcmd,78"));
    CHECK(client_recv(c) && c->buf[0] == 'O');
    CHECK(client_recv(c) && strcmp(c->buf, "E01") == 0);
    t->monitor_rc = 0;
    t->monitor_output = "";
    CHECK(client_expect(c, "qRcmd,", "OK"));
    CHECK(strcmp(t->last_monitor, "") == 0);
    free(big);
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(thread_queries)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    char hex[64];
    CHECK(client_expect(c, "qfThreadInfo", "m1"));
    CHECK(client_expect(c, "qsThreadInfo", "l"));
    CHECK(client_expect(c, "qC", "QC1"));
    CHECK(client_expect(c, "qAttached", "1"));
    CHECK(client_expect(c, "qAttached:1", "1"));
    CHECK(client_expect(c, "qThreadExtraInfo,1", to_hex("vCPU 0", hex)));
    CHECK(client_expect(c, "qThreadExtraInfo,2", "E01"));
    CHECK(client_expect(c, "Hg0", "OK"));
    CHECK(client_expect(c, "Hg1", "OK"));
    CHECK(client_expect(c, "Hc-1", "OK"));
    CHECK(client_expect(c, "Hgp1.1", "OK"));
    CHECK(client_expect(c, "Hgp0.0", "OK"));
    CHECK(client_expect(c, "Hg2", "E01"));
    CHECK(client_expect(c, "T1", "OK"));
    CHECK(client_expect(c, "Tp1.1", "OK"));
    CHECK(client_expect(c, "T2", "E01"));
    CHECK_DISCONNECT(c, t);
}

UNIT_TEST(unsupported_packets_get_empty_reply)
{
    struct fake_target *t = fake_new();
    struct client *c = client_start_noack(t);
    const char *empty[] = {"qTStatus",
                           "qOffsets",
                           "qSymbol::",
                           "vMustReplyEmpty",
                           "!",
                           "R00",
                           "QNonStop:1",
                           "QPassSignals:e",
                           "vFile:open:2f,0,0",
                           "qL1200",
                           "qTfV",
                           "vRun;",
                           "vAttach;1",
                           "bc",
                           "i",
                           "A",
                           "qCRC:0,10",
                           "qSearch:memory:0,1,00",
                           "vStopped",
                           "QThreadEvents:1"};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
        CHECK(client_expect(c, empty[i], ""));
    CHECK_DISCONNECT(c, t);
}

int main(void)
{
    UNIT_RUN(qsupported_reply);
    UNIT_RUN(ack_then_noack_mode);
    UNIT_RUN(target_xml_in_chunks);
    UNIT_RUN(register_table);
    UNIT_RUN(read_all_registers);
    UNIT_RUN(write_all_registers);
    UNIT_RUN(read_write_single_registers);
    UNIT_RUN(memory_read_write);
    UNIT_RUN(memory_binary_write);
    UNIT_RUN(breakpoints);
    UNIT_RUN(monitor_command);
    UNIT_RUN(thread_queries);
    UNIT_RUN(unsupported_packets_get_empty_reply);
    return UNIT_EXIT_STATUS();
}
