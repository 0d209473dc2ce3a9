/*
 * test_hypercall.c: the monitor's hypercall handlers (ukvm/abi/ukvm/hypercall.h) against
 * real guest memory, a pipe standing in for the console, and temporary files as block
 * devices. Every call goes through hypercall_dispatch() with the port and 32-bit value
 * the guest's `outl` would produce.
 *
 * Guest memory (4 MiB):
 *   ARG_GPA   0x10000   the argument struct of the call under test
 *   DATA_GPA  0x20000   data buffers (console text, block I/O)
 *   DATA2_GPA 0x30000   a second buffer (block reads)
 * Block devices: "storage" (8 KiB, 16 blocks of 512 bytes), "other" (2 KiB, 2 blocks of
 * 1024 bytes, as --block-sector-size:other=1024 gives).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ukvm/abi/ukvm/hypercall.h"
#include "unit.h"

#define MEM_SIZE     0x400000ULL
#define ARG_GPA      0x10000ULL
#define DATA_GPA     0x20000ULL
#define DATA2_GPA    0x30000ULL
#define STORAGE_SIZE 8192
#define OTHER_SIZE   2048

static struct guest_mem mem;
static struct block_devs blocks;
static struct hc_context ctx;
static int console_rd = -1, console_wr = -1;
static char storage_path[64], other_path[64];
static uint8_t storage_snapshot[STORAGE_SIZE + 1];

static enum hc_outcome call(unsigned nr, uint32_t arg)
{
    memset(ctx.error, 0, sizeof(ctx.error));
    return hypercall_dispatch(&ctx, (uint16_t)(UKVM_HC_PORT_BASE + nr), arg);
}

static void put(uint64_t gpa, const void *src, size_t len)
{
    memcpy(mem.host + gpa, src, len);
}

/* Whatever the console pipe holds now (it is non-blocking); returns its length. */
static size_t console_drain(char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = read(console_rd, buf + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    return n;
}

/* Reads the storage file into buf (at least STORAGE_SIZE + 1 bytes); returns its size. */
static ssize_t read_storage(uint8_t *buf)
{
    int fd = open(storage_path, O_RDONLY);
    ssize_t n = pread(fd, buf, STORAGE_SIZE + 1, 0);
    close(fd);
    return n;
}

/* The storage file is byte-for-byte what it was at the last snapshot. */
static int storage_untouched(void)
{
    uint8_t now[STORAGE_SIZE + 1];
    return read_storage(now) == STORAGE_SIZE && memcmp(now, storage_snapshot, STORAGE_SIZE) == 0;
}

#define CHECK_GUEST_ERROR(outcome, ...)                                                       \
    do {                                                                                      \
        CHECK_EQ_U64((outcome), HC_GUEST_ERROR);                                              \
        const char *unit_needles_[] = {__VA_ARGS__};                                          \
        for (size_t unit_i_ = 0; unit_i_ < sizeof(unit_needles_) / sizeof(char *); unit_i_++) \
            CHECK_STR_CONTAINS(ctx.error, unit_needles_[unit_i_]);                            \
    } while (0)

/* ---------------------------------------------------------------- PUTS */

static void set_puts(uint64_t data, uint64_t len)
{
    struct ukvm_hc_puts a = {.data = data, .len = len};
    put(ARG_GPA, &a, sizeof(a));
}

UNIT_TEST(puts_writes_exact_bytes)
{
    char buf[64];
    const char text[] = "hello\0world\n\x01"; /* NUL and control bytes pass through */
    put(DATA_GPA, text, 13);
    set_puts(DATA_GPA, 13);
    CHECK_EQ_U64(call(UKVM_HC_PUTS, ARG_GPA), HC_CONTINUE);
    CHECK_EQ_U64(console_drain(buf, sizeof(buf)), 13);
    CHECK(memcmp(buf, text, 13) == 0);
    CHECK_EQ_U64(strlen(ctx.error), 0);
    /* Empty, and the last bytes of memory. */
    set_puts(MEM_SIZE, 0);
    CHECK_EQ_U64(call(UKVM_HC_PUTS, ARG_GPA), HC_CONTINUE);
    CHECK_EQ_U64(console_drain(buf, sizeof(buf)), 0);
    put(MEM_SIZE - 5, "tail\n", 5);
    set_puts(MEM_SIZE - 5, 5);
    CHECK_EQ_U64(call(UKVM_HC_PUTS, ARG_GPA), HC_CONTINUE);
    CHECK_EQ_U64(console_drain(buf, sizeof(buf)), 5);
    CHECK(memcmp(buf, "tail\n", 5) == 0);
    /* The struct may sit at the very end of memory. */
    put(MEM_SIZE - 16, &(struct ukvm_hc_puts){.data = DATA_GPA, .len = 5}, 16);
    CHECK_EQ_U64(call(UKVM_HC_PUTS, MEM_SIZE - 16), HC_CONTINUE);
    CHECK_EQ_U64(console_drain(buf, sizeof(buf)), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
}

UNIT_TEST(puts_data_outside_memory)
{
    char buf[64];
    set_puts(MEM_SIZE, 1);
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, ARG_GPA), "hypercall PUTS: ", "data 0x400000 + len 0x1 ",
                      "outside guest memory (4 MiB)");
    set_puts(MEM_SIZE - 4, 5);
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, ARG_GPA), "hypercall PUTS: ", "0x3ffffc", "0x5");
    set_puts(0x1000, UINT64_MAX - 0xfff); /* 0x1000 + len wraps to 0 */
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, ARG_GPA),
                      "hypercall PUTS: ", "data 0x1000 + len 0xfffffffffffff000");
    set_puts(UINT64_MAX, 2);
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, ARG_GPA), "PUTS", "data 0xffffffffffffffff + len 0x2");
    set_puts(DATA_GPA, UINT64_MAX);
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, ARG_GPA), "PUTS", "len 0xffffffffffffffff");
    CHECK_EQ_U64(console_drain(buf, sizeof(buf)), 0); /* nothing was written */
}

