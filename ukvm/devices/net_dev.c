/*
 * net_dev.c: tap-backed network devices (see net_dev.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net_dev.h"
#include "tap_netlink.h"

#define PCAP_SNAPLEN 65535 /* whole frames: a tap frame is at most 64 KiB */

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Reads an interface's flags and MTU through a throw-away socket. 0, or -1 with errno. */
static int interface_info(const char *ifname, short *flags, uint32_t *mtu)
{
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -1;
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    int rc = ioctl(sock, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        *flags = ifr.ifr_flags;
        rc = ioctl(sock, SIOCGIFMTU, &ifr);
        if (rc == 0)
            *mtu = (uint32_t)ifr.ifr_mtu;
    }
    int saved = errno;
    close(sock);
    errno = saved;
    return rc;
}

/*
 * Attaches to the existing tap interface o->iface. It must exist first: TUNSETIFF would
 * otherwise create a new one (for root), and the guest would talk to nobody.
 */
static int attach_tap(struct net_dev *dev, const struct net_option *o, char *err, size_t errlen)
{
    if (if_nametoindex(o->iface) == 0) {
        snprintf(err, errlen,
                 "network device \"%s\": there is no interface %s (create it first: ip tuntap "
                 "add %s mode tap; ip link set %s up)",
                 o->name, o->iface, o->iface, o->iface);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "network device \"%s\": cannot open /dev/net/tun: %s%s", o->name,
                 strerror(errno),
                 errno == EACCES ? " (this user may not use tap devices; see docs/networking.md)"
                                 : "");
        return -1;
    }
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->iface);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        close(fd);
        if (e == EBUSY)
            snprintf(err, errlen,
                     "network device \"%s\": tap %s is in use by another process (a tap "
                     "interface takes one monitor at a time)",
                     o->name, o->iface);
        else if (e == EPERM)
            snprintf(err, errlen,
                     "network device \"%s\": this user may not attach to tap %s (create it "
                     "for this user: ip tuntap add %s mode tap user $USER)",
                     o->name, o->iface, o->iface);
        else if (e == EINVAL)
            snprintf(err, errlen, "network device \"%s\": %s is not a tap interface", o->name,
                     o->iface);
        else
            snprintf(err, errlen, "network device \"%s\": cannot attach to tap %s: %s", o->name,
                     o->iface, strerror(e));
        return -1;
    }
    dev->fd = fd;
    snprintf(dev->ifname, sizeof(dev->ifname), "%s", o->iface);
    return 0;
}

/*
 * Takes the caller's descriptor o->fd: it must be a tap without packet information or
 * virtio headers, since the guest's frames are plain Ethernet.
 */
static int adopt_fd(struct net_dev *dev, const struct net_option *o, char *err, size_t errlen)
{
    struct ifreq ifr = {0};
    if (ioctl(o->fd, TUNGETIFF, &ifr) < 0) {
        snprintf(err, errlen, "network device \"%s\": descriptor %d is not an attached tap: %s",
                 o->name, o->fd, errno == EBADF ? "it is not open" : strerror(errno));
        return -1;
    }
    /* The flags as TUNGETIFF reports them, then as the interface's description does. */
    if ((ifr.ifr_flags & (IFF_TAP | IFF_TUN)) != IFF_TAP ||
        (ifr.ifr_flags & (IFF_NO_PI | IFF_VNET_HDR)) != IFF_NO_PI ||
        tap_frames_plain(ifr.ifr_name) == 0) {
        snprintf(err, errlen,
                 "network device \"%s\": descriptor %d (%.16s) must be a tap opened with "
                 "IFF_TAP | IFF_NO_PI and no IFF_VNET_HDR",
                 o->name, o->fd, ifr.ifr_name);
        return -1;
    }
    int fl = fcntl(o->fd, F_GETFL);
    if (fl < 0 || fcntl(o->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "network device \"%s\": descriptor %d: %s", o->name, o->fd,
                 strerror(errno));
        return -1;
    }
    dev->fd = o->fd;
    dev->fd_given = true;
    dev->fd_flags = fl; /* the caller's open file: its flags are put back at the end */
    snprintf(dev->ifname, sizeof(dev->ifname), "%.15s", ifr.ifr_name);
    return 0;
}

