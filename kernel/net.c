/*
 * net.c: the Solo5 network calls, for a kernel with no network device yet.
 *
 * The monitor has no network device (UKVM_HC_NET_* are reserved but not implemented), so
 * no name can be acquired and no valid handle can exist. These are the answers Solo5
 * itself gives in that situation, not placeholders: an application probing for a network
 * sees a clean "no such device".
 */
#include "solo5.h"

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    (void)name;
    (void)handle;
    (void)info;
    return SOLO5_R_EUNSPEC; /* Solo5's answer for a name not in the manifest */
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf, size_t size)
{
    (void)handle;
    (void)buf;
    (void)size;
    return SOLO5_R_EINVAL; /* no handle was ever handed out */
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size, size_t *read_size)
{
    (void)handle;
    (void)buf;
    (void)size;
    (void)read_size;
    return SOLO5_R_EINVAL; /* no handle was ever handed out */
}
