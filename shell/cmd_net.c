/*
 * cmd_net.c: the guest's network devices and their recent traffic: `net`.
 */
#include "command.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "expr.h"
#include "ukvm/devices/net_dev.h"
#include "ukvm/inspect/frame_decode.h"

#define NET_DEFAULT_FRAMES 8

/* "HH:MM:SS.uuuuuu", local time, as tcpdump prints it. */
static void format_time(uint64_t ns, char *buf, size_t len)
{
    time_t secs = (time_t)(ns / 1000000000ull);
    struct tm tm;
    if (!localtime_r(&secs, &tm)) {
        snprintf(buf, len, "?");
        return;
    }
    snprintf(buf, len, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
             (unsigned)(ns % 1000000000ull / 1000));
}

static void print_device(FILE *out, const struct net_dev *d, uint64_t nframes)
{
    const uint8_t *m = d->mac;
    fprintf(out, "%s: tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u\n", d->name, d->ifname,
            m[0], m[1], m[2], m[3], m[4], m[5], d->mtu);
    const struct net_stats *s = &d->stats;
    fprintf(out, "  in:  %" PRIu64 " frames, %" PRIu64 " bytes\n", s->frames_in, s->bytes_in);
    fprintf(out,
            "  out: %" PRIu64 " frames, %" PRIu64 " bytes, %" PRIu64
            " dropped (tap queue full), %" PRIu64 " refused (bad length)\n",
            s->frames_out, s->bytes_out, s->drops_out, s->refused_out);
    if (d->pcap_path)
        fprintf(out, "  capture: %s, %" PRIu64 " frames%s\n", d->pcap_path, d->pcap.frames,
                d->pcap.error ? " (writing failed)" : "");
    uint64_t kept = d->recent_count < NET_RECENT_FRAMES ? d->recent_count : NET_RECENT_FRAMES;
    if (kept == 0) {
        fprintf(out, "  no frames yet\n");
        return;
    }
    if (nframes > kept)
        nframes = kept;
    if (nframes == 0)
        return;
    fprintf(out, "  last %" PRIu64 " of %" PRIu64 " frames, oldest first:\n", nframes,
            d->recent_count);
    for (uint64_t seq = d->recent_count - nframes; seq < d->recent_count; seq++) {
        const struct net_frame_record *r = &d->recent[seq % NET_RECENT_FRAMES];
        char when[32], line[256];
        format_time(r->realtime_ns, when, sizeof(when));
        frame_decode(r->bytes, r->caplen, r->wire_len, line, sizeof(line));
        fprintf(out, "  #%-6" PRIu64 " %s %-3s %s\n", seq + 1, when, r->sent ? "out" : "in", line);
    }
}

static int run_net(const struct command_env *env, int argc, char **argv, FILE *out)
{
    if (argc > 3)
        return command_usage_error(out, &cmd_net, "too many arguments");
    const struct net_devs *nets = env->nets;
    const char *name = NULL;
    uint64_t n = NET_DEFAULT_FRAMES;
    char err[160];
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] >= '0' && argv[i][0] <= '9') {
            if (expr_parse_count(argv[i], 0, NET_RECENT_FRAMES, &n, err, sizeof(err)) != 0)
                return command_usage_error(out, &cmd_net, "N: %s", err);
        } else if (!name) {
            name = argv[i];
        } else {
            return command_usage_error(out, &cmd_net, "one device name at most");
        }
    }
    if (!nets || nets->count == 0) {
        if (name)
            return command_error(out, &cmd_net, "no network device '%s': the guest has none", name);
        fprintf(out, "no network devices (ukvm --net:NAME=TAP attaches one)\n");
        return 0;
    }
    bool found = false;
    for (size_t i = 0; i < nets->count; i++) {
        if (name && strcmp(nets->devs[i].name, name) != 0)
            continue;
        print_device(out, &nets->devs[i], n);
        found = true;
    }
    if (!found)
        return command_error(out, &cmd_net, "no network device '%s'", name);
    return 0;
}

const struct command cmd_net = {
    .name = "net",
    .aliases = "network",
    .usage = "net [NAME] [N]",
    .summary = "network devices: counters and the last N frames, decoded",
    .help = "For each network device (or only NAME): its tap interface, the MAC address and\n"
            "MTU the guest sees, frames and bytes in and out, frames the tap could not take\n"
            "(dropped) and writes refused for a bad length, the capture file (--pcap), and\n"
            "the last N frames (0-16, default 8), oldest first: number, local time,\n"
            "direction (in: to the guest), and one line of Ethernet, ARP, IPv4, ICMP, UDP\n"
            "or TCP headers.\n"
            "Example:\n"
            "  net service0 2\n"
            "  service0: tap tap100, MAC 02:00:00:00:00:2a, MTU 1500\n"
            "    in:  3 frames, 238 bytes\n"
            "    out: 2 frames, 140 bytes, 0 dropped (tap queue full), 0 refused (bad length)\n"
            "    last 2 of 5 frames, oldest first:\n"
            "    #4      10:05:19.494570 in  ce:5d:...:8a > 02:00:00:00:00:2a, IPv4 10.0.0.1 >\n"
            "            10.0.0.2 ICMP echo request id 30448 seq 1, 98 bytes\n"
            "    #5      10:05:19.494761 out 02:00:00:00:00:2a > ce:5d:...:8a, IPv4 10.0.0.2 >\n"
            "            10.0.0.1 ICMP echo reply id 30448 seq 1, 98 bytes\n",
    .run = run_net,
};