/* A random, locally administered, unicast address: what solo5-hvt gives a guest too. */
static void generate_mac(uint8_t mac[6])
{
    if (getrandom(mac, 6, 0) != 6) {
        uint64_t t = realtime_ns() * 0x9e3779b97f4a7c15ull;
        memcpy(mac, &t, 6);
    }
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

static void warn_pcap_failed(struct net_dev *dev);

static int open_one(struct net_dev *dev, const struct net_option *o, char *err, size_t errlen)
{
    memset(dev, 0, sizeof(*dev));
    dev->fd = -1;
    snprintf(dev->name, sizeof(dev->name), "%s", o->name);
    if ((o->iface ? attach_tap(dev, o, err, errlen) : adopt_fd(dev, o, err, errlen)) < 0)
        return -1;
    short flags = 0;
    uint32_t mtu = 0;
    if (interface_info(dev->ifname, &flags, &mtu) < 0) {
        snprintf(err, errlen, "network device \"%s\": cannot read the MTU of %s: %s", o->name,
                 dev->ifname, strerror(errno));
        return -1;
    }
    /* A tap that is down takes no frames from the host: the guest would hear nothing. */
    if (!(flags & IFF_UP)) {
        snprintf(err, errlen,
                 "network device \"%s\": interface %s is down (bring it up: ip link set %s up)",
                 o->name, dev->ifname, dev->ifname);
        return -1;
    }
    if (mtu < 68 || mtu > 65535 - NET_ETHER_HLEN) {
        snprintf(err, errlen, "network device \"%s\": %s has an MTU of %u, outside 68-65521",
                 o->name, dev->ifname, mtu);
        return -1;
    }
    dev->mtu = mtu;
    if (o->mac_given)
        memcpy(dev->mac, o->mac, sizeof(dev->mac));
    else
        generate_mac(dev->mac);
    dev->pcap_path = o->pcap_path; /* opened by net_devs_open_captures */
    return 0;
}

static void close_one(struct net_dev *dev)
{
    if (dev->pcap.file) {
        pcap_writer_close(&dev->pcap);
        warn_pcap_failed(dev);
    }
    dev->pcap_path = NULL;
    if (dev->fd >= 0 && !dev->fd_given)
        close(dev->fd);
    if (dev->fd >= 0 && dev->fd_given)
        fcntl(dev->fd, F_SETFL, dev->fd_flags);
    dev->fd = -1;
}

int net_devs_open(struct net_devs *devs, const struct options *opts, char *err, size_t errlen)
{
    memset(devs, 0, sizeof(*devs));
    for (size_t i = 0; i < opts->nnets; i++) {
        for (size_t j = 0; j < i; j++)
            if (opts->nets[j].fd >= 0 && opts->nets[j].fd == opts->nets[i].fd) {
                snprintf(err, errlen, "network devices \"%s\" and \"%s\": both on descriptor %d",
                         opts->nets[j].name, opts->nets[i].name, opts->nets[i].fd);
                net_devs_close(devs);
                return -1;
            }
        if (open_one(&devs->devs[i], &opts->nets[i], err, errlen) < 0) {
            close_one(&devs->devs[i]);
            net_devs_close(devs);
            return -1;
        }
        devs->count = i + 1;
    }
    return 0;
}

void net_devs_close(struct net_devs *devs)
{
    for (size_t i = 0; i < devs->count; i++)
        close_one(&devs->devs[i]);
    devs->count = 0;
}

int net_devs_open_captures(struct net_devs *devs, char *err, size_t errlen)
{
    for (size_t i = 0; i < devs->count; i++) {
        struct net_dev *d = &devs->devs[i];
        char why[256];
        if (d->pcap_path &&
            pcap_writer_open(&d->pcap, d->pcap_path, PCAP_SNAPLEN, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "network device \"%s\": %s", d->name, why);
            return -1;
        }
    }
    return 0;
}

void net_devs_flush(struct net_devs *devs)
{
    for (size_t i = 0; i < devs->count; i++)
        if (devs->devs[i].pcap.file) {
            pcap_writer_flush(&devs->devs[i].pcap);
            warn_pcap_failed(&devs->devs[i]);
        }
}

struct net_dev *net_devs_find(struct net_devs *devs, const char *name, size_t len, size_t *index)
{
    for (size_t i = 0; i < devs->count; i++)
        if (strlen(devs->devs[i].name) == len && !memcmp(devs->devs[i].name, name, len)) {
            *index = i;
            return &devs->devs[i];
        }
    return NULL;
}

/*
 * Says once that the capture file stopped (a full disk, say): the guest goes on, and
 * `net` shows the capture as failed, but a user reading the file later must know it is
 * incomplete.
 */
static void warn_pcap_failed(struct net_dev *dev)
{
    if (dev->pcap.error && !dev->pcap_warned) {
        dev->pcap_warned = true;
        fprintf(stderr,
                "ukvm: warning: network device \"%s\": writing the capture file %s failed (%s); "
                "it ends there\n",
                dev->name, dev->pcap_path, strerror(dev->pcap.error));
    }
}

/* Counts a frame, keeps its head for `net` and writes it to the capture file. */
static void record_frame(struct net_dev *dev, const void *frame, size_t len, bool sent)
{
    uint64_t now = realtime_ns();
    struct net_frame_record *r = &dev->recent[dev->recent_count++ % NET_RECENT_FRAMES];
    r->realtime_ns = now;
    r->wire_len = (uint32_t)len;
    r->caplen = (uint16_t)(len < NET_RECENT_SNAP ? len : NET_RECENT_SNAP);
    r->sent = sent;
    memcpy(r->bytes, frame, r->caplen);
    if (dev->pcap.file) {
        pcap_writer_frame(&dev->pcap, now, frame, len);
        warn_pcap_failed(dev);
    }
}

static enum net_io host_failure(struct net_dev *dev, const char *what, int e, char *err,
                                size_t errlen)
{
    snprintf(err, errlen, "network device \"%s\": %s on tap %s failed: %s%s", dev->name, what,
             dev->ifname, strerror(e), e == EBADFD ? " (was the interface deleted?)" : "");
    return NET_IO_FAILED;
}

enum net_io net_dev_read(struct net_dev *dev, void *buf, size_t size, size_t *len, char *err,
                         size_t errlen)
{
    *len = 0;
    if (size < (size_t)dev->mtu + NET_ETHER_HLEN)
        return NET_IO_INVALID;
    ssize_t n;
    do {
        n = read(dev->fd, buf, size);
    } while (n < 0 && errno == EINTR);
    /* EIO: the interface is down for now (ip link set ... down); nothing can arrive. */
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EIO))
        return NET_IO_AGAIN;
    if (n < 0)
        return host_failure(dev, "a read", errno, err, errlen);
    if (n == 0)
        return NET_IO_AGAIN;
    *len = (size_t)n;
    dev->stats.frames_in++;
    dev->stats.bytes_in += (uint64_t)n;
    record_frame(dev, buf, (size_t)n, false);
    return NET_IO_OK;
}

