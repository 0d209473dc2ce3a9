/*
 * hc_core.c: the helpers every ABI's hypercall handlers share (see hc_core.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "hc_core.h"

enum hc_outcome hc_guest_error(struct hc_context *ctx, unsigned nr, const char *fmt, ...)
{
    const char *name = ctx->hc_name ? ctx->hc_name(nr) : "unknown";
    int n = snprintf(ctx->error, sizeof(ctx->error), "hypercall %s: ", name);
    if (n < 0 || (size_t)n >= sizeof(ctx->error))
        return HC_GUEST_ERROR;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->error + n, sizeof(ctx->error) - (size_t)n, fmt, ap);
    va_end(ap);
    return HC_GUEST_ERROR;
}

void hc_note_access(struct hc_context *ctx, uint64_t gpa, uint64_t len, bool write)
{
    if (len == 0)
        return;
    if (ctx->naccess == HC_ACCESS_MAX) {
        /* Never happens with today's calls; stay conservative: cover both ranges. */
        struct hc_access *last = &ctx->access[HC_ACCESS_MAX - 1];
        uint64_t lo = last->gpa < gpa ? last->gpa : gpa;
        uint64_t hi = last->gpa + last->len > gpa + len ? last->gpa + last->len : gpa + len;
        *last = (struct hc_access){.gpa = lo, .len = hi - lo, .write = last->write || write};
        return;
    }
    ctx->access[ctx->naccess++] = (struct hc_access){.gpa = gpa, .len = len, .write = write};
}

int hc_copy_args(struct hc_context *ctx, unsigned nr, uint64_t arg, void *dst, size_t len)
{
    if (guest_mem_copy_in(ctx->mem, arg, dst, len) == 0) {
        hc_note_access(ctx, arg, len, false);
        return 0;
    }
    hc_guest_error(ctx, nr,
                   "argument struct at 0x%llx (%zu bytes) is outside guest memory "
                   "(%llu MiB)",
                   (unsigned long long)arg, len, (unsigned long long)(ctx->mem->size >> 20));
    return -1;
}

int hc_write_back(struct hc_context *ctx, unsigned nr, uint64_t arg, const void *src, size_t len)
{
    if (guest_mem_copy_out(ctx->mem, arg, src, len) == 0) {
        hc_note_access(ctx, arg, len, true);
        return 0;
    }
    hc_guest_error(ctx, nr, "cannot write the result back to 0x%llx", (unsigned long long)arg);
    return -1;
}

enum hc_outcome hc_console_write(struct hc_context *ctx, unsigned nr, uint64_t data, uint64_t len)
{
    const char *p = guest_mem_range(ctx->mem, data, len);
    if (!p)
        return hc_guest_error(ctx, nr,
                              "data 0x%llx + len 0x%llx is outside guest memory (%llu MiB)",
                              (unsigned long long)data, (unsigned long long)len,
                              (unsigned long long)(ctx->mem->size >> 20));
    hc_note_access(ctx, data, len, false);
    /* Console output is best effort: a closed or full stdout must not stop the guest. */
    while (len > 0) {
        ssize_t n = write(ctx->console_fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        len -= (uint64_t)n;
    }
    return HC_CONTINUE;
}

enum hc_outcome hc_complete(struct hc_context *ctx, unsigned nr, uint64_t arg, const void *src,
                            size_t len)
{
    return hc_write_back(ctx, nr, arg, src, len) < 0 ? HC_GUEST_ERROR : HC_CONTINUE;
}

const char *hc_device_name(struct hc_context *ctx, unsigned nr, uint64_t gpa, uint64_t len)
{
    const char *name = guest_mem_range(ctx->mem, gpa, len);
    if (!name) {
        hc_guest_error(ctx, nr, "name 0x%llx + len 0x%llx is outside guest memory",
                       (unsigned long long)gpa, (unsigned long long)len);
        return NULL;
    }
    hc_note_access(ctx, gpa, len, false);
    return name;
}

int hc_wait(struct hc_context *ctx, uint64_t timeout_ns, uint64_t *ready_nets, bool *woken)
{
    return net_devs_wait(ctx->nets, ctx->wake_fd, timeout_ns, ready_nets, woken, ctx->error,
                         sizeof(ctx->error));
}
