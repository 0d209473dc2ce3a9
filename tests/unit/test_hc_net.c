/*
 * test_hc_net.c: the network hypercalls of both guest ABIs (ukvm/abi/ukvm/hc_net.c,
 * ukvm/abi/hvt/hvt_hypercalls.c, ukvm/abi/core/hc_net.c) and the device layer under them
 * (ukvm/devices/net_dev.c), against real guest memory.
 *
 * A tap needs root and a network namespace (tests/scripts/net.sh does that); here the
 * device's descriptor is one end of a SOCK_SEQPACKET socket pair, which keeps frame
 * boundaries as a tap does: the test plays the host's network on the other end.
 *
 * Guest memory (4 MiB): ARG_GPA 0x10000 the argument struct, DATA_GPA 0x20000 frames.
 * One block device is attached first ("storage"), so the ukvm ABI's network handle is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ukvm/abi/hvt/hvt.h"
#include "ukvm/abi/ukvm/hypercall.h"
#include "unit.h"

#define MEM_SIZE 0x400000ULL
#define ARG_GPA  0x10000ULL
#define DATA_GPA 0x20000ULL
#define MTU      1500
#define NET_H    1 /* ukvm ABI: after the one block device */
#define HVT_H    2 /* hvt ABI: the manifest index of the network device */

static struct guest_mem mem;
static struct block_devs blocks;
static struct net_devs nets;
static struct hvt_state hvt;
static struct hc_context ctx;
static int host = -1; /* the "network" side of the device */
static char storage_path[64] = "/tmp/ukvm-test-hc-net-XXXXXX";

static enum hc_outcome call(unsigned nr, const void *arg, size_t len)
{
    memcpy(mem.host + ARG_GPA, arg, len);
    memset(ctx.error, 0, sizeof(ctx.error));
    ctx.naccess = 0; /* as the run loop does before each call */
    return hypercall_dispatch(&ctx, (uint16_t)(UKVM_HC_PORT_BASE + nr), ARG_GPA);
}

static enum hc_outcome hvt_call(unsigned nr, const void *arg, size_t len)
{
    memcpy(mem.host + ARG_GPA, arg, len);
    memset(ctx.error, 0, sizeof(ctx.error));
    ctx.naccess = 0;
    ctx.abi_state = &hvt;
    enum hc_outcome o = hvt_dispatch(&ctx, (uint16_t)(HVT_HYPERCALL_PIO_BASE + nr), ARG_GPA);
    ctx.abi_state = NULL;
    return o;
}

static void result(void *dst, size_t len)
{
    memcpy(dst, mem.host + ARG_GPA, len);
}

/* A frame of len bytes whose bytes follow from seed. */
static void make_frame(uint8_t *f, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(seed + i * 7);
}

/* A POLL's ready set; UINT64_MAX when the call itself failed. */
static uint64_t poll_ready(uint64_t timeout_ns)
{
    struct ukvm_hc_poll a = {.timeout_ns = timeout_ns};
    if (call(UKVM_HC_POLL, &a, sizeof(a)) != HC_CONTINUE)
        return UINT64_MAX;
    result(&a, sizeof(a));
    return a.ret == UKVM_R_OK ? a.ready_set : UINT64_MAX;
}

