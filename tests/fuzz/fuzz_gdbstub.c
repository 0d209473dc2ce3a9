/*
 * fuzz_gdbstub.c: libFuzzer target for the gdb stub, which takes hostile input from
 * anyone who can connect.
 *
 *   make build/fuzz/fuzz_gdbstub && build/fuzz/fuzz_gdbstub -max_total_time=60 CORPUS_DIR
 *
 * It is built with RSP_PACKET_SIZE 0x400 (see the Makefile), so that inputs of the sizes
 * libFuzzer makes reach the packet-size limits.
 *
 * Each input is one whole connection, fed through an in-memory transport against a fake
 * target, in one of two shapes chosen by its first byte:
 *   even: the bytes as they come off the wire (framing, checksums, acks, escapes, noise);
 *   odd:  packet payloads separated by '\n', which the harness frames with correct
 *         checksums (and an occasional 0x03), so the fuzzer spends its time in the packet
 *         handlers instead of guessing checksums.
 * Reads are cut into small uneven pieces, so packets straddle reads.
 *
 * Beyond "no crash, no sanitizer report, no hang", every write the stub makes must be an
 * ack or one whole well-framed packet with a correct checksum, session_end() must be
 * called exactly once, and the session's result must be what session_end() was told.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/rsp_packet.h"
#include "gdbstub/rsp_transport.h"

#define MEM_BASE 0x1000ULL
#define MEM_SIZE 0x1000ULL /* small: it is reset for every input */
#define MAX_IN   (1u << 20)

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_gdbstub: contract violated: %s\n", what);
        abort();
    }
}

/* ---------------------------------------------------------------- the fake target */

struct fake {
    uint8_t regs[GDB_REG_COUNT][16];
    uint8_t mem[MEM_SIZE];
    int nbps;
    unsigned resumes;
    int session_ends;
    enum gdb_session_end how;
};

static int read_reg(void *ctx, unsigned regno, void *buf)
{
    struct fake *f = ctx;
    check(regno < GDB_REG_COUNT, "read_reg: register number out of range");
    if (regno == GDB_REG_CR8)
        return -1; /* one unavailable register */
    memcpy(buf, f->regs[regno], gdb_reg_size(regno));
    return 0;
}

static int write_reg(void *ctx, unsigned regno, const void *buf)
{
    struct fake *f = ctx;
    check(regno < GDB_REG_COUNT, "write_reg: register number out of range");
    if (regno == GDB_REG_EFER)
        return -1; /* one unwritable register */
    memcpy(f->regs[regno], buf, gdb_reg_size(regno));
    return 0;
}

static long read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fake *f = ctx;
    check(len > 0 && len <= RSP_MEM_READ_MAX, "read_mem: length");
    check(addr + (len - 1) >= addr, "read_mem: range wraps");
    if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
        return -1;
    size_t n = len < MEM_BASE + MEM_SIZE - addr ? len : (size_t)(MEM_BASE + MEM_SIZE - addr);
    memcpy(buf, f->mem + (addr - MEM_BASE), n);
    return (long)n;
}

static int write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    struct fake *f = ctx;
    check(len > 0 && len <= RSP_PACKET_SIZE, "write_mem: length");
    check(addr + (len - 1) >= addr, "write_mem: range wraps");
    if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE || len > MEM_BASE + MEM_SIZE - addr)
        return -1;
    memcpy(f->mem + (addr - MEM_BASE), buf, len);
    return 0;
}

static int insert_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len)
{
    struct fake *f = ctx;
    check((unsigned)type <= GDB_WP_ACCESS, "insert_bp: type");
    (void)len;
    if (type >= GDB_WP_READ)
        return 1;
    if (addr < MEM_BASE)
        return -1;
    f->nbps++;
    return 0;
}

static int remove_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len)
{
    struct fake *f = ctx;
    check((unsigned)type <= GDB_WP_ACCESS, "remove_bp: type");
    (void)addr;
    (void)len;
    if (f->nbps == 0)
        return -1;
    f->nbps--;
    return 0;
}

/* Every way a resume can end, in turn. */
static int resume(void *ctx, enum gdb_resume_action action, struct gdb_stop *stop)
{
    struct fake *f = ctx;
    check(action == GDB_RESUME_CONTINUE || action == GDB_RESUME_STEP, "resume: action");
    memset(stop, 0, sizeof(*stop));
    stop->kind = GDB_STOP_SIGNAL;
    stop->signal = GDB_SIGNAL_TRAP;
    switch (f->resumes++ % 11) {
    case 1:
        stop->reason = GDB_REASON_SWBREAK;
        break;
    case 2:
        stop->reason = GDB_REASON_HWBREAK;
        break;
    case 3:
        stop->reason = GDB_REASON_WATCH + (int)(f->resumes % 3);
        stop->watch_addr = UINT64_MAX - f->resumes;
        break;
    case 4:
        stop->signal = GDB_SIGNAL_SEGV;
        snprintf(stop->message, sizeof(stop->message), "Page fault at %#x", f->resumes);
        break;
    case 5:
        memset(stop->message, 'm', sizeof(stop->message)); /* unterminated: the stub copes */
        break;
    case 6:
        return -1;
    case 9:
        stop->kind = GDB_STOP_EXITED;
        stop->exit_status = (int)(f->resumes & 0xff);
        break;
    case 10:
        stop->kind = GDB_STOP_KILLED;
        stop->signal = GDB_SIGNAL_ABRT;
        break;
    default:
        break;
    }
    return 0;
}

