/*
 * test_net_hostile: network calls with bad arguments. The first command-line argument
 * selects one variant; each prints "net_hostile: VARIANT", then either "OK: ..." and
 * exits 0 (the call was refused as it should be) or "FAIL: ..." and exits 1.
 *
 * Through the Solo5 API (the kernel's checks, kernel/net.c):
 *   write_long     solo5_net_write of mtu + 15 bytes: SOLO5_R_EINVAL (then a good frame: OK)
 *   write_short    solo5_net_write of 13 bytes, less than a header: SOLO5_R_EINVAL
 *   read_small     solo5_net_read into mtu + 13 bytes: SOLO5_R_EINVAL
 *   acquire_twice  solo5_net_acquire of the same device twice: the second SOLO5_R_EINVAL
 *   bad_handle     write and read on handles never acquired (0, 63, 64): SOLO5_R_EINVAL
 *   unknown_name   solo5_net_acquire("nosuchnet"): SOLO5_R_EINVAL
 *
 * Raw hypercalls, past the kernel's checks (the monitor's, ukvm/abi/core/hc_net.c):
 *   raw_write_long  UKVM_HC_NET_WRITE of mtu + 15 bytes: ret UKVM_R_EINVAL
 *   raw_write_short UKVM_HC_NET_WRITE of 13 bytes: ret UKVM_R_EINVAL
 *   raw_read_small  UKVM_HC_NET_READ into mtu + 13 bytes: ret UKVM_R_EINVAL
 *   raw_bad_handle  UKVM_HC_NET_WRITE and _READ on handle 99: ret UKVM_R_EINVAL
 *   raw_write_oob   UKVM_HC_NET_WRITE of a frame at mem_size, past guest memory: the
 *                   monitor ends the guest (status 255, "hypercall NET_WRITE: buffer 0x...
 *                   is outside guest memory"), so returning is a FAIL
 *   raw_read_oob    UKVM_HC_NET_READ into a buffer straddling the end of guest memory: the
 *                   same for NET_READ, before any byte is read
 *
 * The variants that need a device take it as "service0" (ukvm --net:service0=TAP); the
 * others run without one (bad_handle, unknown_name, raw_bad_handle, raw_*_oob), but may
 * have one. No or unknown variant: usage, exit 2.
 */
#include "solo5.h"
#include "ukvm_abi.h"
#include "../include/ukvm_test_hypercall.h"

/* Large enough for the largest frame any MTU allows (65521 + 14), plus one byte. */
static uint8_t frame[65536];

