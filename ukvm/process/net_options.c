/*
 * net_options.c: --net, --net-mac and --pcap (see net_options.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"
#include "net_options.h"

/* Prints the refusal (cli_error.h) and returns -1. */
static int refuse(FILE *err, const char *fmt, const char *arg)
{
    cli_error(err, fmt, arg);
    return -1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly six pairs of hex digits separated by ':', as solo5-hvt takes it. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
        if (lo < 0)
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i < 5 && *s++ != ':')
            return false;
    }
    return *s == '\0';
}

/* "@N": a descriptor number, decimal, 0 to INT_MAX. */
static bool parse_fd(const char *s, int *fd)
{
    if (s[0] != '@' || !isdigit((unsigned char)s[1]))
        return false;
    errno = 0;
    char *end;
    long v = strtol(s + 1, &end, 10);
    if (errno || *end || v > INT_MAX)
        return false;
    *fd = (int)v;
    return true;
}

/* Splits "--PREFIXNAME=VALUE": the name and the value; false when there is no '='. */
static bool split_option(const char *arg, size_t prefix_len, const char **name, size_t *name_len,
                         const char **value)
{
    *name = arg + prefix_len;
    const char *eq = strchr(*name, '=');
    if (!eq)
        return false;
    *name_len = (size_t)(eq - *name);
    *value = eq + 1;
    return true;
}

static int add_net(struct net_option *nets, size_t *count, size_t max, const char *arg, FILE *err)
{
    const char *name, *value;
    size_t name_len;
    if (!split_option(arg, strlen("--net:"), &name, &name_len, &value))
        return refuse(err, "'%s' must look like --net:NAME=IFACE or --net:NAME=@FD", arg);
    if (!device_name_valid(name, name_len))
        return refuse(err, "bad device name in '%s': use 1 to 67 letters, digits or '_'", arg);
    struct net_option n = {.fd = -1};
    if (value[0] == '@') {
        if (!parse_fd(value, &n.fd))
            return refuse(err, "bad descriptor in '%s': give @N, N an open tap descriptor", arg);
    } else if (!*value) {
        return refuse(err, "'%s' needs a tap interface name", arg);
    } else if (strlen(value) >= 16) { /* IFNAMSIZ: the kernel's limit, NUL included */
        return refuse(err, "'%s': an interface name has at most 15 characters", arg);
    } else {
        n.iface = value;
    }
    for (size_t i = 0; i < *count; i++)
        if (strlen(nets[i].name) == name_len && !memcmp(nets[i].name, name, name_len))
            return refuse(err, "device named twice: '%s'", arg);
    if (*count >= max)
        return refuse(err, "too many devices at '%s' (at most 63 in all)", arg);
    memcpy(n.name, name, name_len);
    n.name[name_len] = '\0';
    nets[(*count)++] = n;
    return 0;
}

int net_options_add(struct net_option *nets, size_t *n, size_t max, struct net_options_later *later,
                    const char *arg, FILE *err)
{
    if (!strncmp(arg, "--net:", 6))
        return add_net(nets, n, max, arg, err);
    bool is_mac = !strncmp(arg, "--net-mac:", 10);
    struct net_option_later l = {.arg = arg, .is_mac = is_mac};
    const char *value;
    if (!split_option(arg, is_mac ? 10 : 7, &l.name, &l.name_len, &value))
        return refuse(err,
                      is_mac ? "'%s' must look like --net-mac:NAME=xx:xx:xx:xx:xx:xx"
                             : "'%s' must look like --pcap:NAME=FILE",
                      arg);
    if (!device_name_valid(l.name, l.name_len))
        return refuse(err, "bad device name in '%s': use 1 to 67 letters, digits or '_'", arg);
    if (is_mac) {
        if (!parse_mac(value, l.mac))
            return refuse(err,
                          "bad MAC address in '%s': give six hex pairs, "
                          "xx:xx:xx:xx:xx:xx",
                          arg);
        /* A NIC's own address is unicast: a multicast one would make every reply odd. */
        if (l.mac[0] & 1)
            return refuse(err,
                          "'%s': that is a multicast address (the first byte is "
                          "odd); a guest's MAC must be unicast",
                          arg);
    } else {
        if (!*value)
            return refuse(err, "'%s' needs a file name", arg);
        l.path = value;
    }
    if (later->n == sizeof(later->v) / sizeof(later->v[0]))
        return refuse(err, "too many --net-mac and --pcap options at '%s'", arg);
    later->v[later->n++] = l;
    return 0;
}

int net_options_apply(struct net_option *nets, size_t count, const struct net_options_later *later,
                      FILE *err)
{
    for (size_t i = 0; i < later->n; i++) {
        const struct net_option_later *l = &later->v[i];
        struct net_option *n = NULL;
        for (size_t j = 0; j < count && !n; j++)
            if (strlen(nets[j].name) == l->name_len && !memcmp(nets[j].name, l->name, l->name_len))
                n = &nets[j];
        if (!n)
            return refuse(err, "'%s' names no network device: give --net:NAME=IFACE too", l->arg);
        if (l->is_mac) {
            if (n->mac_given)
                return refuse(err, "MAC address given twice: '%s'", l->arg);
            n->mac_given = true;
            memcpy(n->mac, l->mac, sizeof(n->mac));
        } else {
            if (n->pcap_path)
                return refuse(err, "capture file given twice: '%s'", l->arg);
            n->pcap_path = l->path;
        }
    }
    return 0;
}
