/*
 * fuzz_hypercall.c: libFuzzer target for the hypercall layer of both guest ABIs, which
 * takes hostile argument structs from the guest: ukvm's own (ukvm/abi/ukvm/), Solo5 hvt
 * (ukvm/abi/hvt/) and what they share (ukvm/abi/core/).
 *
 *   make build/fuzz/fuzz_hypercall && build/fuzz/fuzz_hypercall tests/fuzz/corpus/fuzz_hypercall
 *
 * Each input is a small guest, called through the ABI's description (struct guest_abi)
 * as the run loop calls it:
 *
 *   struct fuzz_header (zero-padded when the input is shorter): flags, the vCPU's
 *   registers and tables, and up to FUZZ_CALLS calls, each one of
 *     - a hypercall: the ABI's dispatch with port = base + nr and the 32-bit value, then
 *       for a fatal stop (HC_TRAP, HC_ABORT) the ABI's fatal_context;
 *     - a user-mode exception (the hvt ABI's user_fault, which decodes and emulates the
 *       guest's privileged instructions, or delivers to the guest's own IDT), and the
 *       port access it hands back, served as the run loop would;
 *   then the guest's memory image (FUZZ_MEM_SIZE bytes, zero past the input).
 *
 * Guest memory is malloc'd at exactly FUZZ_MEM_SIZE, so ASan reports any host access
 * one byte outside it. Devices are real (two block devices on temporary files, one
 * network device on a SOCK_SEQPACKET pair, as tests/unit/test_hc_net.c does), the console
 * is /dev/null and the wake descriptor is always readable, so that no wait ever sleeps.
 * The vCPU is a fake: this file defines the vcpu_* calls the ABIs make (the archive's
 * KVM implementation is then never linked).
 *
 * Beyond "no crash, no sanitizer report", after every call: the outcome is one of the
 * enum; a guest or host error says why, in a terminated string; every guest byte a
 * hypercall changed lies in a range it noted as written (watchpoints depend on that);
 * every noted range lies inside guest memory; a fatal stop stays a fatal stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ukvm/abi/guest_abi.h"
#include "ukvm/abi/hvt/hvt.h"
#include "ukvm/abi/ukvm/hypercall.h"

#define FUZZ_MEM_SIZE 0x4000ULL /* small, so that random addresses often land inside */
#define FUZZ_CALLS    8
#define MTU           1500

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_hypercall: contract violated: %s\n", what);
        abort();
    }
}

/* ---------------------------------------------------------------- the fake vCPU */

struct vcpu {
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    bool fail; /* every call fails, as a KVM that refuses would */
};

int vcpu_get_regs(struct vcpu *vcpu, struct vcpu_regs *regs)
{
    if (vcpu->fail)
        return -1;
    *regs = vcpu->regs;
    return 0;
}

int vcpu_set_regs(struct vcpu *vcpu, const struct vcpu_regs *regs)
{
    if (vcpu->fail)
        return -1;
    vcpu->regs = *regs;
    return 0;
}

int vcpu_get_sregs(struct vcpu *vcpu, struct vcpu_sregs *sregs)
{
    if (vcpu->fail)
        return -1;
    *sregs = vcpu->sregs;
    return 0;
}

int vcpu_set_sregs(struct vcpu *vcpu, const struct vcpu_sregs *sregs)
{
    if (vcpu->fail)
        return -1;
    vcpu->sregs = *sregs;
    return 0;
}

/* ---------------------------------------------------------------- the input */

enum {
    F_HVT = 1 << 0,       /* the Solo5 hvt ABI, else ukvm's */
    F_USER = 1 << 1,      /* the guest runs in user mode */
    F_NO_VCPU = 1 << 2,   /* ctx->vcpu is NULL */
    F_VCPU_FAIL = 1 << 3, /* the vCPU's registers cannot be read or written */
    F_NO_NETS = 1 << 4,   /* no network devices */
    F_NO_STATE = 1 << 5,  /* hvt: no struct hvt_state */
    F_PAGING = 1 << 6,    /* the vCPU pages (long mode): guest-virtual reads walk cr3 */
};

