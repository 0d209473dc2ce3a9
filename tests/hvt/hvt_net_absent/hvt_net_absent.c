/*
 * hvt_net_absent: a manifest that declares a network device, "uplink" (NET_BASIC).
 * Solo5 requires every declared device to be attached: without --net:uplink=TAP (or with
 * a tap that does not exist) the monitor must refuse to run this guest, naming the
 * device. If a monitor runs it anyway, it prints "FAIL: ..." and exits 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(2, HVT_MFT_RESERVED, HVT_MFT_NET("uplink"));

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    hvt_fail("the monitor ran a guest whose network device 'uplink' is not attached");
}