UNIT_TEST(puts_arg_outside_memory)
{
    char buf[64];
    /* The 16-byte struct straddling the end of memory. */
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, (uint32_t)(MEM_SIZE - 8)), "hypercall PUTS: ",
                      "argument struct at 0x3ffff8 (16 bytes) is outside guest memory (4 MiB)");
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, (uint32_t)MEM_SIZE),
                      "hypercall PUTS: ", "argument struct at 0x400000 ");
    CHECK_GUEST_ERROR(call(UKVM_HC_PUTS, UINT32_MAX),
                      "hypercall PUTS: ", "argument struct at 0xffffffff ");
    CHECK_EQ_U64(console_drain(buf, sizeof(buf)), 0);
}

/* ---------------------------------------------------------------- dispatch */

UNIT_TEST(unknown_hypercall)
{
    CHECK_GUEST_ERROR(call(0, 0x1234), "unknown hypercall 0 (port 0x500, argument 0x1234)");
    CHECK_GUEST_ERROR(call(UKVM_HC_COUNT, ARG_GPA),
                      "unknown hypercall 14 (port 0x50e, argument 0x10000)");
    CHECK_GUEST_ERROR(call(0xff, UINT32_MAX),
                      "unknown hypercall 255 (port 0x5ff, argument 0xffffffff)");
}

UNIT_TEST(names)
{
    static const char *const want[UKVM_HC_COUNT + 1] = {
        "unknown",    "PUTS",     "POLL",         "BLOCK_INFO", "BLOCK_WRITE",
        "BLOCK_READ", "NET_INFO", "NET_WRITE",    "NET_READ",   "HALT",
        "ABORT",      "TRAP",     "SET_TLS_BASE", "CLOCK",      "unknown"};
    for (unsigned nr = 0; nr <= UKVM_HC_COUNT; nr++)
        if (strcmp(hypercall_name(nr), want[nr]) != 0)
            UNIT_FAIL("hypercall_name(%u) == \"%s\", expected \"%s\"", nr, hypercall_name(nr),
                      want[nr]);
    CHECK(strcmp(hypercall_name(0xffffffffu), "unknown") == 0);
}

/* ---------------------------------------------------------------- HALT, ABORT, TRAP */

UNIT_TEST(halt_returns_status)
{
    put(ARG_GPA, &(struct ukvm_hc_halt){.status = 7}, 8);
    CHECK_EQ_U64(call(UKVM_HC_HALT, ARG_GPA), HC_HALT);
    CHECK_EQ_U64(ctx.exit_status, 7);
    put(ARG_GPA, &(struct ukvm_hc_halt){.status = 0x1ff}, 8);
    CHECK_EQ_U64(call(UKVM_HC_HALT, ARG_GPA), HC_HALT);
    CHECK_EQ_U64(ctx.exit_status, 0x1ff); /* the caller keeps the low 8 bits */
    CHECK_GUEST_ERROR(call(UKVM_HC_HALT, (uint32_t)(MEM_SIZE - 4)),
                      "hypercall HALT: ", "0x3ffffc (8 bytes)");
}

