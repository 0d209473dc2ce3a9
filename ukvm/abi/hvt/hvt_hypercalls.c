/*
 * hvt_hypercalls.c: the hvt ABI's hypercalls, on the shared helpers of hc_core.h.
 *
 * Results follow the hvt tender where the guest can act on them (a block request for a
 * handle that is not an attached block device, or not whole blocks inside it, answers
 * EINVAL); everything the guest cannot have meant (an argument or buffer outside its
 * memory, an unknown call) ends it with a guest error naming the call, as for ukvm's own
 * ABI. A network call for a handle that is not an attached network device answers EINVAL,
 * as the hvt tender does.
 */
#include <string.h>
#include <time.h>

#include "hvt.h"
#include "ukvm/abi/core/hc_net.h"

typedef enum hc_outcome (*hvt_handler)(struct hc_context *ctx, uint64_t arg);

static struct hvt_state *state(struct hc_context *ctx)
{
    return ctx->abi_state;
}

static enum hc_outcome hvt_walltime(struct hc_context *ctx, uint64_t arg)
{
    struct hvt_hc_walltime a;
    if (hc_copy_args(ctx, HVT_HC_WALLTIME, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    a.nsecs = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return hc_complete(ctx, HVT_HC_WALLTIME, arg, &a, sizeof(a));
}

/* Keeps the last complete console line: a Solo5 abort prints its reason just before. */
static void track_line(struct hvt_state *st, const char *p, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '\n') {
            memcpy(st->last_line, st->line, st->line_len);
            st->last_line[st->line_len] = '\0';
            st->line_len = 0;
        } else if (st->line_len < sizeof(st->line) - 1) {
            st->line[st->line_len++] = (c >= 0x20 && c != 0x7f) ? c : '?';
        }
    }
}