struct fuzz_call {
    uint8_t kind; /* even: hypercall nr; odd: user-mode exception of vector nr % 32 */
    uint8_t nr;
    uint16_t error_code;
    uint32_t value; /* the hypercall's argument */
};

struct fuzz_header {
    uint8_t flags, ncalls;
    uint16_t frame_len; /* a frame of this many bytes (from the memory image) waits on the net */
    uint16_t idt_limit, gdt_limit;
    uint64_t rip, rsp, rflags, cr3, idt_base, gdt_base;
    uint64_t gpr_base; /* rax..r15 = gpr_base + 0x100 * n */
    struct fuzz_call calls[FUZZ_CALLS];
};

/* ---------------------------------------------------------------- the world */

static struct guest_mem mem;
static uint8_t *before; /* guest memory before the call, to find what it changed */
static struct block_devs blocks;
static struct net_devs nets;
static struct hvt_state hvt;
static struct vcpu vcpu;
static int console_fd, wake_fd, host_fd;

static void setup(void)
{
    mem.size = FUZZ_MEM_SIZE;
    mem.host = malloc(FUZZ_MEM_SIZE);
    before = malloc(FUZZ_MEM_SIZE);
    check(mem.host && before, "malloc");
    console_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    wake_fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK); /* readable until read: never read */
    check(console_fd >= 0 && wake_fd >= 0, "console and wake descriptors");

    /* Block devices on temporary files, unlinked once open. */
    static struct options o; /* large: off the stack */
    static char paths[2][64];
    const char *names[2] = {"storage", "other"};
    uint32_t sizes[2] = {512, 1024};
    o.nblocks = 2;
    for (int i = 0; i < 2; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/tmp/ukvm-fuzz-hc-%s-XXXXXX", names[i]);
        int fd = mkstemp(paths[i]);
        check(fd >= 0 && ftruncate(fd, 8 * sizes[i]) == 0, "block device file");
        close(fd);
        strcpy(o.blocks[i].name, names[i]);
        o.blocks[i].path = paths[i];
        o.blocks[i].block_size = sizes[i];
    }
    char err[256];
    check(block_devs_open(&blocks, &o, err, sizeof(err)) == 0, "block_devs_open");
    unlink(paths[0]);
    unlink(paths[1]);

    /* What net_devs_open makes of a tap, by hand (test_hc_net.c does the same). */
    int sp[2];
    check(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == 0,
          "socketpair");
    nets.count = 1;
    struct net_dev *d = &nets.devs[0];
    strcpy(d->name, "service0");
    strcpy(d->ifname, "tap-fuzz");
    d->fd = sp[0];
    d->fd_given = true;
    d->mtu = MTU;
    memcpy(d->mac, "\x02\x00\x00\x00\x00\x07", 6);
    host_fd = sp[1];
}

/* Empties both directions of the network device, so that inputs do not see each other. */
static void drain_net(void)
{
    uint8_t buf[MTU + NET_ETHER_HLEN + 64];
    while (recv(host_fd, buf, sizeof(buf), 0) > 0)
        ;
    while (recv(nets.devs[0].fd, buf, sizeof(buf), 0) > 0)
        ;
}

static void reset_hvt_state(void)
{
    memset(&hvt, 0, sizeof(hvt));
    for (int i = 0; i < HVT_MFT_MAX_ENTRIES; i++)
        hvt.block_of_handle[i] = hvt.net_of_handle[i] = -1;
    /* Manifest handles: 1 "storage", 2 the network device, 3 "other". */
    hvt.block_of_handle[1] = 0;
    hvt.block_of_handle[3] = 1;
    hvt.net_of_handle[2] = 0;
    hvt.handle_of_net[0] = 2;
}

