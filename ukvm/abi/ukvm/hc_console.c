/*
 * hc_console.c: UKVM_HC_PUTS, the guest's console output.
 */
#include <errno.h>
#include <unistd.h>

#include "hypercall.h"

enum hc_outcome hc_puts(struct hc_context *ctx, uint64_t arg)
{
    struct ukvm_hc_puts a;
    if (hc_copy_args(ctx, UKVM_HC_PUTS, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    const char *data = guest_mem_range(ctx->mem, a.data, a.len);
    if (!data)
        return hc_guest_error(ctx, UKVM_HC_PUTS,
                              "data 0x%llx + len 0x%llx is outside guest memory (%llu MiB)",
                              (unsigned long long)a.data, (unsigned long long)a.len,
                              (unsigned long long)(ctx->mem->size >> 20));
    hc_note_access(ctx, a.data, a.len, false);
    /* Console output is best effort: a closed or full stdout must not stop the guest. */
    while (a.len > 0) {
        ssize_t n = write(ctx->console_fd, data, a.len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        data += n;
        a.len -= (uint64_t)n;
    }
    return HC_CONTINUE;
}
