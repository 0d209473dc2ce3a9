/*
 * test_frame_decode.c: the one-line frame summaries (ukvm/inspect/frame_decode.h), from
 * hand-built frames: every kind of payload, the exact line for each, truncation by the
 * kept prefix at every length, hostile header fields, and small output buffers. Frames
 * are decoded from heap copies of exactly the kept length, so that under ASan a read
 * past caplen is a report, not a lucky read of the rest of an array.
 */
#include <stdlib.h>

#include "ukvm/inspect/frame_decode.h"
#include "unit.h"

static const uint8_t mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ip_a[4] = {10, 0, 0, 1};
static const uint8_t ip_b[4] = {10, 0, 0, 2};

#define A_TO_B "02:00:00:00:00:01 > 02:00:00:00:00:02, "

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

/* An Ethernet header from src to dst; returns its length. */
static size_t eth(uint8_t *f, const uint8_t *src, const uint8_t *dst, unsigned type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, type);
    return 14;
}

/* A 20-byte IPv4 header from 10.0.0.1 to 10.0.0.2 with payload bytes after it. */
static size_t ipv4(uint8_t *p, unsigned proto, size_t payload)
{
    memset(p, 0, 20);
    p[0] = 0x45;
    put16(p + 2, (unsigned)(20 + payload));
    put16(p + 4, 0x1234); /* id */
    put16(p + 6, 0x4000); /* don't fragment */
    p[8] = 64;
    p[9] = (uint8_t)proto;
    memcpy(p + 12, ip_a, 4);
    memcpy(p + 16, ip_b, 4);
    return 20;
}

static size_t build_arp(uint8_t *f, unsigned op)
{
    size_t n = eth(f, mac_a, op == 1 ? mac_bcast : mac_b, 0x0806);
    uint8_t *a = f + n;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, mac_a, 6);
    memcpy(a + 14, ip_a, 4);
    memset(a + 18, 0, 6);
    memcpy(a + 24, ip_b, 4);
    return n + 28;
}

/* An ICMP message of type and code with 56 bytes of data: 98 bytes, like ping's. */
static size_t build_icmp(uint8_t *f, unsigned type, unsigned code)
{
    size_t n = eth(f, mac_a, mac_b, 0x0800);
    n += ipv4(f + n, 1, 64);
    f[n] = (uint8_t)type;
    f[n + 1] = (uint8_t)code;
    put16(f + n + 2, 0);
    put16(f + n + 4, 7); /* id */
    put16(f + n + 6, 1); /* seq */
    for (int i = 0; i < 56; i++)
        f[n + 8 + i] = (uint8_t)i;
    return n + 64;
}

static size_t build_udp(uint8_t *f, unsigned sport, unsigned dport, size_t payload)
{
    size_t n = eth(f, mac_a, mac_b, 0x0800);
    n += ipv4(f + n, 17, 8 + payload);
    put16(f + n, sport);
    put16(f + n + 2, dport);
    put16(f + n + 4, (unsigned)(8 + payload));
    put16(f + n + 6, 0);
    memset(f + n + 8, 'u', payload);
    return n + 8 + payload;
}

/* A TCP segment 40000 -> 80 with a 20-byte header and payload bytes of data. */
static size_t build_tcp(uint8_t *f, unsigned flags, uint32_t seq, uint32_t ack, size_t payload)
{
    size_t n = eth(f, mac_a, mac_b, 0x0800);
    n += ipv4(f + n, 6, 20 + payload);
    memset(f + n, 0, 20);
    put16(f + n, 40000);
    put16(f + n + 2, 80);
    put32(f + n + 4, seq);
    put32(f + n + 8, ack);
    f[n + 12] = 5 << 4;
    f[n + 13] = (uint8_t)flags;
    put16(f + n + 14, 64240);
    memset(f + n + 20, 't', payload);
    return n + 20 + payload;
}

/* Decodes the first caplen bytes of f from a heap copy of exactly that size. */
static size_t decode(const uint8_t *f, size_t caplen, size_t wire_len, char *out, size_t outlen)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    if (caplen)
        memcpy(copy, f, caplen);
    size_t n = frame_decode(caplen ? copy : NULL, caplen, wire_len, out, outlen);
    free(copy);
    return n;
}