static void interrupt(void *ctx)
{
    (void)ctx;
}

static void stop_status(void *ctx, struct gdb_stop *stop)
{
    (void)ctx;
    memset(stop, 0, sizeof(*stop));
    stop->kind = GDB_STOP_SIGNAL;
    stop->signal = GDB_SIGNAL_TRAP;
}

static int monitor(void *ctx, const char *command, FILE *out)
{
    (void)ctx;
    size_t n = strlen(command);
    check(n <= 4096, "monitor: command longer than the stub allows");
    /* Output in proportion to the command, up to several 'O' packets. */
    for (size_t i = 0; i < n && i < 64; i++)
        fprintf(out, "%s%c", command, i % 8 == 7 ? '\n' : ' ');
    return n % 2 ? -1 : 0;
}

static void session_end(void *ctx, enum gdb_session_end how)
{
    struct fake *f = ctx;
    f->session_ends++;
    f->how = how;
}

static const struct gdb_target_ops fake_ops = {
    .read_reg = read_reg,
    .write_reg = write_reg,
    .read_mem = read_mem,
    .write_mem = write_mem,
    .insert_bp = insert_bp,
    .remove_bp = remove_bp,
    .resume = resume,
    .interrupt = interrupt,
    .stop_status = stop_status,
    .monitor = monitor,
    .session_end = session_end,
};

/* ---------------------------------------------------------------- the transport */

struct stream {
    const uint8_t *data;
    size_t len, pos;
    uint32_t rng; /* cuts reads into uneven pieces */
};

static ssize_t stream_read(void *io, void *buf, size_t len)
{
    struct stream *s = io;
    check(len > 0, "read of zero bytes");
    if (s->pos == s->len)
        return 0;
    s->rng = s->rng * 1103515245u + 12345u;
    size_t n = 1 + (s->rng >> 16) % 64;
    if (n > len)
        n = len;
    if (n > s->len - s->pos)
        n = s->len - s->pos;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

/* Every write must be an ack, or one whole packet: '$' payload '#' checksum. */
static int stream_write(void *io, const void *buf, size_t len)
{
    (void)io;
    const uint8_t *p = buf;
    check(len > 0, "empty write");
    if (len == 1 && (p[0] == '+' || p[0] == '-'))
        return 0;
    check(len >= 4 && p[0] == '$' && p[len - 3] == '#', "write is not one framed packet");
    uint8_t sum = 0;
    for (size_t i = 1; i < len - 3; i++) {
        check(p[i] != '$' && p[i] != '#', "frame character inside a packet");
        sum += p[i];
    }
    char cs[3];
    snprintf(cs, sizeof(cs), "%02x", sum);
    check(memcmp(cs, p + len - 2, 2) == 0, "bad checksum in a reply");
    return 0;
}

/* Frames '\n'-separated payloads with correct checksums (odd first byte). */
static size_t frame_payloads(const uint8_t *data, size_t size, uint8_t *out, size_t cap)
{
    size_t o = 0, start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        size_t n = i - start;
        if (o + n + 5 > cap)
            break;
        uint8_t sum = 0;
        out[o++] = '$';
        for (size_t k = 0; k < n; k++)
            sum += out[o++] = data[start + k];
        o += (size_t)sprintf((char *)out + o, "#%02x", sum);
        if (n > 0 && data[start] == 'c' && o < cap)
            out[o++] = 0x03; /* a Ctrl-C behind a continue */
        start = i + 1;
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fake f;
    static uint8_t framed[MAX_IN];
    if (size == 0 || size > MAX_IN / 2)
        return 0;
    memset(&f, 0, sizeof(f));
    for (size_t i = 0; i < MEM_SIZE; i++)
        f.mem[i] = (uint8_t)(i * 7);

    struct stream s = {.rng = (uint32_t)size};
    if (data[0] & 1) {
        s.data = framed;
        s.len = frame_payloads(data + 1, size - 1, framed, sizeof(framed));
    } else {
        s.data = data + 1;
        s.len = size - 1;
    }
    struct rsp_transport t = {stream_read, stream_write, &s, -1};
    enum gdb_session_end how = gdbstub_serve_transport(&t, &fake_ops, &f);
    check(f.session_ends == 1, "session_end called exactly once");
    check(how == f.how, "result differs from what session_end was told");
    check(how == GDB_END_DISCONNECT || how == GDB_END_DETACH || how == GDB_END_KILL ||
              how == GDB_END_TARGET_GONE,
          "result is a gdb_session_end");
    return 0;
}