static struct ukvm_hc_abort abort_arg(uint64_t message, uint64_t len)
{
    struct ukvm_hc_abort a = {.message = message, .message_len = len};
    a.frame.vector = UKVM_ABORT_VECTOR;
    a.frame.rip = 0x100123;
    a.frame.rsp = 0x3fff00;
    a.frame.rbp = 0x3fff10;
    return a;
}

UNIT_TEST(abort_copies_message_and_frame)
{
    struct ukvm_hc_abort a = abort_arg(DATA_GPA, 13);
    put(DATA_GPA, "boom\n\tx\x7f\x1b[2Jz", 13);
    put(ARG_GPA, &a, sizeof(a));
    memset(&ctx.frame, 0xee, sizeof(ctx.frame));
    CHECK_EQ_U64(call(UKVM_HC_ABORT, ARG_GPA), HC_ABORT);
    CHECK(strcmp(ctx.message, "boom??x??[2Jz") == 0);
    CHECK(memcmp(&ctx.frame, &a.frame, sizeof(a.frame)) == 0);
    CHECK_EQ_U64(ctx.frame.vector, UKVM_ABORT_VECTOR);
    CHECK_EQ_U64(ctx.frame.rip, 0x100123);

    /* An embedded NUL ends the message. */
    a = abort_arg(DATA_GPA, 5);
    put(DATA_GPA, "ab\0cd", 5);
    put(ARG_GPA, &a, sizeof(a));
    CHECK_EQ_U64(call(UKVM_HC_ABORT, ARG_GPA), HC_ABORT);
    CHECK(strcmp(ctx.message, "ab") == 0);

    /* A message ending at the last byte of memory. */
    a = abort_arg(MEM_SIZE - 4, 4);
    put(MEM_SIZE - 4, "dead", 4);
    put(ARG_GPA, &a, sizeof(a));
    CHECK_EQ_U64(call(UKVM_HC_ABORT, ARG_GPA), HC_ABORT);
    CHECK(strcmp(ctx.message, "dead") == 0);

    /* Long messages are cut to the buffer, still terminated. */
    memset(mem.host + DATA_GPA, 'm', 1000);
    a = abort_arg(DATA_GPA, 1000);
    put(ARG_GPA, &a, sizeof(a));
    CHECK_EQ_U64(call(UKVM_HC_ABORT, ARG_GPA), HC_ABORT);
    CHECK_EQ_U64(strlen(ctx.message), sizeof(ctx.message) - 1);
    a = abort_arg(DATA_GPA, UINT64_MAX);
    put(ARG_GPA, &a, sizeof(a));
    CHECK_EQ_U64(call(UKVM_HC_ABORT, ARG_GPA), HC_ABORT);
    CHECK_EQ_U64(strlen(ctx.message), sizeof(ctx.message) - 1);
    memset(mem.host + DATA_GPA, 0, 1000);

    /* No message. */
    strcpy(ctx.message, "stale");
    a = abort_arg(0, 0);
    put(ARG_GPA, &a, sizeof(a));
    CHECK_EQ_U64(call(UKVM_HC_ABORT, ARG_GPA), HC_ABORT);
    CHECK_EQ_U64(strlen(ctx.message), 0);
}

UNIT_TEST(abort_message_outside_memory)
{
    /* The guest is dying anyway: a bad message still gives HC_ABORT, with a placeholder. */
    static const uint64_t bad[][2] = {
        {MEM_SIZE, 1}, {MEM_SIZE - 2, 10}, {UINT64_MAX, 4}, {UINT64_MAX - 1, UINT64_MAX}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ukvm_hc_abort a = abort_arg(bad[i][0], bad[i][1]);
        put(ARG_GPA, &a, sizeof(a));
        memset(&ctx.frame, 0, sizeof(ctx.frame));
        CHECK_EQ_U64(call(UKVM_HC_ABORT, ARG_GPA), HC_ABORT);
        CHECK(strcmp(ctx.message, "(message outside guest memory)") == 0);
        CHECK_EQ_U64(ctx.frame.rip, 0x100123);
    }
    /* The argument struct itself outside memory is a guest error. */
    CHECK_GUEST_ERROR(call(UKVM_HC_ABORT, (uint32_t)(MEM_SIZE - 8)),
                      "hypercall ABORT: ", "argument struct at 0x3ffff8");
}