/* The line for the whole of f. */
static const char *line(const uint8_t *f, size_t len)
{
    static char out[256];
    size_t n = decode(f, len, len, out, sizeof(out));
    return n == strlen(out) ? out : "(return value is not strlen)";
}

#define CHECK_LINE(f, len, expected)                                                      \
    do {                                                                                  \
        const char *got_ = line((f), (len));                                              \
        if (strcmp(got_, (expected)) != 0)                                                \
            UNIT_FAIL("got \"%s\"\n    expected \"%s\"", got_, (const char *)(expected)); \
    } while (0)

UNIT_TEST(arp)
{
    uint8_t f[64];
    size_t n = build_arp(f, 1);
    CHECK_LINE(f, n,
               "02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ARP who-has 10.0.0.2 tell 10.0.0.1, "
               "42 bytes");
    n = build_arp(f, 2);
    /* The sender (10.0.0.1, mac_a) answers. */
    CHECK_LINE(f, n, A_TO_B "ARP reply 10.0.0.1 is-at 02:00:00:00:00:01, 42 bytes");
    n = build_arp(f, 3);
    CHECK_LINE(f, n, A_TO_B "ARP op 3, 42 bytes");
    /* Padded to Ethernet's 60-byte minimum: the padding changes nothing but the length. */
    n = build_arp(f, 1);
    memset(f + n, 0, 60 - n);
    CHECK_STR_CONTAINS(line(f, 60), "ARP who-has 10.0.0.2 tell 10.0.0.1, 60 bytes");
    /* Not Ethernet/IPv4: the addresses are not where the decode would look. */
    n = build_arp(f, 1);
    put16(f + 14, 6);
    CHECK_STR_CONTAINS(line(f, n), "ARP op 1 (hrd 6 pro 0x0800 hln 6 pln 4), 42 bytes");
    n = build_arp(f, 2);
    f[14 + 4] = 8;
    CHECK_STR_CONTAINS(line(f, n), "ARP op 2 (hrd 1 pro 0x0800 hln 8 pln 4), 42 bytes");
}

UNIT_TEST(arp_truncated)
{
    uint8_t f[64];
    char out[128];
    size_t n = build_arp(f, 1);
    decode(f, 20, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, ", ARP [truncated], 42 bytes");
    decode(f, 22, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, ", ARP who-has [truncated], 42 bytes");
    decode(f, 41, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, ", ARP who-has [truncated], 42 bytes");
    n = build_arp(f, 2);
    decode(f, 30, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, ", ARP reply [truncated], 42 bytes");
}

UNIT_TEST(icmp)
{
    uint8_t f[128];
    size_t n = build_icmp(f, 8, 0);
    CHECK_EQ_U64(n, 98);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1 > 10.0.0.2 ICMP echo request id 7 seq 1, 98 bytes");
    n = build_icmp(f, 0, 0);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1 > 10.0.0.2 ICMP echo reply id 7 seq 1, 98 bytes");
    n = build_icmp(f, 3, 1);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1 > 10.0.0.2 ICMP type 3 code 1, 98 bytes");
    /* Id and seq are unsigned 16-bit. */
    n = build_icmp(f, 8, 0);
    put16(f + 34 + 4, 0xffff);
    put16(f + 34 + 6, 0x8000);
    CHECK_STR_CONTAINS(line(f, n), "ICMP echo request id 65535 seq 32768, 98 bytes");
    /* A kept prefix that holds the headers decodes in full; the wire length stays. */
    char out[128];
    decode(f, 42, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, "ICMP echo request id 65535 seq 32768, 98 bytes");
    decode(f, 40, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, "IPv4 10.0.0.1 > 10.0.0.2 ICMP echo request [truncated], 98 bytes");
    decode(f, 35, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, "IPv4 10.0.0.1 > 10.0.0.2 ICMP [truncated], 98 bytes");
}

UNIT_TEST(udp)
{
    uint8_t f[128];
    size_t n = build_udp(f, 5353, 53, 12);
    CHECK_EQ_U64(n, 54);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1.5353 > 10.0.0.2.53 UDP len 12, 54 bytes");
    n = build_udp(f, 68, 67, 0);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1.68 > 10.0.0.2.67 UDP len 0, 42 bytes");
    put16(f + 34 + 4, 3);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1.68 > 10.0.0.2.67 UDP (bad length 3), 42 bytes");
    n = build_udp(f, 65535, 1, 4);
    char out[128];
    decode(f, 38, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, "IPv4 10.0.0.1.65535 > 10.0.0.2.1 UDP [truncated], 46 bytes");
    decode(f, 37, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, "IPv4 10.0.0.1 > 10.0.0.2 UDP [truncated], 46 bytes");
}

