/*
 * frame_decode.c: one-line summaries of Ethernet frames (frame_decode.h has the format).
 *
 * The frames come from the guest, so every header field is hostile: each read goes
 * through has(), which checks the bytes against what was kept of the frame, never against
 * a length the frame claims for itself.
 */
#include "frame_decode.h"

#include <arpa/inet.h>
#include <stdbool.h>

#include "strbuf.h"

#define ETH_HEADER_LEN    14
#define ETHERTYPE_IPV4    0x0800
#define ETHERTYPE_ARP     0x0806
#define ETHERTYPE_VLAN    0x8100 /* 802.1Q customer tag */
#define ETHERTYPE_QINQ    0x88a8 /* 802.1ad service tag, outside a customer tag */
#define ETHERTYPE_IPV6    0x86dd
#define VLAN_TAG_LEN      4
#define ARP_FIXED_LEN     8  /* hardware and protocol types and lengths, operation */
#define ARP_IPV4_LEN      28 /* ... and the Ethernet/IPv4 addresses */
#define IPV4_MIN_HEADER   20
#define IPV6_HEADER_LEN   40
#define IPPROTO_NUM_ICMP  1
#define IPPROTO_NUM_TCP   6
#define IPPROTO_NUM_UDP   17
#define ICMP_ECHO_REPLY   0
#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_LEN     8 /* type, code, checksum, id, seq */
#define UDP_HEADER_LEN    8
#define TCP_MIN_HEADER    20
#define TCP_ACK           0x10

/* What is left of the frame from some header on: len bytes at p, all of them readable. */
struct bytes {
    const uint8_t *p;
    size_t len;
};

/* True when n bytes from off are inside b, without overflow whatever off and n are. */
static bool has(const struct bytes *b, size_t off, size_t n)
{
    return off <= b->len && n <= b->len - off;
}

