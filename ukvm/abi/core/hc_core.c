/*
 * hc_core.c: the helpers every ABI's hypercall handlers share (see hc_core.h).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

/*
 * At most this much per write(2): after poll(2) says a pipe takes output, a write of up to
 * PIPE_BUF bytes finds room and does not block, so a stop request cannot come too late
 * for the next poll to see it (a longer blocking write still ends early on the signal
 * that comes with every stop request).
 */
#define CONSOLE_CHUNK PIPE_BUF

/* Waits until the console takes output (true) or a stop was requested (false). */
static bool console_ready(struct hc_context *ctx)
{
    struct pollfd fds[2] = {{.fd = ctx->console_fd, .events = POLLOUT},
                            {.fd = ctx->wake_fd, .events = POLLIN}};
    nfds_t n = ctx->wake_fd >= 0 ? 2 : 1;
    if (ctx->console_fd < 0)
        return true; /* poll(2) would ignore it and wait forever: the write says EBADF */
    for (;;) {
        int r = poll(fds, n, -1);
        if (r < 0 && errno == EINTR)
            continue; /* a stop request's signal: its wake descriptor says so next time */
        if (r < 0)
            return true; /* cannot wait: the write will say what is wrong */
        if (n == 2 && (fds[1].revents & POLLIN))
            return false;
        return true; /* writable, or an error or hang-up the write will report */
    }
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
    /* Resumed after a stop: what was written then is not written again. */
    uint64_t done = ctx->progress < len ? ctx->progress : len;
    ctx->progress = 0;
    while (done < len) {
        if (!console_ready(ctx)) {
            ctx->progress = done;
            return HC_INTERRUPTED;
        }
        size_t chunk = len - done < CONSOLE_CHUNK ? (size_t)(len - done) : CONSOLE_CHUNK;
        ssize_t n = write(ctx->console_fd, p + done, chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue; /* a signal, or an O_NONBLOCK stdout that is full: wait again */
        if (n < 0) {
            snprintf(ctx->error, sizeof(ctx->error),
                     "console output failed: write: %s%s; the guest cannot go on without its "
                     "console",
                     strerror(errno),
                     errno == EPIPE ? " (whatever read ukvm's standard output has gone)" : "");
            return HC_HOST_ERROR;
        }
        done += (uint64_t)n;
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
