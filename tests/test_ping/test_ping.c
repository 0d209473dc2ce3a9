/*
 * test_ping: a ping server, ukvm's network example. It answers ARP requests and ICMP
 * echo requests for every IPv4 address on its command line, on one network device.
 *
 *   ukvm --net:service0=tap100 build/test_ping.ukvm [dev=NAME] [count=N] ADDR...
 *
 * dev=NAME serves device NAME instead of service0; count=N exits successfully after N
 * echo replies (else it serves until ukvm is stopped). A reply is the request itself,
 * turned around in place: the work per frame is a few comparisons and swaps, and the
 * ICMP checksum is updated for the one changed word rather than summed again.
 */
#include "solo5.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806
#define MAX_ADDRS      8

static void puts(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static void put_uint(uint64_t v)
{
    char buf[21];
    int i = sizeof(buf) - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts(&buf[i]);
}

static void put_hex_byte(uint8_t b)
{
    static const char digits[] = "0123456789abcdef";
    char s[3] = {digits[b >> 4], digits[b & 15], '\0'};
    puts(s);
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static void copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static struct {
    solo5_handle_t handle;
    struct solo5_net_info info;
    uint8_t addrs[MAX_ADDRS][4];
    int naddrs;
    uint64_t count; /* 0: serve forever */
    uint64_t replies;
} server;

/* The index of a served address equal to ip, or -1. */
static int served(const uint8_t *ip)
{
    for (int i = 0; i < server.naddrs; i++)
        if (same(server.addrs[i], ip, 4))
            return i;
    return -1;
}

/* Parses a dotted quad; false for anything else. */
static bool parse_ipv4(const char *s, uint8_t out[4])
{
    for (int i = 0; i < 4; i++) {
        unsigned v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || v > 255 || *s != (i < 3 ? '.' : '\0'))
            return false;
        out[i] = (uint8_t)v;
        if (i < 3)
            s++;
    }
    return true;
}

static bool parse_uint(const char *s, uint64_t *v)
{
    *v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || *v > (UINT64_MAX - 9) / 10)
            return false;
        *v = *v * 10 + (uint64_t)(*s - '0');
    }
    return true;
}

/*
 * The two answers are kept out of line (noinline) so that a debugger has a place to stop
 * on each: `break answer_echo` stops at every ping.
 */

/* ARP request for one of our addresses: becomes the reply. */
static __attribute__((noinline)) bool answer_arp(uint8_t *f, size_t len)
{
    uint8_t *arp = f + 14;
    if (len < 42 || be16(arp) != 1 || be16(arp + 2) != ETHERTYPE_IPV4 || arp[4] != 6 ||
        arp[5] != 4 || be16(arp + 6) != 1 || served(arp + 24) < 0)
        return false;
    uint8_t ip[4];
    copy(ip, arp + 24, 4);
    copy(f, f + 6, 6); /* to the asker */
    copy(f + 6, server.info.mac_address, 6);
    arp[7] = 2;                  /* reply */
    copy(arp + 18, arp + 8, 10); /* target = the asker's MAC and address */
    copy(arp + 8, server.info.mac_address, 6);
    copy(arp + 14, ip, 4);
    return true;
}

/* ICMP echo request to one of our addresses: becomes the echo reply. */
static __attribute__((noinline)) bool answer_echo(uint8_t *f, size_t len)
{
    uint8_t *ip = f + 14;
    if (len < 14 + 20 + 8 || ip[0] != 0x45 || ip[9] != 1 || served(ip + 16) < 0)
        return false;
    if ((be16(ip + 6) & 0x3fff) != 0)
        return false; /* a fragment: not ours to reassemble */
    uint8_t *icmp = ip + 20;
    if (icmp[0] != 8 || icmp[1] != 0)
        return false;
    uint8_t tmp[6];
    copy(f, f + 6, 6);
    copy(f + 6, server.info.mac_address, 6);
    copy(tmp, ip + 12, 4); /* swapping addresses leaves the header checksum as it was */
    copy(ip + 12, ip + 16, 4);
    copy(ip + 16, tmp, 4);
    icmp[0] = 0;
    /* RFC 1624: the word 0x0800 became 0x0000, so the checksum grows by 0x0800. */
    uint32_t sum = (uint32_t)(uint16_t)~be16(icmp + 2) + 0xf7ff;
    sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    icmp[2] = (uint8_t)(c >> 8);
    icmp[3] = (uint8_t)c;
    return true;
}

