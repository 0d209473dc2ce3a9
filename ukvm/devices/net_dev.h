/*
 * net_dev.h: network devices on Linux tap interfaces (--net:NAME=IFACE, --net:NAME=@FD).
 *
 * One device is one tap descriptor, non-blocking, without packet information headers
 * (IFF_NO_PI): a read returns one Ethernet frame, a write sends one. The guest sees a MAC
 * address (given, or generated: random, locally administered, fixed for the run) and the
 * interface's MTU, read from the host when the device is opened.
 *
 * Every frame in and out is counted, the last NET_RECENT_FRAMES are kept (their first
 * NET_RECENT_SNAP bytes, for the debugger's `net` command), and with --pcap:NAME=FILE each
 * one is written to a capture file (if writing it fails, one warning on stderr, and the
 * guest goes on). A frame that arrives while the guest is stopped in a
 * debugger waits in the tap's queue in the host kernel, which holds a bounded number (the
 * interface's txqueuelen, 1000 by default) and drops the newer ones beyond it.
 *
 * Both guest ABIs use these devices; each maps its own handles to device indexes.
 */
#ifndef UKVM_NET_DEV_H
#define UKVM_NET_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcap_writer.h"
#include "ukvm/process/options.h"

#define NET_ETHER_HLEN    14  /* destination, source, type: SOLO5_NET_HLEN */
#define NET_RECENT_FRAMES 16  /* frames kept for `net` */
#define NET_RECENT_SNAP   128 /* bytes kept of each: every header `net` decodes */

/* A frame kept for `net`. */
struct net_frame_record {
    uint64_t realtime_ns; /* when the monitor passed it on */
    uint32_t wire_len;    /* the frame's whole length */
    uint16_t caplen;      /* bytes kept: min(wire_len, NET_RECENT_SNAP) */
    bool sent;            /* by the guest (true) or to it */
    uint8_t bytes[NET_RECENT_SNAP];
};

struct net_stats {
    uint64_t frames_in, bytes_in;   /* delivered to the guest */
    uint64_t frames_out, bytes_out; /* sent by the guest to the tap */
    uint64_t drops_out;             /* the guest's frames the tap could not take (queue full) */
    uint64_t refused_out;           /* writes refused: shorter than a header or over the MTU */
};

struct net_dev {
    char name[OPTIONS_DEVICE_NAME_MAX + 1];
    char ifname[16]; /* the tap interface (IFNAMSIZ) */
    int fd;
    bool fd_given; /* @FD: the caller's descriptor */
    int fd_flags;  /* @FD: its file status flags before ukvm made it non-blocking */
    /*
     * Waited on by net_devs_wait: set when the guest has the device (the ukvm ABI: once it
     * looked the name up; the hvt ABI: every device its manifest declares). A frame on a
     * device the guest never asked for stays in the tap, and does not end its every wait.
     */
    bool polled;
    uint8_t mac[6];
    uint32_t mtu;          /* bytes of payload, without the Ethernet header */
    const char *pcap_path; /* NULL: no capture (open once pcap.file is set) */
    struct pcap_writer pcap;
    bool pcap_warned; /* the failure of the capture was reported on stderr */
    struct net_stats stats;
    uint64_t recent_count; /* frames recorded so far; the newest is recent[(count-1) % N] */
    struct net_frame_record recent[NET_RECENT_FRAMES];
};

struct net_devs {
    size_t count;
    struct net_dev devs[OPTIONS_MAX_NETS];
};

/* The outcome of one read or write. */
enum net_io {
    NET_IO_OK,
    NET_IO_AGAIN,   /* read: no frame waiting */
    NET_IO_INVALID, /* the request breaks Solo5's rules (buffer smaller than the MTU allows,
                       frame shorter than a header or longer than the MTU allows) */
    NET_IO_FAILED,  /* the host side failed (the interface went away): err says how */
};

/*
 * Opens every network device of opts: attaches to each existing tap interface (it must
 * exist, be up, and not be attached by another process) or checks each @FD is a tap, reads
 * its MTU and sets its MAC. Returns 0, or -1 with one line in err naming the device and
 * what to do (anything opened is closed again).
 */
int net_devs_open(struct net_devs *devs, const struct options *opts, char *err, size_t errlen);

/*
 * Creates the capture files (--pcap): last of the start-up steps that can fail, so that a
 * refused start leaves an existing file as it was. Returns 0, or -1 with one line in err
 * (net_devs_close closes what was opened).
 */
int net_devs_open_captures(struct net_devs *devs, char *err, size_t errlen);

/*
 * Flushes and closes the capture files, closes the descriptors ukvm opened, and gives an
 * @FD descriptor its flags back.
 */
void net_devs_close(struct net_devs *devs);

/* Writes out what the capture files buffer, so that a reader sees every frame so far. */
void net_devs_flush(struct net_devs *devs);

/* The device named [name, name+len), or NULL; *index is its position. */
struct net_dev *net_devs_find(struct net_devs *devs, const char *name, size_t len, size_t *index);

/*
 * Reads one waiting frame into buf (size bytes, at least mtu + NET_ETHER_HLEN, else
 * NET_IO_INVALID), its length in *len. Records it (counts, recent frames, capture).
 */
enum net_io net_dev_read(struct net_dev *dev, void *buf, size_t size, size_t *len, char *err,
                         size_t errlen);

/*
 * Sends one frame of len bytes (NET_ETHER_HLEN to mtu + NET_ETHER_HLEN, else
 * NET_IO_INVALID). A frame the tap cannot take now (its queue is full, or the interface
 * is down) is dropped and counted, and the result is NET_IO_OK: Solo5 specifies that a
 * transient failure drops the packet silently.
 */
enum net_io net_dev_write(struct net_dev *dev, const void *buf, size_t len, char *err,
                          size_t errlen);

/*
 * Waits up to timeout_ns for a frame on any polled device, or for wake_fd (-1: none) to
 * become readable. Sets bit i of *ready for each device i with a frame waiting and *woken when
 * wake_fd ended the wait. Returns 0, or -1 with the device and reason in err when a tap
 * reports an error (the interface was deleted): waiting again would spin.
 */
int net_devs_wait(struct net_devs *devs, int wake_fd, uint64_t timeout_ns, uint64_t *ready,
                  bool *woken, char *err, size_t errlen);

#endif /* UKVM_NET_DEV_H */
