/*
 * tap_netlink.c: a tap interface's frame format, as rtnetlink describes it (see
 * tap_netlink.h).
 */
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap_netlink.h"

/*
 * The payload of the first rtnetlink attribute of type type among the len bytes of
 * attributes at attrs, or NULL; *plen its length.
 */
static const void *find_attr(const void *attrs, int len, unsigned short type, int *plen)
{
    for (const struct rtattr *a = attrs; RTA_OK(a, len); a = RTA_NEXT(a, len))
        if ((a->rta_type & NLA_TYPE_MASK) == type) {
            *plen = (int)RTA_PAYLOAD(a);
            return RTA_DATA(a);
        }
    return NULL;
}

int tap_frames_plain(const char *ifname)
{
    unsigned index = if_nametoindex(ifname);
    int sock = index ? socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE) : -1;
    if (sock < 0)
        return -1;
    struct {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
    } req;
    memset(&req, 0, sizeof(req));
    req.nh.nlmsg_len = sizeof(req);
    req.nh.nlmsg_type = RTM_GETLINK;
    req.nh.nlmsg_flags = NLM_F_REQUEST;
    req.nh.nlmsg_seq = 1;
    req.ifi.ifi_family = AF_UNSPEC;
    req.ifi.ifi_index = (int)index;
    union {
        struct nlmsghdr nh;
        char bytes[32768];
    } reply;
    ssize_t n = -1;
    if (send(sock, &req, sizeof(req), 0) == (ssize_t)sizeof(req))
        n = recv(sock, &reply, sizeof(reply), 0);
    close(sock);
    if (n <= 0 || !NLMSG_OK(&reply.nh, (size_t)n) || reply.nh.nlmsg_type != RTM_NEWLINK)
        return -1;
    const struct ifinfomsg *ifi = NLMSG_DATA(&reply.nh);
    int len = (int)IFLA_PAYLOAD(&reply.nh), info_len = 0, data_len = 0, pi_len = 0, vnet_len = 0;
    const void *info = find_attr(IFLA_RTA(ifi), len, IFLA_LINKINFO, &info_len);
    const void *data = info ? find_attr(info, info_len, IFLA_INFO_DATA, &data_len) : NULL;
    const uint8_t *pi = data ? find_attr(data, data_len, IFLA_TUN_PI, &pi_len) : NULL;
    const uint8_t *vnet = data ? find_attr(data, data_len, IFLA_TUN_VNET_HDR, &vnet_len) : NULL;
    if (!pi || !vnet || pi_len < 1 || vnet_len < 1)
        return -1;
    return !*pi && !*vnet;
}