static enum hc_outcome hvt_puts(struct hc_context *ctx, uint64_t arg)
{
    struct hvt_hc_puts a;
    if (hc_copy_args(ctx, HVT_HC_PUTS, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    enum hc_outcome r = hc_console_write(ctx, HVT_HC_PUTS, a.data, a.len);
    if (r == HC_CONTINUE && state(ctx))
        track_line(state(ctx), guest_mem_range(ctx->mem, a.data, a.len), a.len);
    return r;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static enum hc_outcome hvt_poll(struct hc_context *ctx, uint64_t arg)
{
    struct hvt_hc_poll a;
    if (hc_copy_args(ctx, HVT_HC_POLL, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    struct hvt_state *st = state(ctx);
    uint64_t now = monotonic_ns();
    uint64_t deadline;
    if (st && st->poll_pending && st->poll_arg == arg)
        deadline = st->poll_deadline_ns; /* the same call, resumed after a stop */
    else
        deadline = a.timeout_nsecs > UINT64_MAX - now ? UINT64_MAX : now + a.timeout_nsecs;
    if (st)
        st->poll_pending = false;
    uint64_t ready_nets;
    bool woken;
    if (hc_wait(ctx, deadline > now ? deadline - now : 0, &ready_nets, &woken) < 0)
        return HC_HOST_ERROR;
    if (woken && !ready_nets && st && monotonic_ns() < deadline) {
        /* A stop came first: keep the guest in the call, waiting again on resume. */
        st->poll_pending = true;
        st->poll_arg = arg;
        st->poll_deadline_ns = deadline;
        return HC_INTERRUPTED;
    }
    a.ready_set = 0;
    a.ret = 0;
    for (size_t i = 0; st && ctx->nets && i < ctx->nets->count; i++)
        if (ready_nets & (1ull << i)) {
            a.ready_set |= 1ull << st->handle_of_net[i];
            a.ret++; /* the hvt tender returns how many devices are ready */
        }
    return hc_complete(ctx, HVT_HC_POLL, arg, &a, sizeof(a));
}

/* The network device a manifest handle names, or NULL. */
static struct net_dev *net_of_handle(struct hc_context *ctx, uint64_t handle)
{
    const struct hvt_state *st = state(ctx);
    int dev = st && ctx->nets && handle < HVT_MFT_MAX_ENTRIES ? st->net_of_handle[handle] : -1;
    return dev < 0 || (size_t)dev >= ctx->nets->count ? NULL : &ctx->nets->devs[dev];
}

static int32_t net_result(enum net_io result)
{
    return result == NET_IO_OK ? HVT_R_OK : result == NET_IO_AGAIN ? HVT_R_AGAIN : HVT_R_EINVAL;
}

/* NET_WRITE (write) or NET_READ: one frame through the device the handle names. */
static enum hc_outcome net_io(struct hc_context *ctx, unsigned nr, uint64_t arg, bool write)
{
    struct hvt_hc_net_io a;
    if (hc_copy_args(ctx, nr, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    enum net_io result;
    uint64_t got;
    enum hc_outcome o =
        hc_net_io(ctx, nr, net_of_handle(ctx, a.handle), write, a.data, a.len, &result, &got);
    if (o != HC_CONTINUE)
        return o;
    a.ret = net_result(result);
    /* A read's len becomes the frame's length on success; elsewhere it stays as it was. */
    if (!write && result == NET_IO_OK)
        a.len = got;
    return hc_complete(ctx, nr, arg, &a, sizeof(a));
}

static enum hc_outcome hvt_net_write(struct hc_context *ctx, uint64_t arg)
{
    return net_io(ctx, HVT_HC_NET_WRITE, arg, true);
}

static enum hc_outcome hvt_net_read(struct hc_context *ctx, uint64_t arg)
{
    return net_io(ctx, HVT_HC_NET_READ, arg, false);
}

static enum hc_outcome block_io(struct hc_context *ctx, unsigned nr, uint64_t arg, bool write)
{
    struct hvt_hc_block_io a;
    if (hc_copy_args(ctx, nr, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    void *buf = guest_mem_range(ctx->mem, a.data, a.len);
    if (!buf)
        return hc_guest_error(ctx, nr,
                              "buffer 0x%llx + len 0x%llx is outside guest memory (%llu MiB)",
                              (unsigned long long)a.data, (unsigned long long)a.len,
                              (unsigned long long)(ctx->mem->size >> 20));
    const struct hvt_state *st = state(ctx);
    int dev = st && a.handle < HVT_MFT_MAX_ENTRIES ? st->block_of_handle[a.handle] : -1;
    if (dev < 0 || !block_dev_request_ok(ctx->blocks, (uint64_t)dev, a.offset, a.len)) {
        a.ret = HVT_R_EINVAL;
    } else {
        hc_note_access(ctx, a.data, a.len, !write);
        int rc = write ? block_dev_write(ctx->blocks, (uint64_t)dev, a.offset, buf, a.len)
                       : block_dev_read(ctx->blocks, (uint64_t)dev, a.offset, buf, a.len);
        a.ret = rc == 0 ? HVT_R_OK : HVT_R_EUNSPEC;
    }
    return hc_complete(ctx, nr, arg, &a, sizeof(a));
}

static enum hc_outcome hvt_block_write(struct hc_context *ctx, uint64_t arg)
{
    return block_io(ctx, HVT_HC_BLOCK_WRITE, arg, true);
}

static enum hc_outcome hvt_block_read(struct hc_context *ctx, uint64_t arg)
{
    return block_io(ctx, HVT_HC_BLOCK_READ, arg, false);
}

static enum hc_outcome hvt_halt(struct hc_context *ctx, uint64_t arg)
{
    struct hvt_hc_halt a;
    if (hc_copy_args(ctx, HVT_HC_HALT, arg, &a, sizeof(a)) < 0)
        return HC_GUEST_ERROR;
    /* The guest promises HVT_HALT_COOKIE_MAX readable bytes there: hold it to that. */
    if (a.cookie && !guest_mem_range_ok(ctx->mem, a.cookie, HVT_HALT_COOKIE_MAX))
        return hc_guest_error(ctx, HVT_HC_HALT,
                              "cookie 0x%llx + 0x%x is outside guest memory (%llu MiB)",
                              (unsigned long long)a.cookie, HVT_HALT_COOKIE_MAX,
                              (unsigned long long)(ctx->mem->size >> 20));
    ctx->exit_status = (uint64_t)(uint32_t)a.exit_status & 0xff;
    if (ctx->exit_status != 255)
        return HC_HALT;
    /* 255 is Solo5's SOLO5_EXIT_ABORT: a trap (with its frame) or an abort. */
    struct hvt_state *st = state(ctx);
    if (st)
        st->halt_cookie = a.cookie;
    /*
     * Solo5's guest says why just before: "Solo5: ABORT: <file:line>: <reason>" or
     * "Solo5: solo5_abort() called". Its last line is the best reason there is.
     */
    const char *line = st ? st->last_line : "";
    const char *abort_word = strstr(line, "ABORT: ");
    if (abort_word)
        line = abort_word + strlen("ABORT: ");
    else if (strncmp(line, "Solo5: ", 7) == 0)
        line += 7;
    snprintf(ctx->message, sizeof(ctx->message), "%s",
             *line ? line : "the guest halted with SOLO5_EXIT_ABORT (255)");
    ctx->abort_function = 0;
    return a.cookie ? HC_TRAP : HC_ABORT;
}

static const struct {
    const char *name;
    hvt_handler handler;
} hypercalls[HVT_HC_MAX] = {
    [HVT_HC_WALLTIME] = {"WALLTIME", hvt_walltime},
    [HVT_HC_PUTS] = {"PUTS", hvt_puts},
    [HVT_HC_POLL] = {"POLL", hvt_poll},
    [HVT_HC_BLOCK_WRITE] = {"BLOCK_WRITE", hvt_block_write},
    [HVT_HC_BLOCK_READ] = {"BLOCK_READ", hvt_block_read},
    [HVT_HC_NET_WRITE] = {"NET_WRITE", hvt_net_write},
    [HVT_HC_NET_READ] = {"NET_READ", hvt_net_read},
    [HVT_HC_HALT] = {"HALT", hvt_halt},
};

const char *hvt_hypercall_name(unsigned nr)
{
    if (nr < HVT_HC_MAX && hypercalls[nr].name)
        return hypercalls[nr].name;
    return "unknown";
}

enum hc_outcome hvt_dispatch(struct hc_context *ctx, uint16_t port, uint32_t value)
{
    ctx->hc_name = hvt_hypercall_name;
    unsigned nr = (unsigned)(port - HVT_HYPERCALL_PIO_BASE);
    if (nr >= HVT_HC_MAX || !hypercalls[nr].name) {
        snprintf(ctx->error, sizeof(ctx->error),
                 "unknown hvt hypercall %u (port 0x%x, argument 0x%x)", nr, port, value);
        return HC_GUEST_ERROR;
    }
    return hypercalls[nr].handler(ctx, value);
}