/* The bytes of b from off on; the caller checked has(b, off, 0). */
static struct bytes from(const struct bytes *b, size_t off)
{
    return (struct bytes){b->p + off, b->len - off};
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned long be32(const uint8_t *p)
{
    return (unsigned long)be16(p) << 16 | be16(p + 2);
}

static void truncated(struct strbuf *sb)
{
    strbuf_printf(sb, " [truncated]");
}

static void put_mac(struct strbuf *sb, const uint8_t *m)
{
    strbuf_printf(sb, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void put_ipv4(struct strbuf *sb, const uint8_t *a)
{
    strbuf_printf(sb, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* " SRC > DST", or with ports (non-NULL l4, at least 4 bytes) " SRC.PORT > DST.PORT". */
static void put_endpoints(struct strbuf *sb, const uint8_t *ip, const uint8_t *l4)
{
    strbuf_printf(sb, " ");
    put_ipv4(sb, ip + 12);
    if (l4)
        strbuf_printf(sb, ".%u", be16(l4));
    strbuf_printf(sb, " > ");
    put_ipv4(sb, ip + 16);
    if (l4)
        strbuf_printf(sb, ".%u", be16(l4 + 2));
}

static void decode_arp(struct strbuf *sb, struct bytes b)
{
    strbuf_printf(sb, "ARP");
    if (!has(&b, 0, ARP_FIXED_LEN)) {
        truncated(sb);
        return;
    }
    unsigned hrd = be16(b.p), pro = be16(b.p + 2), hln = b.p[4], pln = b.p[5];
    unsigned op = be16(b.p + 6);
    if (hrd != 1 || pro != ETHERTYPE_IPV4 || hln != 6 || pln != 4) {
        strbuf_printf(sb, " op %u (hrd %u pro 0x%04x hln %u pln %u)", op, hrd, pro, hln, pln);
        return;
    }
    if (op != 1 && op != 2) {
        strbuf_printf(sb, " op %u", op);
        return;
    }
    strbuf_printf(sb, op == 1 ? " who-has" : " reply");
    if (!has(&b, 0, ARP_IPV4_LEN)) {
        truncated(sb);
        return;
    }
    /* Sender MAC at 8, sender IP at 14, target MAC at 18, target IP at 24. */
    if (op == 1) {
        strbuf_printf(sb, " ");
        put_ipv4(sb, b.p + 24);
        strbuf_printf(sb, " tell ");
        put_ipv4(sb, b.p + 14);
    } else {
        strbuf_printf(sb, " ");
        put_ipv4(sb, b.p + 14);
        strbuf_printf(sb, " is-at ");
        put_mac(sb, b.p + 8);
    }
}

static void decode_icmp(struct strbuf *sb, const uint8_t *ip, struct bytes l4)
{
    put_endpoints(sb, ip, NULL);
    strbuf_printf(sb, " ICMP");
    if (!has(&l4, 0, 2)) {
        truncated(sb);
        return;
    }
    unsigned type = l4.p[0], code = l4.p[1];
    if (type != ICMP_ECHO_REQUEST && type != ICMP_ECHO_REPLY) {
        strbuf_printf(sb, " type %u code %u", type, code);
        return;
    }
    strbuf_printf(sb, type == ICMP_ECHO_REQUEST ? " echo request" : " echo reply");
    if (!has(&l4, 0, ICMP_ECHO_LEN)) {
        truncated(sb);
        return;
    }
    strbuf_printf(sb, " id %u seq %u", be16(l4.p + 4), be16(l4.p + 6));
}

static void decode_udp(struct strbuf *sb, const uint8_t *ip, struct bytes l4)
{
    if (!has(&l4, 0, 4)) {
        put_endpoints(sb, ip, NULL);
        strbuf_printf(sb, " UDP");
        truncated(sb);
        return;
    }
    put_endpoints(sb, ip, l4.p);
    strbuf_printf(sb, " UDP");
    if (!has(&l4, 0, UDP_HEADER_LEN)) {
        truncated(sb);
        return;
    }
    unsigned ulen = be16(l4.p + 4);
    if (ulen < UDP_HEADER_LEN)
        strbuf_printf(sb, " (bad length %u)", ulen);
    else
        strbuf_printf(sb, " len %u", ulen - UDP_HEADER_LEN);
}

/* ip_payload: the bytes after the IPv4 header by its total length, to size the data. */
static void decode_tcp(struct strbuf *sb, const uint8_t *ip, struct bytes l4, size_t ip_payload)
{
    /* tcpdump's letters, in tcpdump's order (not the bits'): SYN-ACK is "[S.]". */
    static const struct {
        uint8_t bit;
        char letter;
    } flag_letters[] = {{0x01, 'F'}, {0x02, 'S'}, {0x04, 'R'}, {0x08, 'P'},
                        {0x10, '.'}, {0x20, 'U'}, {0x40, 'E'}, {0x80, 'W'}};

    if (!has(&l4, 0, 4)) {
        put_endpoints(sb, ip, NULL);
        strbuf_printf(sb, " TCP");
        truncated(sb);
        return;
    }
    put_endpoints(sb, ip, l4.p);
    strbuf_printf(sb, " TCP");
    if (!has(&l4, 0, TCP_MIN_HEADER)) {
        truncated(sb);
        return;
    }
    unsigned flags = l4.p[13];
    char letters[sizeof(flag_letters) / sizeof(flag_letters[0]) + 1];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(flag_letters) / sizeof(flag_letters[0]); i++)
        if (flags & flag_letters[i].bit)
            letters[n++] = flag_letters[i].letter;
    letters[n] = '\0';
    strbuf_printf(sb, " [%s] seq %lu", n ? letters : "none", be32(l4.p + 4));
    if (flags & TCP_ACK)
        strbuf_printf(sb, " ack %lu", be32(l4.p + 8));
    strbuf_printf(sb, " win %u", be16(l4.p + 14));
    /* A data offset below the minimum or past the datagram leaves the data's size unknown. */
    size_t header = (size_t)(l4.p[12] >> 4) * 4;
    if (header >= TCP_MIN_HEADER && header <= ip_payload)
        strbuf_printf(sb, " len %zu", ip_payload - header);
}

static void decode_ipv4(struct strbuf *sb, struct bytes b)
{
    strbuf_printf(sb, "IPv4");
    if (!has(&b, 0, 1)) {
        truncated(sb);
        return;
    }
    unsigned version = b.p[0] >> 4;
    size_t header = (size_t)(b.p[0] & 0xf) * 4;
    if (version != 4 || header < IPV4_MIN_HEADER) {
        strbuf_printf(sb, " (bad header)");
        return;
    }
    if (!has(&b, 0, IPV4_MIN_HEADER)) {
        truncated(sb);
        return;
    }
    size_t total = be16(b.p + 2);
    if (total < header) {
        strbuf_printf(sb, " (bad header)");
        return;
    }
    /* Bytes past the total length are Ethernet padding (or junk), not the datagram's. */
    if (b.len > total)
        b.len = total;
    unsigned frag_off = (be16(b.p + 6) & 0x1fff) * 8;
    unsigned proto = b.p[9];
    if (frag_off) {
        /* Only the first fragment carries the L4 header. */
        put_endpoints(sb, b.p, NULL);
        strbuf_printf(sb, " frag off %u proto %u", frag_off, proto);
        return;
    }
    if (!has(&b, 0, header)) {
        /* Options cut off: the addresses are known, the L4 header's start is not. */
        put_endpoints(sb, b.p, NULL);
        truncated(sb);
        return;
    }
    struct bytes l4 = from(&b, header);
    switch (proto) {
    case IPPROTO_NUM_ICMP:
        decode_icmp(sb, b.p, l4);
        break;
    case IPPROTO_NUM_UDP:
        decode_udp(sb, b.p, l4);
        break;
    case IPPROTO_NUM_TCP:
        decode_tcp(sb, b.p, l4, total - header);
        break;
    default:
        put_endpoints(sb, b.p, NULL);
        strbuf_printf(sb, " proto %u", proto);
        break;
    }
}

static void decode_ipv6(struct strbuf *sb, struct bytes b)
{
    strbuf_printf(sb, "IPv6");
    if (!has(&b, 0, 1)) {
        truncated(sb);
        return;
    }
    if (b.p[0] >> 4 != 6) {
        strbuf_printf(sb, " (bad header)");
        return;
    }
    if (!has(&b, 0, IPV6_HEADER_LEN)) {
        truncated(sb);
        return;
    }
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, b.p + 8, src, sizeof(src)) ||
        !inet_ntop(AF_INET6, b.p + 24, dst, sizeof(dst))) {
        strbuf_printf(sb, " (bad header)"); /* cannot happen: the buffers fit any address */
        return;
    }
    strbuf_printf(sb, " %s > %s next-header %u", src, dst, b.p[6]);
}

/* The payload of ethertype type, after any VLAN tags; b starts after the ethertype. */
static void decode_ethertype(struct strbuf *sb, unsigned type, struct bytes b)
{
    /* A loop, not recursion: a frame of nothing but tags must not cost stack per tag. */
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
        if (!has(&b, 0, VLAN_TAG_LEN)) {
            strbuf_printf(sb, "vlan");
            truncated(sb);
            return;
        }
        strbuf_printf(sb, "vlan %u, ", be16(b.p) & 0xfff);
        type = be16(b.p + 2);
        b = from(&b, VLAN_TAG_LEN);
    }
    switch (type) {
    case ETHERTYPE_ARP:
        decode_arp(sb, b);
        break;
    case ETHERTYPE_IPV4:
        decode_ipv4(sb, b);
        break;
    case ETHERTYPE_IPV6:
        decode_ipv6(sb, b);
        break;
    default:
        strbuf_printf(sb, "ethertype 0x%04x", type);
        break;
    }
}

size_t frame_decode(const uint8_t *frame, size_t caplen, size_t wire_len, char *out, size_t outlen)
{
    struct strbuf sb;
    strbuf_init(&sb, out, outlen);
    if (caplen > wire_len)
        caplen = wire_len;
    if (wire_len < ETH_HEADER_LEN) {
        strbuf_printf(&sb, "runt frame, %zu bytes", wire_len);
        return sb.pos;
    }
    if (caplen < ETH_HEADER_LEN) {
        strbuf_printf(&sb, "ethernet [truncated], %zu bytes", wire_len);
        return sb.pos;
    }
    put_mac(&sb, frame + 6);
    strbuf_printf(&sb, " > ");
    put_mac(&sb, frame);
    strbuf_printf(&sb, ", ");
    decode_ethertype(&sb, be16(frame + 12),
                     (struct bytes){frame + ETH_HEADER_LEN, caplen - ETH_HEADER_LEN});
    strbuf_printf(&sb, ", %zu bytes", wire_len);
    return sb.pos;
}