UNIT_TEST(trap_copies_frame)
{
    struct ukvm_trap_frame f;
    uint64_t *words = (uint64_t *)&f;
    for (size_t i = 0; i < sizeof(f) / 8; i++)
        words[i] = 0x1000 + i;
    f.vector = 14;
    f.error_code = 2;
    f.cr2 = 0;
    put(ARG_GPA, &f, sizeof(f));
    memset(&ctx.frame, 0, sizeof(ctx.frame));
    CHECK_EQ_U64(call(UKVM_HC_TRAP, ARG_GPA), HC_TRAP);
    CHECK(memcmp(&ctx.frame, &f, sizeof(f)) == 0);
    CHECK_EQ_U64(ctx.frame.r15, 0x1000 + 17);
    CHECK_EQ_U64(ctx.frame.ss, 0x1000 + 22);
    /* The frame (184 bytes) one byte too close to the end. */
    put(MEM_SIZE - sizeof(f), &f, sizeof(f));
    CHECK_EQ_U64(call(UKVM_HC_TRAP, (uint32_t)(MEM_SIZE - sizeof(f))), HC_TRAP);
    CHECK_GUEST_ERROR(call(UKVM_HC_TRAP, (uint32_t)(MEM_SIZE - sizeof(f) + 1)),
                      "hypercall TRAP: ", "(184 bytes) is outside guest memory");
}

/* ---------------------------------------------------------------- BLOCK_INFO */

static enum hc_outcome block_info(const char *name, uint64_t len, struct ukvm_hc_block_info *out)
{
    memset(mem.host + DATA_GPA, 0, 128); /* the name, then NULs up to len */
    memcpy(mem.host + DATA_GPA, name, strlen(name));
    /* Outputs preset to 99, so the test sees what the call wrote. */
    struct ukvm_hc_block_info a = {DATA_GPA, len, 99, 99, 99, 99};
    put(ARG_GPA, &a, sizeof(a));
    enum hc_outcome r = call(UKVM_HC_BLOCK_INFO, ARG_GPA);
    memcpy(out, mem.host + ARG_GPA, sizeof(*out));
    return r;
}

UNIT_TEST(block_info_finds_devices)
{
    struct ukvm_hc_block_info a;
    CHECK_EQ_U64(block_info("storage", 7, &a), HC_CONTINUE);
    CHECK_EQ_U64(a.ret, UKVM_R_OK);
    CHECK_EQ_U64(a.handle, 0);
    CHECK_EQ_U64(a.capacity, STORAGE_SIZE);
    CHECK_EQ_U64(a.block_size, 512);
    CHECK_EQ_U64(a.name, DATA_GPA); /* inputs are written back unchanged */
    CHECK_EQ_U64(a.name_len, 7);
    CHECK_EQ_U64(block_info("other", 5, &a), HC_CONTINUE);
    CHECK_EQ_U64(a.ret, UKVM_R_OK);
    CHECK_EQ_U64(a.handle, 1);
    CHECK_EQ_U64(a.capacity, OTHER_SIZE);
    CHECK_EQ_U64(a.block_size, 1024);
}

UNIT_TEST(block_info_unknown_names)
{
    static const struct {
        const char *name;
        uint64_t len;
    } bad[] = {{"nope", 4}, {"storag", 6},  {"storagee", 8}, {"storage", 6},
               {"", 0},     {"STORAGE", 7}, {"storage\0", 8}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ukvm_hc_block_info a;
        CHECK_EQ_U64(block_info(bad[i].name, bad[i].len, &a), HC_CONTINUE);
        CHECK_EQ_U64(a.ret, UKVM_R_EINVAL);
        CHECK_EQ_U64(a.handle, 0);
        CHECK_EQ_U64(a.capacity, 0);
        CHECK_EQ_U64(a.block_size, 0);
    }
    /* Longer than any device name can be, but inside memory: EINVAL, not an error. */
    struct ukvm_hc_block_info a;
    CHECK_EQ_U64(block_info("storage", 68, &a), HC_CONTINUE);
    CHECK_EQ_U64(a.ret, UKVM_R_EINVAL);
    CHECK_EQ_U64(block_info("storage", 0x100000, &a), HC_CONTINUE);
    CHECK_EQ_U64(a.ret, UKVM_R_EINVAL);
}

