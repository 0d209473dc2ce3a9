/*
 * test_cmd_net.c: the `net` command (shell/cmd_net.c) on network devices built by hand:
 * the counters, the recent frames in order with their numbers, and bad arguments.
 */
#include <stdlib.h>

#include "shell/command.h"
#include "ukvm/devices/net_dev.h"
#include "unit.h"

static struct net_devs nets;
static struct command_env env = {.nets = &nets};
static char *text;

static int run(const char *line)
{
    free(text);
    text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    int rc = command_execute(&env, line, out);
    fclose(out);
    return rc;
}

/* Records a frame the way net_dev.c does. */
static void record(struct net_dev *d, const uint8_t *f, size_t len, bool sent)
{
    struct net_frame_record *r = &d->recent[d->recent_count++ % NET_RECENT_FRAMES];
    r->realtime_ns = 1700000000123456789ull;
    r->wire_len = (uint32_t)len;
    r->caplen = (uint16_t)(len < NET_RECENT_SNAP ? len : NET_RECENT_SNAP);
    r->sent = sent;
    memcpy(r->bytes, f, r->caplen);
}

static const uint8_t arp_request[42] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    10,   0,    0,    1,    0,    0,    0,    0,    0,    0,    10,   0,    0,    2};

UNIT_TEST(no_devices)
{
    CHECK_EQ_U64((uint64_t)run("net"), 0);
    CHECK(strcmp(text, "no network devices (ukvm --net:NAME=TAP attaches one)\n") == 0);
    CHECK_EQ_U64((uint64_t)run("net service0"), (uint64_t)-1);
    CHECK_STR_CONTAINS(text, "net: no network device 'service0': the guest has none");
    env.nets = NULL;
    CHECK_EQ_U64((uint64_t)run("net"), 0);
    env.nets = &nets;
}

UNIT_TEST(device_and_frames)
{
    nets.count = 2;
    struct net_dev *d = &nets.devs[0];
    strcpy(d->name, "service0");
    strcpy(d->ifname, "tap100");
    memcpy(d->mac, "\x02\x00\x00\x00\x00\x2a", 6);
    d->mtu = 1500;
    d->stats = (struct net_stats){.frames_in = 20,
                                  .bytes_in = 840,
                                  .frames_out = 1,
                                  .bytes_out = 42,
                                  .drops_out = 3,
                                  .refused_out = 4};
    for (int i = 0; i < 20; i++)
        record(d, arp_request, sizeof(arp_request), i == 19);
    strcpy(nets.devs[1].name, "service1");
    strcpy(nets.devs[1].ifname, "tap101");
    nets.devs[1].mtu = 9000;

    CHECK_EQ_U64((uint64_t)run("net"), 0);
    CHECK_STR_CONTAINS(text, "service0: tap tap100, MAC 02:00:00:00:00:2a, MTU 1500\n"
                             "  in:  20 frames, 840 bytes\n"
                             "  out: 1 frames, 42 bytes, 3 dropped (tap queue full), 4 refused "
                             "(bad length)\n"
                             "  last 8 of 20 frames, oldest first:\n"
                             "  #13     ");
    CHECK_STR_CONTAINS(text, " in  02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ARP who-has 10.0.0.2 "
                             "tell 10.0.0.1, 42 bytes\n");
    CHECK_STR_CONTAINS(text, "\n  #20     ");
    CHECK_STR_CONTAINS(text, " out 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ARP");
    CHECK(strstr(text, "#12 ") == NULL);
    CHECK_STR_CONTAINS(text, "service1: tap tap101, MAC 00:00:00:00:00:00, MTU 9000\n"
                             "  in:  0 frames, 0 bytes\n");
    CHECK_STR_CONTAINS(text, "  no frames yet\n");

    /* One device, and how many frames: the last N, at most the 16 kept. */
    CHECK_EQ_U64((uint64_t)run("net service0 2"), 0);
    CHECK_STR_CONTAINS(text, "last 2 of 20 frames");
    CHECK(strstr(text, "service1") == NULL && strstr(text, "#18 ") == NULL);
    CHECK_EQ_U64((uint64_t)run("network 16 service0"), 0);
    CHECK_STR_CONTAINS(text, "last 16 of 20 frames, oldest first:\n  #5      ");
    CHECK_EQ_U64((uint64_t)run("net service0 0"), 0);
    CHECK(strstr(text, "last ") == NULL);

    CHECK_EQ_U64((uint64_t)run("net nosuch"), (uint64_t)-1);
    CHECK(strcmp(text, "net: no network device 'nosuch'\n") == 0);
    CHECK_EQ_U64((uint64_t)run("net 17"), (uint64_t)-1);
    CHECK_STR_CONTAINS(text, "out of range (0-16)");
    CHECK_EQ_U64((uint64_t)run("net a b"), (uint64_t)-1);
    CHECK_STR_CONTAINS(text, "one device name at most");
    CHECK_EQ_U64((uint64_t)run("net a 1 2"), (uint64_t)-1);
    CHECK_STR_CONTAINS(text, "too many arguments");
    CHECK_EQ_U64((uint64_t)run("net 99999999999999999999999"), (uint64_t)-1);
}

UNIT_TEST(capture_and_odd_frames)
{
    struct net_dev *d = &nets.devs[1];
    d->pcap_path = "s1.pcap";
    d->pcap.frames = 7;
    static const uint8_t runt[5] = {1, 2, 3, 4, 5};
    record(d, runt, sizeof(runt), false);
    static uint8_t jumbo[9014];
    memcpy(jumbo, arp_request, 14);
    jumbo[12] = 0x88, jumbo[13] = 0xb5; /* a local experimental ethertype */
    record(d, jumbo, sizeof(jumbo), true);
    CHECK_EQ_U64((uint64_t)run("net service1"), 0);
    CHECK_STR_CONTAINS(text, "  capture: s1.pcap, 7 frames\n");
    CHECK_STR_CONTAINS(text, " in  runt frame, 5 bytes\n");
    CHECK_STR_CONTAINS(text, " out 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype 0x88b5, "
                             "9014 bytes\n");
    d->pcap.error = 28;
    CHECK_EQ_U64((uint64_t)run("net service1"), 0);
    CHECK_STR_CONTAINS(text, "  capture: s1.pcap, 7 frames (writing failed)\n");
}

int main(void)
{
    UNIT_RUN(no_devices);
    UNIT_RUN(device_and_frames);
    UNIT_RUN(capture_and_odd_frames);
    free(text);
    return UNIT_EXIT_STATUS();
}