static void puts(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static void put_uint(uint64_t v)
{
    char buf[21];
    int i = sizeof(buf) - 1;

    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts(&buf[i]);
}

static const char *result_name(uint64_t r)
{
    switch (r) {
    case SOLO5_R_OK:
        return "OK";
    case SOLO5_R_AGAIN:
        return "AGAIN";
    case SOLO5_R_EINVAL:
        return "EINVAL";
    case SOLO5_R_EUNSPEC:
        return "EUNSPEC";
    default:
        return "(not a result)";
    }
}

static int fail(const char *what, uint64_t got, const char *want)
{
    puts("FAIL: ");
    puts(what);
    puts(" returned ");
    puts(result_name(got));
    puts(", expected ");
    puts(want);
    puts("\n");
    return SOLO5_EXIT_FAILURE;
}

/* Returns 0 when what returned want, else prints why and returns 1. */
static int expect(const char *what, uint64_t got, uint64_t want)
{
    if (got != want)
        return fail(what, got, result_name(want));
    puts("OK: ");
    puts(what);
    puts(" returned ");
    puts(result_name(got));
    puts("\n");
    return 0;
}

/* The raw hypercall: port UKVM_HC_PORT_BASE + nr, eax = the argument struct's address. */
static void raw_hypercall(unsigned nr, volatile void *arg)
{
    test_raw_hypercall(nr, (uint64_t)(uintptr_t)arg);
}

static uint64_t mem_size(void)
{
    const volatile struct ukvm_boot_info *bi =
        (const volatile struct ukvm_boot_info *)(uintptr_t)UKVM_BOOT_INFO_GPA;
    return bi->mem_size;
}

/*
 * A raw NET_WRITE or NET_READ; returns the monitor's ret. The struct is filled field by
 * field (test_hostile.c says why: no SSE initializers for KVM's instruction emulator).
 */
static int64_t raw_net_io(unsigned nr, uint64_t handle, uint64_t data, uint64_t len)
{
    volatile struct ukvm_hc_net_io io;
    io.handle = handle;
    io.data = data;
    io.len = len;
    io.ret = -1;
    raw_hypercall(nr, &io);
    return io.ret;
}

static solo5_handle_t handle;
static struct solo5_net_info info;

/* Acquires service0, or ends the guest with status 2 saying what to give ukvm. */
static void need_device(void)
{
    if (solo5_net_acquire("service0", &handle, &info) != SOLO5_R_OK) {
        puts("this variant needs a network device: ukvm --net:service0=TAP\n");
        solo5_exit(2);
    }
}

/* A broadcast frame of len bytes, of the local experimental ethertype 0x88b5. */
static void make_frame(size_t len)
{
    for (size_t i = 0; i < len; i++)
        frame[i] = 0;
    for (size_t i = 0; i < 6; i++) {
        frame[i] = 0xff;
        frame[6 + i] = info.mac_address[i];
    }
    frame[12] = 0x88;
    frame[13] = 0xb5;
}

static int write_long(void)
{
    need_device();
    make_frame(info.mtu + SOLO5_NET_HLEN + 1);
    int bad = expect("solo5_net_write of mtu + 15 bytes",
                     solo5_net_write(handle, frame, info.mtu + SOLO5_NET_HLEN + 1), SOLO5_R_EINVAL);
    /* The device still works: a frame of exactly mtu + 14 bytes goes out. */
    return bad | expect("solo5_net_write of mtu + 14 bytes",
                        solo5_net_write(handle, frame, info.mtu + SOLO5_NET_HLEN), SOLO5_R_OK);
}

static int write_short(void)
{
    need_device();
    make_frame(SOLO5_NET_HLEN);
    int bad =
        expect("solo5_net_write of 13 bytes", solo5_net_write(handle, frame, 13), SOLO5_R_EINVAL);
    return bad |
           expect("solo5_net_write of 14 bytes", solo5_net_write(handle, frame, 14), SOLO5_R_OK);
}

static int read_small(void)
{
    need_device();
    size_t got = 12345;
    int bad =
        expect("solo5_net_read into mtu + 13 bytes",
               solo5_net_read(handle, frame, info.mtu + SOLO5_NET_HLEN - 1, &got), SOLO5_R_EINVAL);
    if (got != 12345) {
        puts("FAIL: a refused read changed *read_size\n");
        bad = 1;
    }
    return bad;
}

static int acquire_twice(void)
{
    need_device();
    solo5_handle_t h2 = 77;
    struct solo5_net_info i2;
    int bad = expect("a second solo5_net_acquire of service0",
                     solo5_net_acquire("service0", &h2, &i2), SOLO5_R_EINVAL);
    if (h2 != 77) {
        puts("FAIL: a refused acquire changed *handle\n");
        bad = 1;
    }
    /* The first handle still works. */
    make_frame(60);
    return bad | expect("solo5_net_write on the first handle", solo5_net_write(handle, frame, 60),
                        SOLO5_R_OK);
}

static int bad_handle(void)
{
    static const solo5_handle_t handles[] = {0, 63, 64, ~0ull};
    int bad = 0;
    make_frame(60);
    for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++) {
        size_t got = 0;
        bad |= expect("solo5_net_write on a handle never acquired",
                      solo5_net_write(handles[i], frame, 60), SOLO5_R_EINVAL);
        bad |= expect("solo5_net_read on a handle never acquired",
                      solo5_net_read(handles[i], frame, sizeof(frame), &got), SOLO5_R_EINVAL);
    }
    return bad;
}