static void set_vcpu(const struct fuzz_header *h)
{
    memset(&vcpu, 0, sizeof(vcpu));
    uint64_t *gpr[16] = {&vcpu.regs.rax, &vcpu.regs.rcx, &vcpu.regs.rdx, &vcpu.regs.rbx,
                         &vcpu.regs.rsp, &vcpu.regs.rbp, &vcpu.regs.rsi, &vcpu.regs.rdi,
                         &vcpu.regs.r8,  &vcpu.regs.r9,  &vcpu.regs.r10, &vcpu.regs.r11,
                         &vcpu.regs.r12, &vcpu.regs.r13, &vcpu.regs.r14, &vcpu.regs.r15};
    for (unsigned n = 0; n < 16; n++)
        *gpr[n] = h->gpr_base + 0x100 * n;
    vcpu.regs.rip = h->rip;
    vcpu.regs.rsp = h->rsp;
    vcpu.regs.rflags = h->rflags;
    bool user = h->flags & F_USER;
    vcpu.sregs.cs = vcpu_flat_segment(user ? 0x33 : 0x08, true, user ? 3 : 0);
    vcpu.sregs.ss = vcpu_flat_segment(user ? 0x2b : 0x10, false, user ? 3 : 0);
    vcpu.sregs.ds = vcpu.sregs.es = vcpu.sregs.fs = vcpu.sregs.gs = vcpu.sregs.ss;
    vcpu.sregs.idt = (struct vcpu_dtable){.base = h->idt_base, .limit = h->idt_limit};
    vcpu.sregs.gdt = (struct vcpu_dtable){.base = h->gdt_base, .limit = h->gdt_limit};
    if (h->flags & F_PAGING) {
        vcpu.sregs.cr0 = 0x80050033; /* PG WP NE ET MP PE */
        vcpu.sregs.cr4 = 0x20;       /* PAE */
        vcpu.sregs.efer = 0x500;     /* LMA LME */
        vcpu.sregs.cr3 = h->cr3 & ~0xfffULL;
    } else {
        vcpu.sregs.cr0 = 0x11; /* PE ET: guest-virtual is guest-physical */
    }
    vcpu.fail = (h->flags & F_VCPU_FAIL) != 0;
}

/* ---------------------------------------------------------------- the checks */

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static bool noted_write(const struct hc_context *ctx, uint64_t gpa)
{
    for (unsigned i = 0; i < ctx->naccess; i++)
        if (ctx->access[i].write && gpa >= ctx->access[i].gpa &&
            gpa - ctx->access[i].gpa < ctx->access[i].len)
            return true;
    return false;
}

static void check_hypercall(const struct hc_context *ctx, enum hc_outcome o)
{
    check(o <= HC_HOST_ERROR, "outcome is one of the enum");
    /* HC_INTERRUPTED is fine: console writes (both ABIs) and hvt's POLL give way to a stop
       request, and the harness's wake descriptor always shows one. */
    check(terminated(ctx->error, sizeof(ctx->error)), "error terminated");
    check(terminated(ctx->message, sizeof(ctx->message)), "message terminated");
    if (o == HC_GUEST_ERROR || o == HC_HOST_ERROR)
        check(ctx->error[0] != '\0', "an error without a reason");
    check(ctx->naccess <= HC_ACCESS_MAX, "access count");
    for (unsigned i = 0; i < ctx->naccess; i++)
        check(ctx->access[i].len > 0 &&
                  guest_mem_range_ok(ctx->mem, ctx->access[i].gpa, ctx->access[i].len),
              "a noted access outside guest memory");
    if (memcmp(mem.host, before, FUZZ_MEM_SIZE) == 0)
        return;
    for (uint64_t a = 0; a < FUZZ_MEM_SIZE; a++)
        if (mem.host[a] != before[a])
            check(noted_write(ctx, a), "guest memory changed outside the noted writes");
}

/* ---------------------------------------------------------------- the calls */

/* One hypercall through the ABI, as the run loop makes it. */
static enum hc_outcome hypercall(const struct guest_abi *abi, struct hc_context *ctx, uint16_t port,
                                 uint32_t value)
{
    memset(ctx->error, 0, sizeof(ctx->error));
    ctx->naccess = 0;
    memcpy(before, mem.host, FUZZ_MEM_SIZE);
    enum hc_outcome o = abi->dispatch(ctx, port, value);
    check_hypercall(ctx, o);
    if ((o == HC_TRAP || o == HC_ABORT) && abi->fatal_context) {
        struct vcpu *v = ctx->vcpu ? ctx->vcpu : &vcpu; /* the run loop always has one */
        abi->fatal_context(ctx, &o, v);
        check(o == HC_TRAP || o == HC_ABORT, "a fatal stop stays fatal");
        check(terminated(ctx->message, sizeof(ctx->message)), "message terminated");
    }
    return o;
}

