/*
 * tap_netlink.h: what the kernel's description of a tap interface says of its frames.
 *
 * TUNGETIFF cannot tell whether a tap descriptor was opened with IFF_NO_PI: it sets
 * IFF_NOFILTER, whose value is IFF_NO_PI's (0x1000), for every descriptor without a
 * socket filter, so a tap opened without IFF_NO_PI reads like one opened with it. The
 * interface's rtnetlink description (IFLA_TUN_PI and IFLA_TUN_VNET_HDR, since Linux
 * 4.15) can.
 */
#ifndef UKVM_TAP_NETLINK_H
#define UKVM_TAP_NETLINK_H

/*
 * Whether tap ifname's frames come plain, with neither packet information nor a virtio
 * header. Returns 1 (plain), 0 (with headers), or -1 when the kernel does not say.
 */
int tap_frames_plain(const char *ifname);

#endif /* UKVM_TAP_NETLINK_H */
