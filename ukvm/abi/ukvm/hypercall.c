/*
 * hypercall.c: dispatch by port number and the helpers every handler shares.
 */
#include <stdarg.h>
#include <stdio.h>

#include "hypercall.h"

typedef enum hc_outcome (*hc_handler)(struct hc_context *ctx, uint64_t arg);

static const struct {
    const char *name;
    hc_handler handler; /* NULL: reserved, not served by this monitor */
} hypercalls[UKVM_HC_COUNT] = {
    [UKVM_HC_PUTS] = {"PUTS", hc_puts},
    [UKVM_HC_POLL] = {"POLL", hc_poll},
    [UKVM_HC_BLOCK_INFO] = {"BLOCK_INFO", hc_block_info},
    [UKVM_HC_BLOCK_WRITE] = {"BLOCK_WRITE", hc_block_write},
    [UKVM_HC_BLOCK_READ] = {"BLOCK_READ", hc_block_read},
    [UKVM_HC_NET_INFO] = {"NET_INFO", NULL},
    [UKVM_HC_NET_WRITE] = {"NET_WRITE", NULL},
    [UKVM_HC_NET_READ] = {"NET_READ", NULL},
    [UKVM_HC_HALT] = {"HALT", hc_halt},
    [UKVM_HC_ABORT] = {"ABORT", hc_abort},
    [UKVM_HC_TRAP] = {"TRAP", hc_trap},
};

const char *hypercall_name(unsigned nr)
{
    if (nr < UKVM_HC_COUNT && hypercalls[nr].name)
        return hypercalls[nr].name;
    return "unknown";
}

enum hc_outcome hc_guest_error(struct hc_context *ctx, unsigned nr, const char *fmt, ...)
{
    int n = snprintf(ctx->error, sizeof(ctx->error), "hypercall %s: ", hypercall_name(nr));
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

enum hc_outcome hypercall_dispatch(struct hc_context *ctx, uint16_t port, uint32_t value)
{
    unsigned nr = (unsigned)(port - UKVM_HC_PORT_BASE);
    if (nr >= UKVM_HC_COUNT || !hypercalls[nr].name) {
        snprintf(ctx->error, sizeof(ctx->error), "unknown hypercall %u (port 0x%x, argument 0x%x)",
                 nr, port, value);
        return HC_GUEST_ERROR;
    }
    if (!hypercalls[nr].handler)
        return hc_guest_error(ctx, nr, "no network devices in this version of ukvm");
    return hypercalls[nr].handler(ctx, value);
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
