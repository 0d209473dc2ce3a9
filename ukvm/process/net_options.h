/*
 * net_options.h: the network device options of ukvm's command line.
 *
 *   --net:NAME=IFACE    a tap interface that exists already (solo5-hvt's spelling)
 *   --net:NAME=@FD      an open tap descriptor the caller passes (solo5-hvt's spelling)
 *   --net-mac:NAME=MAC  the guest's MAC address on NAME (solo5-hvt's spelling)
 *   --pcap:NAME=FILE    a capture of every frame on NAME (ukvm's own)
 *
 * --net-mac and --pcap may come before or after the --net they name: they are kept and
 * applied once every option is read, as --block-sector-size is.
 */
#ifndef UKVM_NET_OPTIONS_H
#define UKVM_NET_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "device_names.h"

#define NET_OPTIONS_MAX DEVICES_MAX

/* A network device: --net:NAME=IFACE or --net:NAME=@FD, --net-mac:NAME=MAC, --pcap:NAME=FILE. */
struct net_option {
    char name[DEVICE_NAME_MAX + 1];
    const char *iface;     /* the tap interface's name; NULL when fd is given */
    int fd;                /* @FD: an open tap descriptor the caller passed; -1 otherwise */
    bool mac_given;        /* --net-mac: the guest's MAC address is mac */
    uint8_t mac[6];        /* otherwise one is generated at start-up */
    const char *pcap_path; /* --pcap: every frame in and out goes there; NULL: none */
};

/* The --net-mac and --pcap options seen so far, waiting for their devices. */
struct net_options_later {
    size_t n;
    struct net_option_later {
        const char *arg;  /* the whole option, for messages */
        const char *name; /* points into arg */
        size_t name_len;
        bool is_mac; /* --net-mac (mac) or --pcap (path) */
        uint8_t mac[6];
        const char *path;
    } v[2 * NET_OPTIONS_MAX];
};

/*
 * Parses one argument that starts with --net:, --net-mac: or --pcap:. A --net appends a
 * device to nets[0..*n) (its name unique among them; at most max devices, the room the
 * other kinds of device leave); the others go to *later. Returns 0, or -1 after a
 * cli_error line on err.
 */
int net_options_add(struct net_option *nets, size_t *n, size_t max, struct net_options_later *later,
                    const char *arg, FILE *err);

/*
 * Gives each kept --net-mac and --pcap to its device in nets[0..n). One naming no --net
 * device, or a device given two MACs or two capture files, is an error. Returns 0, or -1
 * after a cli_error line on err.
 */
int net_options_apply(struct net_option *nets, size_t n, const struct net_options_later *later,
                      FILE *err);

#endif /* UKVM_NET_OPTIONS_H */