static void serve_frames(void)
{
    uint8_t buf[server.info.mtu + SOLO5_NET_HLEN];
    for (;;) {
        size_t len;
        solo5_result_t r = solo5_net_read(server.handle, buf, sizeof(buf), &len);
        if (r == SOLO5_R_AGAIN)
            return;
        if (r != SOLO5_R_OK) {
            puts("ping server: read error\n");
            solo5_exit(SOLO5_EXIT_FAILURE);
        }
        uint16_t type = len >= 14 ? be16(buf + 12) : 0;
        bool echo = false;
        if (type == ETHERTYPE_ARP ? answer_arp(buf, len)
                                  : type == ETHERTYPE_IPV4 && (echo = answer_echo(buf, len))) {
            if (solo5_net_write(server.handle, buf, len) != SOLO5_R_OK) {
                puts("ping server: write error\n");
                solo5_exit(SOLO5_EXIT_FAILURE);
            }
            if (echo && ++server.replies == server.count)
                return;
        }
    }
}

static int usage(void)
{
    puts("usage: test_ping [dev=NAME] [count=N] ADDR... (IPv4 addresses to answer for)\n");
    return SOLO5_EXIT_FAILURE;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    static char args[512];
    const char *dev = "service0";
    size_t n = 0;
    while (si->cmdline[n] && n < sizeof(args) - 1) {
        args[n] = si->cmdline[n];
        n++;
    }
    args[n] = '\0';
    for (char *w = args; *w;) {
        char *end = w;
        while (*end && *end != ' ')
            end++;
        bool last = *end == '\0';
        *end = '\0';
        if (w[0] == 'd' && w[1] == 'e' && w[2] == 'v' && w[3] == '=' && w[4]) {
            dev = w + 4;
        } else if (w[0] == 'c' && same((const uint8_t *)w, (const uint8_t *)"count=", 6)) {
            if (!parse_uint(w + 6, &server.count) || server.count == 0)
                return usage();
        } else if (*w) {
            if (server.naddrs == MAX_ADDRS || !parse_ipv4(w, server.addrs[server.naddrs]))
                return usage();
            server.naddrs++;
        }
        w = last ? end : end + 1;
    }
    if (server.naddrs == 0)
        return usage();
    if (solo5_net_acquire(dev, &server.handle, &server.info) != SOLO5_R_OK) {
        puts("ping server: no network device '");
        puts(dev);
        puts("' (give ukvm --net:");
        puts(dev);
        puts("=TAP)\n");
        return SOLO5_EXIT_FAILURE;
    }
    puts("ping server on ");
    puts(dev);
    puts(", MAC ");
    for (int i = 0; i < 6; i++) {
        put_hex_byte(server.info.mac_address[i]);
        if (i < 5)
            puts(":");
    }
    puts(", MTU ");
    put_uint(server.info.mtu);
    puts(", answering");
    for (int i = 0; i < server.naddrs; i++) {
        puts(" ");
        for (int j = 0; j < 4; j++) {
            put_uint(server.addrs[i][j]);
            if (j < 3)
                puts(".");
        }
    }
    puts("\n");
    while (server.count == 0 || server.replies < server.count) {
        solo5_handle_set_t ready = 0;
        solo5_yield(solo5_clock_monotonic() + 1000000000ull, &ready);
        if (ready & (1ull << server.handle))
            serve_frames();
    }
    puts("ping server: ");
    put_uint(server.replies);
    puts(" echo replies sent\nSUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