UNIT_TEST(block_info_name_outside_memory)
{
    struct ukvm_hc_block_info a = {.name = MEM_SIZE - 3, .name_len = 7, .ret = 99};
    put(ARG_GPA, &a, sizeof(a));
    CHECK_GUEST_ERROR(call(UKVM_HC_BLOCK_INFO, ARG_GPA),
                      "hypercall BLOCK_INFO: ", "name 0x3ffffd + len 0x7 is outside guest memory");
    a = (struct ukvm_hc_block_info){.name = 0x1000, .name_len = UINT64_MAX - 0xfff};
    put(ARG_GPA, &a, sizeof(a));
    CHECK_GUEST_ERROR(call(UKVM_HC_BLOCK_INFO, ARG_GPA), "BLOCK_INFO",
                      "name 0x1000 + len 0xfffffffffffff000");
    CHECK_GUEST_ERROR(call(UKVM_HC_BLOCK_INFO, (uint32_t)(MEM_SIZE - 8)), "BLOCK_INFO",
                      "argument struct at 0x3ffff8 (48 bytes)");
}

/* ---------------------------------------------------------------- BLOCK_READ/WRITE */

static enum hc_outcome block_io(unsigned nr, uint64_t handle, uint64_t offset, uint64_t data,
                                uint64_t len, int64_t *ret)
{
    struct ukvm_hc_block_io a = {
        .handle = handle, .offset = offset, .data = data, .len = len, .ret = 99};
    put(ARG_GPA, &a, sizeof(a));
    enum hc_outcome r = call(nr, ARG_GPA);
    memcpy(&a, mem.host + ARG_GPA, sizeof(a));
    *ret = a.ret;
    return r;
}

UNIT_TEST(block_write_read_roundtrip)
{
    int64_t ret;
    for (int i = 0; i < 1024; i++)
        mem.host[DATA_GPA + i] = (uint8_t)(i * 7 + 3);
    CHECK_EQ_U64(block_io(UKVM_HC_BLOCK_WRITE, 0, 512, DATA_GPA, 1024, &ret), HC_CONTINUE);
    CHECK_EQ_U64(ret, UKVM_R_OK);
    /* The file holds the data at offset 512, and nothing else changed. */
    uint8_t file[STORAGE_SIZE + 1];
    CHECK_EQ_U64(read_storage(file), STORAGE_SIZE);
    CHECK(memcmp(file + 512, mem.host + DATA_GPA, 1024) == 0);
    CHECK(memcmp(file, storage_snapshot, 512) == 0);
    CHECK(memcmp(file + 1536, storage_snapshot + 1536, STORAGE_SIZE - 1536) == 0);

    /* Read it back into another buffer. */
    memset(mem.host + DATA2_GPA, 0, 2048);
    CHECK_EQ_U64(block_io(UKVM_HC_BLOCK_READ, 0, 512, DATA2_GPA, 1024, &ret), HC_CONTINUE);
    CHECK_EQ_U64(ret, UKVM_R_OK);
    CHECK(memcmp(mem.host + DATA2_GPA, mem.host + DATA_GPA, 1024) == 0);
    CHECK_EQ_U64(mem.host[DATA2_GPA + 1024], 0);

    /* The whole device, and its last block. */
    CHECK_EQ_U64(block_io(UKVM_HC_BLOCK_READ, 0, 0, DATA2_GPA, STORAGE_SIZE, &ret), HC_CONTINUE);
    CHECK_EQ_U64(ret, UKVM_R_OK);
    CHECK(memcmp(mem.host + DATA2_GPA, file, STORAGE_SIZE) == 0);
    memset(mem.host + DATA_GPA, 0xab, 512);
    CHECK_EQ_U64(block_io(UKVM_HC_BLOCK_WRITE, 0, STORAGE_SIZE - 512, DATA_GPA, 512, &ret),
                 HC_CONTINUE);
    CHECK_EQ_U64(ret, UKVM_R_OK);
    /* A buffer ending at the last byte of guest memory. */
    CHECK_EQ_U64(block_io(UKVM_HC_BLOCK_READ, 0, STORAGE_SIZE - 512, MEM_SIZE - 512, 512, &ret),
                 HC_CONTINUE);
    CHECK_EQ_U64(ret, UKVM_R_OK);
    CHECK_EQ_U64(mem.host[MEM_SIZE - 1], 0xab);
    /* The second device, by handle 1, in its own 1024-byte blocks. */
    CHECK_EQ_U64(block_io(UKVM_HC_BLOCK_WRITE, 1, 1024, DATA_GPA, 1024, &ret), HC_CONTINUE);
    CHECK_EQ_U64(ret, UKVM_R_OK);
    read_storage(storage_snapshot);
}

