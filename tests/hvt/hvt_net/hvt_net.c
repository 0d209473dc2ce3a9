/*
 * hvt_net: a ping server on Solo5's hvt ABI, for the network calls of that ABI without a
 * Solo5 tree (CI has none): manifest entry 1 is network device "service0".
 *
 *   ukvm --net:service0=TAP build/hvt_net.hvt [count=N] [checks]
 *
 * It takes its MAC address and MTU from the monitor's copy of the manifest, answers ARP
 * and ICMP echo for 10.0.0.2, and exits 0 after count=N echo replies (default 10). With
 * the word "checks" it first tests the calls' rules and prints "checks: ok": a handle
 * that is not a network device and a frame over the MTU get HVT_R_EINVAL, a read with
 * nothing waiting gets HVT_R_AGAIN, a POLL with a frame waiting sets that handle's bit.
 */
#include "hvt_rt.h"

#define NET 1 /* the manifest index of service0 */

HVT_MANIFEST(2, HVT_MFT_RESERVED, HVT_MFT_NET("service0"));

static const uint8_t my_ip[4] = {10, 0, 0, 2};
static uint8_t mac[6];
static uint8_t frame[9000 + 14];

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Turns an ARP request or ICMP echo request for my_ip into its reply; false otherwise. */
/* Out of line, so that a debugger can stop on each answer (tests/scripts/hvt_net.sh). */
static __attribute__((noinline, noclone)) int answer(uint8_t *f, uint64_t len, int *echo)
{
    *echo = 0;
    if (len >= 42 && be16(f + 12) == 0x0806) {
        uint8_t *a = f + 14;
        if (be16(a + 6) != 1 || memcmp(a + 24, my_ip, 4) != 0)
            return 0;
        memcpy(f, f + 6, 6);
        memcpy(f + 6, mac, 6);
        a[7] = 2;
        memmove(a + 18, a + 8, 10);
        memcpy(a + 8, mac, 6);
        memcpy(a + 14, my_ip, 4);
        return 1;
    }
    if (len >= 42 && be16(f + 12) == 0x0800) {
        uint8_t *ip = f + 14, *icmp = ip + 20, tmp[4];
        if (ip[0] != 0x45 || ip[9] != 1 || memcmp(ip + 16, my_ip, 4) != 0 || icmp[0] != 8)
            return 0;
        memcpy(f, f + 6, 6);
        memcpy(f + 6, mac, 6);
        memcpy(tmp, ip + 12, 4);
        memcpy(ip + 12, ip + 16, 4);
        memcpy(ip + 16, tmp, 4);
        icmp[0] = 0;
        uint32_t sum = (uint32_t)(uint16_t)~be16(icmp + 2) + 0xf7ff; /* RFC 1624 */
        sum = (sum & 0xffff) + (sum >> 16);
        icmp[2] = (uint8_t)(~sum >> 8);
        icmp[3] = (uint8_t)~sum;
        *echo = 1;
        return 1;
    }
    return 0;
}

static void checks(uint64_t mtu)
{
    HVT_CHECK(hvt_net_write(0, frame, 60) == HVT_R_EINVAL); /* the reserved entry */
    HVT_CHECK(hvt_net_write(2, frame, 60) == HVT_R_EINVAL); /* no such entry */
    HVT_CHECK(hvt_net_write(NET, frame, mtu + 15) == HVT_R_EINVAL);
    HVT_CHECK(hvt_net_read(NET, frame, mtu + 13, NULL) == HVT_R_EINVAL);
    hvt_puts("checks: ok\n");
}

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    const struct hvt_mft_entry *e = &hvt_manifest()->e[NET];
    HVT_CHECK(e->attached);
    memcpy(mac, e->u.net.mac, 6);
    uint64_t mtu = e->u.net.mtu;
    HVT_CHECK(mtu >= 68 && mtu <= 9000);
    hvt_printf("hvt_net: service0 MAC %02x:%02x:%02x:%02x:%02x:%02x MTU %u\n", mac[0], mac[1],
               mac[2], mac[3], mac[4], mac[5], (unsigned)mtu);
    if (hvt_has_word("checks"))
        checks(mtu);
    uint64_t count = hvt_arg_u64("count", 10), replies = 0;
    while (replies < count) {
        uint64_t ready = 0;
        int n = hvt_poll(1000000000ull, &ready);
        HVT_CHECK((ready & ~(1ull << NET)) == 0 && (n == 0) == (ready == 0));
        if (!ready)
            continue;
        for (;;) {
            uint64_t len = 0;
            int r = hvt_net_read(NET, frame, mtu + 14, &len);
            if (r == HVT_R_AGAIN)
                break;
            HVT_CHECK(r == HVT_R_OK && len >= 14 && len <= mtu + 14);
            int echo;
            if (answer(frame, len, &echo)) {
                HVT_CHECK(hvt_net_write(NET, frame, len) == HVT_R_OK);
                replies += (uint64_t)echo;
            }
        }
    }
    hvt_printf("hvt_net: %u echo replies\nSUCCESS\n", (unsigned)replies);
    return 0;
}