/* A user-mode exception offered to the ABI, then the port access it hands back. */
static bool user_fault(const struct guest_abi *abi, struct hc_context *ctx,
                       const struct fuzz_call *c)
{
    if (!abi->user_fault)
        return true;
    struct user_fault uf = {
        .vector = c->nr % 32,
        .error_code = c->error_code,
        .mem = &mem,
        .abi_state = ctx->abi_state,
        .regs = &vcpu.regs,
        .sregs = &vcpu.sregs,
    };
    enum user_fault_outcome o = abi->user_fault(&uf);
    check(o <= USER_FAULT_GUEST_ERROR, "user fault outcome is one of the enum");
    check(terminated(uf.error, sizeof(uf.error)), "user fault error terminated");
    if (o == USER_FAULT_GUEST_ERROR)
        check(uf.error[0] != '\0', "a user fault guest error without a reason");
    if (o == USER_FAULT_PORT) {
        check(uf.size == 1 || uf.size == 2 || uf.size == 4, "port access size");
        /* The run loop serves a 4-byte write in the ABI's range as a hypercall. */
        if (uf.is_write && uf.size == 4 && uf.port >= abi->hc_port_base &&
            uf.port - abi->hc_port_base < abi->hc_port_count) {
            enum hc_outcome h = hypercall(abi, ctx, uf.port, uf.value);
            return h == HC_CONTINUE;
        }
    }
    return o == USER_FAULT_DONE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!mem.host)
        setup();
    struct fuzz_header h;
    memset(&h, 0, sizeof(h));
    memcpy(&h, data, size < sizeof(h) ? size : sizeof(h));
    size_t off = size < sizeof(h) ? size : sizeof(h);
    size_t image = size - off < FUZZ_MEM_SIZE ? size - off : FUZZ_MEM_SIZE;
    memset(mem.host, 0, FUZZ_MEM_SIZE);
    memcpy(mem.host, data + off, image);

    const struct guest_abi *abi = (h.flags & F_HVT) ? &guest_abi_hvt : &guest_abi_ukvm;
    reset_hvt_state();
    set_vcpu(&h);
    drain_net();
    if (h.frame_len && !(h.flags & F_NO_NETS)) {
        size_t n = h.frame_len % (MTU + NET_ETHER_HLEN + 16);
        check(send(host_fd, mem.host, n, 0) == (ssize_t)n || n == 0, "frame to the guest");
    }
    struct hc_context ctx = {
        .mem = &mem,
        .blocks = &blocks,
        .nets = (h.flags & F_NO_NETS) ? NULL : &nets,
        .console_fd = console_fd,
        .wake_fd = wake_fd,
        .abi_state = (abi == &guest_abi_hvt && !(h.flags & F_NO_STATE)) ? &hvt : NULL,
        .vcpu = (h.flags & F_NO_VCPU) ? NULL : &vcpu,
        .user_mode = (h.flags & F_USER) != 0,
    };
    /* The hvt ABI waits on every device its manifest declares; ukvm's once looked up. */
    nets.devs[0].polled = abi == &guest_abi_hvt;

    unsigned ncalls = h.ncalls % (FUZZ_CALLS + 1);
    for (unsigned i = 0; i < ncalls; i++) {
        const struct fuzz_call *c = &h.calls[i];
        bool go_on;
        if (c->kind & 1) {
            go_on = user_fault(abi, &ctx, c);
        } else {
            enum hc_outcome o =
                hypercall(abi, &ctx, (uint16_t)(abi->hc_port_base + c->nr), c->value);
            /* As the run loop: only a finished call lets the guest go on (an interrupted
               POLL is dispatched again). */
            go_on = o == HC_CONTINUE || o == HC_INTERRUPTED;
        }
        if (!go_on)
            break;
    }
    drain_net();
    return 0;
}