UNIT_TEST(block_bad_requests_einval)
{
    static const struct {
        uint64_t handle, offset, len;
    } bad[] = {
        {0, 100, 512},                     /* misaligned offset */
        {0, 0, 100},                       /* misaligned length */
        {0, 512, 513},                     /* misaligned length */
        {0, 0, 0},                         /* empty */
        {0, STORAGE_SIZE, 512},            /* past the end */
        {0, STORAGE_SIZE - 512, 1024},     /* straddles the end */
        {0, 0, STORAGE_SIZE + 512},        /* bigger than the device */
        {0, 0xfffffffffffffe00ULL, 512},   /* offset + len wraps to 0 */
        {0, 0xfffffffffffffe00ULL, 0x400}, /* wraps past 0 */
        {1, 512, 1024},                    /* "other": offset not a 1024-byte block */
        {1, 0, 512},                       /* "other": length not a 1024-byte block */
        {1, 2048, 1024},                   /* "other": past its two blocks */
        {2, 0, 512},                       /* no such handle */
        {UINT64_MAX, 0, 512},              /* no such handle */
        {1ULL << 32, 0, 512},              /* no such handle (not truncated to 0) */
    };
    for (int io = 0; io < 2; io++) {
        unsigned nr = io ? UKVM_HC_BLOCK_READ : UKVM_HC_BLOCK_WRITE;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            int64_t ret = 0;
            memset(mem.host + DATA_GPA, 0x5c, STORAGE_SIZE + 1024);
            enum hc_outcome r =
                block_io(nr, bad[i].handle, bad[i].offset, DATA_GPA, bad[i].len, &ret);
            if (r != HC_CONTINUE || ret != UKVM_R_EINVAL)
                UNIT_FAIL("%s handle %" PRIu64 " offset 0x%" PRIx64 " len 0x%" PRIx64
                          ": outcome %d ret %" PRId64 " (%s)",
                          hypercall_name(nr), bad[i].handle, bad[i].offset, bad[i].len, (int)r, ret,
                          ctx.error);
            CHECK(storage_untouched());
            for (uint64_t j = 0; j < STORAGE_SIZE + 1024; j++)
                if (mem.host[DATA_GPA + j] != 0x5c)
                    UNIT_FAIL("%s case %zu changed guest byte 0x%" PRIx64, hypercall_name(nr), i,
                              (uint64_t)(DATA_GPA + j));
        }
    }
}

UNIT_TEST(block_buffer_outside_memory)
{
    static const uint64_t bad[][2] = {
        {MEM_SIZE - 256, 512},        /* straddles the end */
        {MEM_SIZE, 512},              /* just past it */
        {0x1000, UINT64_MAX - 0xfff}, /* data + len wraps to 0 */
        {UINT64_MAX - 511, 512},      /* wraps to 0 */
    };
    for (int io = 0; io < 2; io++) {
        unsigned nr = io ? UKVM_HC_BLOCK_READ : UKVM_HC_BLOCK_WRITE;
        const char *prefix = io ? "hypercall BLOCK_READ: " : "hypercall BLOCK_WRITE: ";
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            char want[128];
            snprintf(want, sizeof(want), "buffer 0x%" PRIx64 " + len 0x%" PRIx64 " is outside",
                     bad[i][0], bad[i][1]);
            int64_t ret;
            CHECK_GUEST_ERROR(block_io(nr, 0, 0, bad[i][0], bad[i][1], &ret), prefix, want);
            CHECK_EQ_U64(ret, 99); /* no result written back */
            CHECK(storage_untouched());
        }
        /* Even a request the device would refuse: the buffer is checked first. */
        int64_t ret;
        CHECK_GUEST_ERROR(block_io(nr, 7, 3, MEM_SIZE, 512, &ret), prefix);
        CHECK_GUEST_ERROR(call(nr, (uint32_t)(MEM_SIZE - 8)), prefix,
                          "argument struct at 0x3ffff8 (40 bytes)");
    }
}

/* ---------------------------------------------------------------- POLL */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum hc_outcome poll_call(uint64_t timeout_ns, struct ukvm_hc_poll *out)
{
    struct ukvm_hc_poll a = {.timeout_ns = timeout_ns, .ready_set = 0xdead, .ret = 99};
    put(ARG_GPA, &a, sizeof(a));
    enum hc_outcome r = call(UKVM_HC_POLL, ARG_GPA);
    memcpy(out, mem.host + ARG_GPA, sizeof(*out));
    return r;
}