UNIT_TEST(tcp)
{
    uint8_t f[256];
    size_t n = build_tcp(f, 0x02, 1000, 0, 0);
    CHECK_EQ_U64(n, 54);
    CHECK_LINE(f, n,
               A_TO_B "IPv4 10.0.0.1.40000 > 10.0.0.2.80 TCP [S] seq 1000 win 64240 len 0, "
                      "54 bytes");
    n = build_tcp(f, 0x12, 2000, 1001, 0);
    CHECK_LINE(f, n,
               A_TO_B "IPv4 10.0.0.1.40000 > 10.0.0.2.80 TCP [S.] seq 2000 ack 1001 win "
                      "64240 len 0, 54 bytes");
    n = build_tcp(f, 0x18, 4294967295u, 2147483648u, 100);
    CHECK_LINE(f, n,
               A_TO_B "IPv4 10.0.0.1.40000 > 10.0.0.2.80 TCP [P.] seq 4294967295 ack "
                      "2147483648 win 64240 len 100, 154 bytes");
    n = build_tcp(f, 0x11, 5, 6, 0);
    CHECK_STR_CONTAINS(line(f, n), "TCP [F.] seq 5 ack 6 win 64240 len 0, 54 bytes");
    n = build_tcp(f, 0x04, 5, 0, 0);
    CHECK_STR_CONTAINS(line(f, n), "TCP [R] seq 5 win 64240 len 0,");
    n = build_tcp(f, 0xff, 1, 2, 0);
    CHECK_STR_CONTAINS(line(f, n), "TCP [FSRP.UEW] seq 1 ack 2 win");
    n = build_tcp(f, 0x00, 1, 2, 0);
    CHECK_STR_CONTAINS(line(f, n), "TCP [none] seq 1 win");
    /* SYN with 12 bytes of options: the data offset, not 20, sizes the data. */
    n = build_tcp(f, 0x02, 1, 0, 12);
    f[34 + 12] = 8 << 4;
    CHECK_STR_CONTAINS(line(f, n), "TCP [S] seq 1 win 64240 len 0, 66 bytes");
    /* A data offset below 5 or past the datagram: the size is unknown, not made up. */
    f[34 + 12] = 2 << 4;
    CHECK_STR_CONTAINS(line(f, n), "TCP [S] seq 1 win 64240, 66 bytes");
    f[34 + 12] = 15 << 4;
    CHECK_STR_CONTAINS(line(f, n), "TCP [S] seq 1 win 64240, 66 bytes");
    /* Ethernet padding after a short segment is not data. */
    n = build_tcp(f, 0x10, 1, 1, 0);
    memset(f + n, 0, 60 - n);
    CHECK_STR_CONTAINS(line(f, 60), "TCP [.] seq 1 ack 1 win 64240 len 0, 60 bytes");
}

UNIT_TEST(ipv4_other)
{
    uint8_t f[128];
    size_t n = eth(f, mac_a, mac_b, 0x0800);
    n += ipv4(f + n, 47, 24);
    memset(f + n, 0, 24);
    n += 24;
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1 > 10.0.0.2 proto 47, 58 bytes");
    /* A non-first fragment: offset 185 * 8, no L4 header to decode. */
    n = build_udp(f, 1, 2, 20);
    put16(f + 14 + 6, 185);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1 > 10.0.0.2 frag off 1480 proto 17, 62 bytes");
    put16(f + 14 + 6, 0x2000 | 185); /* more fragments too */
    CHECK_STR_CONTAINS(line(f, n), "frag off 1480 proto 17");
    /* The first fragment (more fragments, offset 0) has the ports. */
    put16(f + 14 + 6, 0x2000);
    CHECK_STR_CONTAINS(line(f, n), "IPv4 10.0.0.1.1 > 10.0.0.2.2 UDP len 20, 62 bytes");
}