UNIT_TEST(net_info)
{
    struct ukvm_hc_net_info a = {.name = DATA_GPA, .name_len = 8};
    memcpy(mem.host + DATA_GPA, "service0", 8);
    CHECK_EQ_U64(call(UKVM_HC_NET_INFO, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64(a.ret, UKVM_R_OK);
    CHECK_EQ_U64(a.handle, NET_H);
    CHECK_EQ_U64(a.mtu, MTU);
    CHECK(memcmp(a.mac, nets.devs[0].mac, 6) == 0);
    /* Block device names are not network devices, and the reverse. */
    memcpy(mem.host + DATA_GPA, "storage", 7);
    a = (struct ukvm_hc_net_info){.name = DATA_GPA, .name_len = 7};
    CHECK_EQ_U64(call(UKVM_HC_NET_INFO, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64(a.ret, UKVM_R_EINVAL);
    a = (struct ukvm_hc_net_info){.name = MEM_SIZE - 2, .name_len = 8};
    CHECK_EQ_U64(call(UKVM_HC_NET_INFO, &a, sizeof(a)), HC_GUEST_ERROR);
    CHECK_STR_CONTAINS(ctx.error, "hypercall NET_INFO: name 0x3ffffe + len 0x8 is outside");
}

UNIT_TEST(write_sends_one_frame)
{
    uint8_t f[MTU + 14], got[MTU + 100];
    make_frame(f, sizeof(f), 3);
    memcpy(mem.host + DATA_GPA, f, sizeof(f));
    uint64_t before = nets.devs[0].stats.frames_out;
    static const size_t lens[] = {14, 60, MTU + 14};
    for (size_t i = 0; i < 3; i++) {
        struct ukvm_hc_net_io a = {.handle = NET_H, .data = DATA_GPA, .len = lens[i], .ret = 9};
        CHECK_EQ_U64(call(UKVM_HC_NET_WRITE, &a, sizeof(a)), HC_CONTINUE);
        result(&a, sizeof(a));
        CHECK_EQ_U64(a.ret, UKVM_R_OK);
        CHECK_EQ_U64((uint64_t)read(host, got, sizeof(got)), lens[i]);
        CHECK(memcmp(got, f, lens[i]) == 0);
    }
    CHECK_EQ_U64(nets.devs[0].stats.frames_out - before, 3);
    /* The last frame is the newest one `net` shows. */
    const struct net_frame_record *r = &nets.devs[0].recent[(nets.devs[0].recent_count - 1) % 16];
    CHECK(r->sent && r->wire_len == MTU + 14 && r->caplen == NET_RECENT_SNAP);
}

UNIT_TEST(write_bad_requests_einval)
{
    uint64_t refused = nets.devs[0].stats.refused_out;
    struct {
        uint64_t handle, len;
    } bad[] = {{NET_H, 13}, {NET_H, MTU + 15}, {NET_H, 0},      {0, 60},
               {2, 60},     {64, 60},          {UINT64_MAX, 60}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ukvm_hc_net_io a = {.handle = bad[i].handle, .data = DATA_GPA, .len = bad[i].len};
        CHECK_EQ_U64(call(UKVM_HC_NET_WRITE, &a, sizeof(a)), HC_CONTINUE);
        result(&a, sizeof(a));
        CHECK_EQ_U64(a.ret, UKVM_R_EINVAL);
    }
    CHECK_EQ_U64(nets.devs[0].stats.refused_out - refused, 3); /* the lengths; not the handles */
    uint8_t got[64];
    CHECK(read(host, got, sizeof(got)) < 0 && errno == EAGAIN); /* nothing was sent */
}

UNIT_TEST(buffers_outside_memory)
{
    /* Checked before the handle: no correct guest can pass one. */
    struct ukvm_hc_net_io a = {.handle = NET_H, .data = MEM_SIZE - 10, .len = 60};
    CHECK_EQ_U64(call(UKVM_HC_NET_WRITE, &a, sizeof(a)), HC_GUEST_ERROR);
    CHECK_STR_CONTAINS(ctx.error, "hypercall NET_WRITE: buffer 0x3ffff6 + len 0x3c is outside");
    a = (struct ukvm_hc_net_io){.handle = 0, .data = UINT64_MAX - 5, .len = 60};
    CHECK_EQ_U64(call(UKVM_HC_NET_READ, &a, sizeof(a)), HC_GUEST_ERROR);
    CHECK_STR_CONTAINS(ctx.error, "hypercall NET_READ: buffer");
    struct hvt_hc_net_io h = {.handle = HVT_H, .data = MEM_SIZE, .len = 60};
    CHECK_EQ_U64(hvt_call(HVT_HC_NET_WRITE, &h, sizeof(h)), HC_GUEST_ERROR);
    CHECK_STR_CONTAINS(ctx.error, "hypercall NET_WRITE: buffer 0x400000 + len 0x3c is outside");
}

UNIT_TEST(read_and_poll)
{
    uint8_t f[98];
    make_frame(f, sizeof(f), 11);
    /* Nothing waiting: AGAIN, and a poll of 0 ns reports nothing. */
    struct ukvm_hc_net_io a = {.handle = NET_H, .data = DATA_GPA, .len = MTU + 14, .ret = 9};
    CHECK_EQ_U64(call(UKVM_HC_NET_READ, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64(a.ret, UKVM_R_AGAIN);
    CHECK_EQ_U64(a.len, 0);
    CHECK_EQ_U64(poll_ready(0), 0);
    /* A frame arrives: the poll says which handle, the read delivers it whole. */
    CHECK_EQ_U64((uint64_t)write(host, f, sizeof(f)), sizeof(f));
    CHECK_EQ_U64(poll_ready(0), 1ull << NET_H);
    CHECK_EQ_U64(poll_ready(5000000000ull), 1ull << NET_H); /* returns at once */
    a = (struct ukvm_hc_net_io){.handle = NET_H, .data = DATA_GPA, .len = MTU + 14};
    CHECK_EQ_U64(call(UKVM_HC_NET_READ, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64(a.ret, UKVM_R_OK);
    CHECK_EQ_U64(a.len, sizeof(f));
    CHECK(memcmp(mem.host + DATA_GPA, f, sizeof(f)) == 0);
    /* The frame's bytes are noted as written, for watchpoints. */
    bool noted = false;
    for (unsigned i = 0; i < ctx.naccess; i++)
        noted |=
            ctx.access[i].gpa == DATA_GPA && ctx.access[i].len == sizeof(f) && ctx.access[i].write;
    CHECK(noted);
    CHECK_EQ_U64(poll_ready(0), 0);
    /* A buffer too small for the MTU breaks Solo5's rule: EINVAL, the frame stays queued. */
    CHECK_EQ_U64((uint64_t)write(host, f, sizeof(f)), sizeof(f));
    a = (struct ukvm_hc_net_io){.handle = NET_H, .data = DATA_GPA, .len = MTU + 13};
    CHECK_EQ_U64(call(UKVM_HC_NET_READ, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64(a.ret, UKVM_R_EINVAL);
    CHECK_EQ_U64(poll_ready(0), 1ull << NET_H);
    a = (struct ukvm_hc_net_io){.handle = NET_H, .data = DATA_GPA, .len = MTU + 14};
    CHECK_EQ_U64(call(UKVM_HC_NET_READ, &a, sizeof(a)), HC_CONTINUE);
}

UNIT_TEST(hvt_calls)
{
    uint8_t f[60], got[100];
    make_frame(f, sizeof(f), 5);
    memcpy(mem.host + DATA_GPA, f, sizeof(f));
    struct hvt_hc_net_io a = {.handle = HVT_H, .data = DATA_GPA, .len = sizeof(f), .ret = 9};
    CHECK_EQ_U64(hvt_call(HVT_HC_NET_WRITE, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64((uint64_t)a.ret, HVT_R_OK);
    CHECK_EQ_U64((uint64_t)read(host, got, sizeof(got)), sizeof(f));
    /* Handle 1 is the block device, 3 is nothing: EINVAL, as the hvt tender answers. */
    for (uint64_t h = 0; h < 4; h++) {
        if (h == HVT_H)
            continue;
        a = (struct hvt_hc_net_io){.handle = h, .data = DATA_GPA, .len = sizeof(f)};
        CHECK_EQ_U64(hvt_call(HVT_HC_NET_WRITE, &a, sizeof(a)), HC_CONTINUE);
        result(&a, sizeof(a));
        CHECK_EQ_U64((uint64_t)a.ret, HVT_R_EINVAL);
    }
    /* POLL: the ready set is in manifest handles, ret the number of ready devices. */
    struct hvt_hc_poll p = {.timeout_nsecs = 0};
    CHECK_EQ_U64(hvt_call(HVT_HC_POLL, &p, sizeof(p)), HC_CONTINUE);
    result(&p, sizeof(p));
    CHECK_EQ_U64(p.ready_set, 0);
    CHECK_EQ_U64((uint64_t)p.ret, 0);
    CHECK_EQ_U64((uint64_t)write(host, f, sizeof(f)), sizeof(f));
    p = (struct hvt_hc_poll){.timeout_nsecs = 1000000000ull};
    CHECK_EQ_U64(hvt_call(HVT_HC_POLL, &p, sizeof(p)), HC_CONTINUE);
    result(&p, sizeof(p));
    CHECK_EQ_U64(p.ready_set, 1ull << HVT_H);
    CHECK_EQ_U64((uint64_t)p.ret, 1);
    a = (struct hvt_hc_net_io){.handle = HVT_H, .data = DATA_GPA + 0x1000, .len = MTU + 14};
    CHECK_EQ_U64(hvt_call(HVT_HC_NET_READ, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64((uint64_t)a.ret, HVT_R_OK);
    CHECK_EQ_U64(a.len, sizeof(f));
    CHECK(memcmp(mem.host + DATA_GPA + 0x1000, f, sizeof(f)) == 0);
    a = (struct hvt_hc_net_io){.handle = HVT_H, .data = DATA_GPA, .len = MTU + 14};
    CHECK_EQ_U64(hvt_call(HVT_HC_NET_READ, &a, sizeof(a)), HC_CONTINUE);
    result(&a, sizeof(a));
    CHECK_EQ_U64((uint64_t)a.ret, HVT_R_AGAIN);
}

/*
 * --pcap: frames go to the capture; when writing it fails (a full disk: /dev/full under
 * the file), one warning on stderr, the guest's frames still flow, and `net` can tell.
 */
UNIT_TEST(capture_file)
{
    char path[] = "/tmp/ukvm-test-hc-net-pcap-XXXXXX";
    int tmpfd = mkstemp(path);
    CHECK(tmpfd >= 0);
    close(tmpfd);
    struct net_dev *d = &nets.devs[0];
    char err[256];
    CHECK_EQ_U64((uint64_t)pcap_writer_open(&d->pcap, path, 65535, err, sizeof(err)), 0);
    d->pcap_path = path;
    uint8_t f[MTU + 14], got[MTU + 14];
    make_frame(f, sizeof(f), 9);
    memcpy(mem.host + DATA_GPA, f, sizeof(f));
    struct ukvm_hc_net_io a = {.handle = NET_H, .data = DATA_GPA, .len = 60};
    CHECK_EQ_U64(call(UKVM_HC_NET_WRITE, &a, sizeof(a)), HC_CONTINUE);
    CHECK_EQ_U64((uint64_t)read(host, got, sizeof(got)), 60);
    CHECK_EQ_U64(d->pcap.frames, 1);
    net_devs_flush(&nets);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 24 + 16 + 60);

    /* The disk fills up: stderr goes to a file for the warning. */
    int full = open("/dev/full", O_WRONLY);
    CHECK(full >= 0 && dup2(full, fileno(d->pcap.file)) >= 0);
    close(full);
    char errpath[] = "/tmp/ukvm-test-hc-net-err-XXXXXX";
    int errfd = mkstemp(errpath), saved = dup(2);
    CHECK(errfd >= 0 && saved >= 0 && dup2(errfd, 2) >= 0);
    a.len = MTU + 14;
    for (int i = 0; i < 300; i++) { /* more than the 256 KiB buffer */
        CHECK_EQ_U64(call(UKVM_HC_NET_WRITE, &a, sizeof(a)), HC_CONTINUE);
        CHECK_EQ_U64((uint64_t)read(host, got, sizeof(got)), MTU + 14);
    }
    net_devs_flush(&nets);
    dup2(saved, 2);
    close(saved);
    char msg[512] = "";
    CHECK(pread(errfd, msg, sizeof(msg) - 1, 0) > 0);
    close(errfd);
    unlink(errpath);
    CHECK_STR_CONTAINS(msg, "ukvm: warning: network device \"service0\": writing the capture "
                            "file /tmp/ukvm-test-hc-net-pcap-");
    CHECK_STR_CONTAINS(msg, "failed (No space left on device); it ends there\n");
    CHECK(strstr(strstr(msg, "warning") + 1, "warning") == NULL); /* once */
    CHECK(d->pcap.error == ENOSPC);
    pcap_writer_close(&d->pcap);
    d->pcap_path = NULL;
    unlink(path);
}

/* Last: the host side goes away, as when the tap interface is deleted. */
UNIT_TEST(host_side_gone)
{
    close(host);
    host = -1;
    struct ukvm_hc_poll p = {.timeout_ns = 1000000000ull};
    CHECK_EQ_U64(call(UKVM_HC_POLL, &p, sizeof(p)), HC_HOST_ERROR);
    CHECK_STR_CONTAINS(ctx.error, "network device \"service0\": tap tap-test failed while the "
                                  "guest waited for frames");
    struct ukvm_hc_net_io a = {.handle = NET_H, .data = DATA_GPA, .len = 60};
    CHECK_EQ_U64(call(UKVM_HC_NET_WRITE, &a, sizeof(a)), HC_HOST_ERROR);
    CHECK_STR_CONTAINS(ctx.error, "network device \"service0\": a write on tap tap-test failed");
}

static int setup(void)
{
    char err[256];
    if (guest_mem_alloc(&mem, MEM_SIZE, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return -1;
    }
    int fd = mkstemp(storage_path);
    int sp[2];
    if (fd < 0 || ftruncate(fd, 4096) < 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0) {
        printf("FAIL setup: %s\n", strerror(errno));
        return -1;
    }
    close(fd);
    static struct options o; /* large: keep it off the stack */
    o.nblocks = 1;
    strcpy(o.blocks[0].name, "storage");
    o.blocks[0].path = storage_path;
    o.blocks[0].block_size = 512;
    if (block_devs_open(&blocks, &o, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return -1;
    }
    /* What net_devs_open makes of a tap, by hand. */
    nets.count = 1;
    struct net_dev *d = &nets.devs[0];
    strcpy(d->name, "service0");
    strcpy(d->ifname, "tap-test");
    d->fd = sp[0];
    d->fd_given = true;
    d->mtu = MTU;
    memcpy(d->mac, "\x02\x00\x00\x00\x00\x07", 6);
    host = sp[1];
    /* The hvt guest's view: handle 1 the block device, handle 2 the network device. */
    for (int i = 0; i < HVT_MFT_MAX_ENTRIES; i++)
        hvt.block_of_handle[i] = hvt.net_of_handle[i] = -1;
    hvt.block_of_handle[1] = 0;
    hvt.net_of_handle[HVT_H] = 0;
    hvt.handle_of_net[0] = HVT_H;
    ctx = (struct hc_context){
        .mem = &mem, .blocks = &blocks, .nets = &nets, .console_fd = -1, .wake_fd = -1};
    return 0;
}

int main(void)
{
    if (setup() < 0)
        return 1;
    UNIT_RUN(net_info);
    UNIT_RUN(write_sends_one_frame);
    UNIT_RUN(write_bad_requests_einval);
    UNIT_RUN(buffers_outside_memory);
    UNIT_RUN(read_and_poll);
    UNIT_RUN(hvt_calls);
    UNIT_RUN(capture_file);
    UNIT_RUN(host_side_gone);
    close(nets.devs[0].fd);
    block_devs_close(&blocks);
    unlink(storage_path);
    guest_mem_free(&mem);
    return UNIT_EXIT_STATUS();
}