UNIT_TEST(poll_sleeps_and_returns)
{
    struct ukvm_hc_poll a;
    CHECK_EQ_U64(poll_call(1000000, &a), HC_CONTINUE); /* 1 ms */
    CHECK_EQ_U64(a.ret, UKVM_R_OK);
    CHECK_EQ_U64(a.ready_set, 0);
    CHECK_EQ_U64(a.timeout_ns, 1000000);
    CHECK_EQ_U64(poll_call(0, &a), HC_CONTINUE);
    CHECK_EQ_U64(a.ret, UKVM_R_OK);
    CHECK_GUEST_ERROR(call(UKVM_HC_POLL, (uint32_t)(MEM_SIZE - 8)),
                      "hypercall POLL: ", "argument struct at 0x3ffff8 (24 bytes)");
}

UNIT_TEST(poll_wakes_on_wake_fd)
{
    int efd = eventfd(1, EFD_CLOEXEC); /* already signalled */
    CHECK(efd >= 0);
    ctx.wake_fd = efd;
    struct ukvm_hc_poll a;
    double t0 = now_s();
    enum hc_outcome r10 = poll_call(10ULL * 1000000000ULL, &a); /* 10 s */
    int64_t ret10 = a.ret;
    enum hc_outcome rmax = poll_call(UINT64_MAX, &a); /* ~584 years, clamped */
    double elapsed = now_s() - t0;
    ctx.wake_fd = -1;
    close(efd);
    CHECK_EQ_U64(r10, HC_CONTINUE);
    CHECK_EQ_U64(ret10, UKVM_R_OK);
    CHECK_EQ_U64(rmax, HC_CONTINUE);
    CHECK_EQ_U64(a.ret, UKVM_R_OK);
    CHECK_EQ_U64(a.ready_set, 0);
    if (elapsed >= 5.0) /* only a real hang gets here */
        UNIT_FAIL("POLL with a signalled wake_fd took %.1f s", elapsed);
}

/* ---------------------------------------------------------------- console output */

/* A pipe nobody reads is full: then the waker signals wake_fd, as a stop request does. */
struct waker {
    int rd, efd;
};

static void *wake_when_full(void *arg)
{
    struct waker *w = arg;
    int size = fcntl(w->rd, F_GETPIPE_SZ);
    for (int queued = 0; queued < size; usleep(1000))
        if (ioctl(w->rd, FIONREAD, &queued) < 0)
            break;
    uint64_t one = 1;
    ssize_t ignored = write(w->efd, &one, sizeof(one));
    (void)ignored;
    return NULL;
}

/* Reads want bytes from the pipe (blocking). */
struct reader {
    int rd;
    uint8_t *buf;
    size_t want, got;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    while (r->got < r->want) {
        ssize_t n = read(r->rd, r->buf + r->got, r->want - r->got);
        if (n <= 0)
            break;
        r->got += (size_t)n;
    }
    return NULL;
}

/*
 * Output nobody reads blocks PUTS until a stop is requested (wake_fd): then the call is
 * interrupted with what it wrote in progress, and dispatched again with that progress it
 * writes the rest: every byte once, in order.
 */
UNIT_TEST(puts_blocked_console_interrupted_and_resumed)
{
    int p[2];
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    CHECK(efd >= 0 && pipe2(p, O_CLOEXEC) == 0); /* blocking, as a FIFO is */
    size_t size = (size_t)fcntl(p[0], F_GETPIPE_SZ), len = 3 * size;
    static uint8_t got[3 << 20];
    CHECK(len <= sizeof(got) && DATA_GPA + len <= MEM_SIZE);
    for (size_t i = 0; i < len; i++)
        mem.host[DATA_GPA + i] = (uint8_t)(i * 7 % 251);
    int saved = ctx.console_fd;
    ctx.console_fd = p[1];
    ctx.wake_fd = efd;
    struct waker w = {.rd = p[0], .efd = efd};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, wake_when_full, &w) == 0);
    set_puts(DATA_GPA, len);
    CHECK_EQ_U64(call(UKVM_HC_PUTS, ARG_GPA), HC_INTERRUPTED);
    pthread_join(t, NULL);
    CHECK_EQ_U64(ctx.progress, size); /* as much as the pipe holds */
    uint64_t count;
    CHECK(read(efd, &count, sizeof(count)) == sizeof(count)); /* the stop is over */
    struct reader r = {.rd = p[0], .buf = got, .want = len};
    CHECK(pthread_create(&t, NULL, read_all, &r) == 0);
    CHECK_EQ_U64(call(UKVM_HC_PUTS, ARG_GPA), HC_CONTINUE);
    pthread_join(t, NULL);
    CHECK_EQ_U64(r.got, len);
    CHECK(memcmp(got, mem.host + DATA_GPA, len) == 0);
    CHECK_EQ_U64(ctx.progress, 0);
    ctx.console_fd = saved;
    ctx.wake_fd = -1;
    close(p[0]);
    close(p[1]);
    close(efd);
}