UNIT_TEST(ipv4_options)
{
    uint8_t f[128];
    /* IHL 6: a 4-byte option (NOPs) before the UDP header. */
    size_t n = eth(f, mac_a, mac_b, 0x0800);
    ipv4(f + n, 17, 4 + 8);
    f[n] = 0x46;
    memset(f + n + 20, 1, 4);
    uint8_t *u = f + n + 24;
    put16(u, 1234);
    put16(u + 2, 5678);
    put16(u + 4, 8);
    put16(u + 6, 0);
    n += 32;
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1.1234 > 10.0.0.2.5678 UDP len 0, 46 bytes");
    /* IHL 15 claims 60 bytes of header the kept bytes do not hold. */
    f[14] = 0x4f;
    put16(f + 14 + 2, 200);
    char out[128];
    decode(f, n, 214, out, sizeof(out));
    CHECK_STR_CONTAINS(out, A_TO_B "IPv4 10.0.0.1 > 10.0.0.2 [truncated], 214 bytes");
    /* A total length shorter than the header it claims is a bad header... */
    put16(f + 14 + 2, 24);
    CHECK_STR_CONTAINS(line(f, n), "IPv4 (bad header)");
    /* ...and an L4 header past the total length is truncated, whatever was kept. */
    f[14] = 0x46;
    put16(f + 14 + 2, 26);
    CHECK_LINE(f, n, A_TO_B "IPv4 10.0.0.1 > 10.0.0.2 UDP [truncated], 46 bytes");
}

UNIT_TEST(ipv4_bad_header)
{
    uint8_t f[128];
    size_t n = build_icmp(f, 8, 0);
    f[14] = 0x44; /* IHL 4: shorter than the fixed header */
    CHECK_LINE(f, n, A_TO_B "IPv4 (bad header), 98 bytes");
    f[14] = 0x40;
    CHECK_LINE(f, n, A_TO_B "IPv4 (bad header), 98 bytes");
    f[14] = 0x65; /* version 6 under ethertype IPv4 */
    CHECK_LINE(f, n, A_TO_B "IPv4 (bad header), 98 bytes");
    f[14] = 0x45;
    put16(f + 14 + 2, 19); /* total length shorter than the header */
    CHECK_LINE(f, n, A_TO_B "IPv4 (bad header), 98 bytes");
    /* The version is known from the first byte, before the rest is there. */
    char out[128];
    f[14] = 0x65;
    decode(f, 15, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, "IPv4 (bad header), 98 bytes");
    f[14] = 0x45;
    decode(f, 33, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, A_TO_B "IPv4 [truncated], 98 bytes");
    decode(f, 14, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, A_TO_B "IPv4 [truncated], 98 bytes");
}

UNIT_TEST(ipv6)
{
    uint8_t f[128];
    size_t n = eth(f, mac_a, mac_b, 0x86dd);
    uint8_t *h = f + n;
    memset(h, 0, 40);
    h[0] = 0x60;
    put16(h + 4, 8);
    h[6] = 58; /* ICMPv6 */
    h[7] = 255;
    h[8] = 0xfe;
    h[9] = 0x80;
    h[23] = 1;
    h[24] = 0xff;
    h[25] = 0x02;
    h[39] = 1;
    n += 40;
    memset(f + n, 0, 8);
    n += 8;
    CHECK_LINE(f, n, A_TO_B "IPv6 fe80::1 > ff02::1 next-header 58, 62 bytes");
    static const uint8_t full[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                     0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44};
    memcpy(h + 8, full, 16);
    h[6] = 17;
    CHECK_STR_CONTAINS(line(f, n),
                       "IPv6 2001:db8:1234:5678:9abc:def0:1122:3344 > ff02::1 next-header 17");
    char out[128];
    decode(f, 53, n, out, sizeof(out));
    CHECK_STR_CONTAINS(out, A_TO_B "IPv6 [truncated], 62 bytes");
    h[0] = 0x45;
    CHECK_LINE(f, n, A_TO_B "IPv6 (bad header), 62 bytes");
}