static int unknown_name(void)
{
    solo5_handle_t h;
    struct solo5_net_info i;
    return expect("solo5_net_acquire(\"nosuchnet\")", solo5_net_acquire("nosuchnet", &h, &i),
                  SOLO5_R_EINVAL);
}

static int raw_write_long(void)
{
    need_device();
    make_frame(info.mtu + SOLO5_NET_HLEN + 1);
    return expect("raw NET_WRITE of mtu + 15 bytes",
                  (uint64_t)raw_net_io(UKVM_HC_NET_WRITE, handle, (uintptr_t)frame,
                                       info.mtu + SOLO5_NET_HLEN + 1),
                  UKVM_R_EINVAL);
}

static int raw_write_short(void)
{
    need_device();
    make_frame(SOLO5_NET_HLEN);
    return expect("raw NET_WRITE of 13 bytes",
                  (uint64_t)raw_net_io(UKVM_HC_NET_WRITE, handle, (uintptr_t)frame, 13),
                  UKVM_R_EINVAL);
}

static int raw_read_small(void)
{
    need_device();
    return expect("raw NET_READ into mtu + 13 bytes",
                  (uint64_t)raw_net_io(UKVM_HC_NET_READ, handle, (uintptr_t)frame,
                                       info.mtu + SOLO5_NET_HLEN - 1),
                  UKVM_R_EINVAL);
}

static int raw_bad_handle(void)
{
    make_frame(60);
    int bad =
        expect("raw NET_WRITE on handle 99",
               (uint64_t)raw_net_io(UKVM_HC_NET_WRITE, 99, (uintptr_t)frame, 60), UKVM_R_EINVAL);
    return bad | expect("raw NET_READ on handle 99",
                        (uint64_t)raw_net_io(UKVM_HC_NET_READ, 99, (uintptr_t)frame, sizeof(frame)),
                        UKVM_R_EINVAL);
}

static int raw_write_oob(void)
{
    solo5_net_acquire("service0", &handle, &info); /* a device if there is one */
    int64_t r = raw_net_io(UKVM_HC_NET_WRITE, handle, mem_size(), 60);
    puts("FAIL: the monitor let a NET_WRITE from outside guest memory through, ret ");
    put_uint((uint64_t)r);
    puts("\n");
    return SOLO5_EXIT_FAILURE;
}

static int raw_read_oob(void)
{
    uint64_t len = 1514;
    if (solo5_net_acquire("service0", &handle, &info) == SOLO5_R_OK)
        len = info.mtu + SOLO5_NET_HLEN;
    /* Half the buffer inside guest memory, half past its end. */
    int64_t r = raw_net_io(UKVM_HC_NET_READ, handle, mem_size() - len / 2, len);
    puts("FAIL: the monitor let a NET_READ into memory outside the guest through, ret ");
    put_uint((uint64_t)r);
    puts("\n");
    return SOLO5_EXIT_FAILURE;
}

/* True if the first word of cmdline is word. */
static bool first_word_is(const char *cmdline, const char *word)
{
    while (*word && *cmdline == *word) {
        cmdline++;
        word++;
    }
    return *word == '\0' && (*cmdline == '\0' || *cmdline == ' ');
}

static const struct {
    const char *name;
    int (*run)(void);
} variants[] = {
    {"write_long", write_long},         {"write_short", write_short},
    {"read_small", read_small},         {"acquire_twice", acquire_twice},
    {"bad_handle", bad_handle},         {"unknown_name", unknown_name},
    {"raw_write_long", raw_write_long}, {"raw_write_short", raw_write_short},
    {"raw_read_small", raw_read_small}, {"raw_bad_handle", raw_bad_handle},
    {"raw_write_oob", raw_write_oob},   {"raw_read_oob", raw_read_oob},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        if (first_word_is(si->cmdline, variants[i].name)) {
            puts("net_hostile: ");
            puts(variants[i].name);
            puts("\n");
            return variants[i].run() ? SOLO5_EXIT_FAILURE : SOLO5_EXIT_SUCCESS;
        }
    }
    puts("usage: test_net_hostile.ukvm VARIANT (the list is in test_net_hostile.c)\n");
    return 2;
}