enum net_io net_dev_write(struct net_dev *dev, const void *buf, size_t len, char *err,
                          size_t errlen)
{
    if (len < NET_ETHER_HLEN || len > (size_t)dev->mtu + NET_ETHER_HLEN) {
        dev->stats.refused_out++;
        return NET_IO_INVALID;
    }
    ssize_t n;
    do {
        n = write(dev->fd, buf, len);
    } while (n < 0 && errno == EINTR);
    /*
     * Transient: the tap's queue is full, memory is short, or the interface is down for
     * now (EIO). Solo5 specifies that such a frame is dropped, and the write succeeds.
     */
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != ENOMEM &&
        errno != EIO)
        return host_failure(dev, "a write", errno, err, errlen);
    if (n != (ssize_t)len) {
        dev->stats.drops_out++; /* not recorded: the host never saw it */
        return NET_IO_OK;
    }
    record_frame(dev, buf, len, true);
    dev->stats.frames_out++;
    dev->stats.bytes_out += len;
    return NET_IO_OK;
}

int net_devs_wait(struct net_devs *devs, int wake_fd, uint64_t timeout_ns, uint64_t *ready,
                  bool *woken, char *err, size_t errlen)
{
    struct pollfd fds[OPTIONS_MAX_NETS + 1];
    size_t n = devs ? devs->count : 0;
    for (size_t i = 0; i < n; i++)
        fds[i] =
            (struct pollfd){.fd = devs->devs[i].polled ? devs->devs[i].fd : -1, .events = POLLIN};
    fds[n] = (struct pollfd){.fd = wake_fd, .events = POLLIN}; /* fd -1 is ignored */
    *ready = 0;
    *woken = false;

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint64_t left = timeout_ns;
    int rc;
    for (;;) {
        uint64_t secs = left / 1000000000ull;
        struct timespec ts = {.tv_sec = (time_t)(secs > INT32_MAX ? INT32_MAX : secs),
                              .tv_nsec = (long)(left % 1000000000ull)};
        /*
         * ppoll rather than a sleep: the wake descriptor, written by the signal handler,
         * ends the wait at once, with no race between checking for a signal and sleeping.
         */
        rc = ppoll(fds, n + 1, &ts, NULL);
        if (rc >= 0 || errno != EINTR)
            break;
        if (wake_fd >= 0)
            break; /* the signal that interrupted us wrote wake_fd: report it below */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t spent = (uint64_t)(now.tv_sec - start.tv_sec) * 1000000000ull +
                         (uint64_t)now.tv_nsec - (uint64_t)start.tv_nsec;
        if (spent >= timeout_ns)
            return 0;
        left = timeout_ns - spent;
    }
    if (rc < 0 && errno != EINTR) {
        snprintf(err, errlen, "waiting for network input failed: %s", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < n && rc > 0; i++) {
        if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            snprintf(err, errlen,
                     "network device \"%s\": tap %s failed while the guest waited for "
                     "frames (was the interface deleted?)",
                     devs->devs[i].name, devs->devs[i].ifname);
            return -1;
        }
        if (fds[i].revents & POLLIN)
            *ready |= 1ull << i;
    }
    *woken = wake_fd >= 0 && (rc < 0 || (fds[n].revents & POLLIN));
    return 0;
}