UNIT_TEST(vlan)
{
    uint8_t f[160], inner[128];
    size_t m = build_icmp(inner, 8, 0);
    /* 802.1Q tag, priority 5, VLAN 100, between the MACs and the IPv4 ethertype. */
    memcpy(f, inner, 12);
    put16(f + 12, 0x8100);
    put16(f + 14, 5 << 13 | 100);
    memcpy(f + 16, inner + 12, m - 12);
    size_t n = m + 4;
    CHECK_LINE(f, n,
               A_TO_B "vlan 100, IPv4 10.0.0.1 > 10.0.0.2 ICMP echo request id 7 seq 1, 102 bytes");
    /* 802.1ad outside 802.1Q. */
    memcpy(f, inner, 12);
    put16(f + 12, 0x88a8);
    put16(f + 14, 10);
    put16(f + 16, 0x8100);
    put16(f + 18, 20);
    put16(f + 20, 0x0806);
    n = 22;
    char out[128];
    decode(f, n, n, out, sizeof(out));
    CHECK(strcmp(out, A_TO_B "vlan 10, vlan 20, ARP [truncated], 22 bytes") == 0);
    decode(f, 17, 64, out, sizeof(out));
    CHECK(strcmp(out, A_TO_B "vlan [truncated], 64 bytes") == 0);
    decode(f, 20, 64, out, sizeof(out));
    CHECK(strcmp(out, A_TO_B "vlan 10, vlan [truncated], 64 bytes") == 0);
}

UNIT_TEST(other_ethertypes)
{
    uint8_t f[64] = {0};
    size_t n = eth(f, mac_a, mac_b, 0x88cc);
    CHECK_LINE(f, 60, A_TO_B "ethertype 0x88cc, 60 bytes");
    eth(f, mac_a, mac_b, 0x0042); /* an 802.3 length field */
    CHECK_LINE(f, 60, A_TO_B "ethertype 0x0042, 60 bytes");
    /* Just the header: the decode has nothing after the ethertype. */
    eth(f, mac_a, mac_b, 0x0800);
    CHECK_LINE(f, n, A_TO_B "IPv4 [truncated], 14 bytes");
    eth(f, mac_a, mac_b, 0x0806);
    CHECK_LINE(f, n, A_TO_B "ARP [truncated], 14 bytes");
    eth(f, mac_a, mac_b, 0x86dd);
    CHECK_LINE(f, n, A_TO_B "IPv6 [truncated], 14 bytes");
    eth(f, mac_a, mac_b, 0x1234);
    CHECK_LINE(f, n, A_TO_B "ethertype 0x1234, 14 bytes");
    /* Lowercase hex in the MACs. */
    static const uint8_t odd[6] = {0xAB, 0xCD, 0xEF, 0x00, 0x9a, 0xff};
    eth(f, odd, mac_b, 0x1234);
    CHECK_STR_CONTAINS(line(f, n), "ab:cd:ef:00:9a:ff > 02:00:00:00:00:02, ");
}

UNIT_TEST(runts_and_short_captures)
{
    uint8_t f[128];
    char out[128];
    size_t n = build_icmp(f, 8, 0);
    CHECK_LINE(f, 9, "runt frame, 9 bytes");
    CHECK_LINE(f, 13, "runt frame, 13 bytes");
    CHECK(frame_decode(NULL, 0, 0, out, sizeof(out)) == strlen("runt frame, 0 bytes"));
    CHECK(strcmp(out, "runt frame, 0 bytes") == 0);
    decode(f, 13, n, out, sizeof(out));
    CHECK(strcmp(out, "ethernet [truncated], 98 bytes") == 0);
    CHECK(frame_decode(NULL, 0, 1514, out, sizeof(out)) == strlen(out));
    CHECK(strcmp(out, "ethernet [truncated], 1514 bytes") == 0);
    /* A caplen past the wire length is the wire length: nothing past it is read. */
    decode(f, 42, 13, out, sizeof(out));
    CHECK(strcmp(out, "runt frame, 13 bytes") == 0);
    decode(f, n, 40, out, sizeof(out));
    CHECK_STR_CONTAINS(out, "ICMP echo request [truncated], 40 bytes");
}

/* Every prefix of frame f (full length n) decodes within bounds to a line ending in the
 * wire length, with " [truncated]" until the decode is complete at full_at bytes. */
static int check_prefixes(const uint8_t *f, size_t n, size_t full_at)
{
    char full[256], out[256], tail[32];
    snprintf(tail, sizeof(tail), ", %zu bytes", n);
    decode(f, n, n, full, sizeof(full));
    for (size_t cap = 0; cap <= n; cap++) {
        size_t len = decode(f, cap, n, out, sizeof(out));
        size_t tl = strlen(tail);
        if (len != strlen(out) || len < tl || strcmp(out + len - tl, tail) != 0) {
            printf("    caplen %zu: \"%s\"\n", cap, out);
            return 0;
        }
        int complete = strcmp(out, full) == 0;
        if (complete != (cap >= full_at) || complete == (strstr(out, "[truncated]") != NULL)) {
            printf("    caplen %zu: \"%s\"\n", cap, out);
            return 0;
        }
    }
    return 1;
}