/* Output to a pipe whose reader went away ends the guest, saying so. */
UNIT_TEST(puts_closed_console_ends_guest)
{
    signal(SIGPIPE, SIG_IGN); /* as ukvm does */
    int p[2];
    CHECK(pipe2(p, O_CLOEXEC) == 0);
    close(p[0]);
    int saved = ctx.console_fd;
    ctx.console_fd = p[1];
    put(DATA_GPA, "hello", 5);
    set_puts(DATA_GPA, 5);
    CHECK_EQ_U64(call(UKVM_HC_PUTS, ARG_GPA), HC_HOST_ERROR);
    CHECK_STR_CONTAINS(ctx.error, "console output failed: write: Broken pipe");
    ctx.console_fd = saved;
    close(p[1]);
}

/* ---------------------------------------------------------------- set-up */

static int make_file(char *path, size_t pathlen, size_t size, uint8_t seed)
{
    snprintf(path, pathlen, "/tmp/ukvm_test_hc_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    uint8_t *buf = malloc(size);
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i / 512 * 16 + seed + i);
    ssize_t n = write(fd, buf, size);
    free(buf);
    close(fd);
    return n == (ssize_t)size ? 0 : -1;
}

static int setup(void)
{
    char err[256];
    if (guest_mem_alloc(&mem, MEM_SIZE, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return -1;
    }
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0 ||
        make_file(storage_path, sizeof(storage_path), STORAGE_SIZE, 1) < 0 ||
        make_file(other_path, sizeof(other_path), OTHER_SIZE, 2) < 0) {
        printf("FAIL setup: %s\n", strerror(errno));
        return -1;
    }
    console_rd = p[0];
    console_wr = p[1];
    static struct options o; /* large: keep it off the stack */
    o.nblocks = 2;
    strcpy(o.blocks[0].name, "storage");
    o.blocks[0].path = storage_path;
    o.blocks[0].block_size = 512;
    strcpy(o.blocks[1].name, "other");
    o.blocks[1].path = other_path;
    o.blocks[1].block_size = 1024;
    if (block_devs_open(&blocks, &o, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return -1;
    }
    read_storage(storage_snapshot);
    ctx = (struct hc_context){
        .mem = &mem, .blocks = &blocks, .console_fd = console_wr, .wake_fd = -1};
    return 0;
}

int main(void)
{
    if (setup() < 0)
        return 1;
    UNIT_RUN(puts_writes_exact_bytes);
    UNIT_RUN(puts_data_outside_memory);
    UNIT_RUN(puts_arg_outside_memory);
    UNIT_RUN(unknown_hypercall);
    UNIT_RUN(names);
    UNIT_RUN(halt_returns_status);
    UNIT_RUN(abort_copies_message_and_frame);
    UNIT_RUN(abort_message_outside_memory);
    UNIT_RUN(trap_copies_frame);
    UNIT_RUN(block_info_finds_devices);
    UNIT_RUN(block_info_unknown_names);
    UNIT_RUN(block_info_name_outside_memory);
    UNIT_RUN(block_write_read_roundtrip);
    UNIT_RUN(block_bad_requests_einval);
    UNIT_RUN(block_buffer_outside_memory);
    UNIT_RUN(poll_sleeps_and_returns);
    UNIT_RUN(poll_wakes_on_wake_fd);
    UNIT_RUN(puts_blocked_console_interrupted_and_resumed);
    UNIT_RUN(puts_closed_console_ends_guest);
    block_devs_close(&blocks);
    unlink(storage_path);
    unlink(other_path);
    close(console_rd);
    close(console_wr);
    guest_mem_free(&mem);
    return UNIT_EXIT_STATUS();
}