UNIT_TEST(every_prefix)
{
    uint8_t f[256];
    size_t n = build_icmp(f, 8, 0);
    CHECK(check_prefixes(f, n, 42));
    n = build_tcp(f, 0x18, 1, 2, 100);
    CHECK(check_prefixes(f, n, 54));
    n = build_udp(f, 1, 2, 30);
    CHECK(check_prefixes(f, n, 42));
    n = build_arp(f, 1);
    CHECK(check_prefixes(f, n, 42));
}

UNIT_TEST(hostile_bytes)
{
    /* Random headers behind every interesting ethertype, IPv4 headers with each protocol,
     * at random kept lengths: under ASan, any read past caplen is a report. */
    static const unsigned types[] = {0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x1234};
    static const uint8_t protos[] = {1, 6, 17, 47};
    uint32_t seed = 12345;
    uint8_t f[128];
    char out[160];
    for (int round = 0; round < 20000; round++) {
        for (size_t i = 0; i < sizeof(f); i++) {
            seed = seed * 1103515245u + 12345u;
            f[i] = (uint8_t)(seed >> 16);
        }
        put16(f + 12, types[round % 6]);
        if (round % 2)
            f[14] = 0x45 + (f[14] & 0x0a); /* mostly-valid IPv4 headers */
        f[14 + 9] = protos[(round / 6) % 4];
        if (round % 5 == 0)
            put16(f + 14 + 6, 0); /* first fragments, to reach the L4 decodes */
        size_t wire = (seed >> 8) % 200;
        size_t cap = wire < sizeof(f) ? wire : sizeof(f);
        cap -= (seed >> 4) % (cap + 1) / 2;
        size_t len = decode(f, cap, wire, out, sizeof(out));
        CHECK(len == strlen(out) && len < sizeof(out));
    }
}

UNIT_TEST(small_output_buffers)
{
    uint8_t f[128];
    size_t n = build_icmp(f, 8, 0);
    char full[128];
    size_t whole = frame_decode(f, n, n, full, sizeof(full));
    char out[16];
    memset(out, 'x', sizeof(out));
    CHECK_EQ_U64(frame_decode(f, n, n, out, 1), 0);
    CHECK(out[0] == '\0' && out[1] == 'x');
    memset(out, 'x', sizeof(out));
    CHECK_EQ_U64(frame_decode(f, n, n, out, 2), 1);
    CHECK(strcmp(out, "0") == 0 && out[2] == 'x');
    memset(out, 'x', sizeof(out));
    CHECK_EQ_U64(frame_decode(f, n, n, out, 10), 9);
    CHECK(strcmp(out, "02:00:00:") == 0 && out[10] == 'x');
    char untouched = 'x';
    CHECK_EQ_U64(frame_decode(f, n, n, &untouched, 0), 0);
    CHECK(untouched == 'x');
    /* Every size in between is a prefix of the whole line. */
    for (size_t size = 1; size <= whole + 1; size++) {
        char buf[128];
        size_t len = frame_decode(f, n, n, buf, size);
        CHECK(len == (size - 1 < whole ? size - 1 : whole));
        CHECK(strncmp(buf, full, len) == 0 && buf[len] == '\0');
    }
}

int main(void)
{
    UNIT_RUN(arp);
    UNIT_RUN(arp_truncated);
    UNIT_RUN(icmp);
    UNIT_RUN(udp);
    UNIT_RUN(tcp);
    UNIT_RUN(ipv4_other);
    UNIT_RUN(ipv4_options);
    UNIT_RUN(ipv4_bad_header);
    UNIT_RUN(ipv6);
    UNIT_RUN(vlan);
    UNIT_RUN(other_ethertypes);
    UNIT_RUN(runts_and_short_captures);
    UNIT_RUN(every_prefix);
    UNIT_RUN(hostile_bytes);
    UNIT_RUN(small_output_buffers);
    return UNIT_EXIT_STATUS();
}
