/*
 * test_blk: the block device. Needs a 64 KiB disk named "storage" (see test.spec).
 *   - acquire: block size 512, capacity 64 KiB; a second acquire and an unknown name fail;
 *   - write a pattern to blocks 0-1 (one two-block request) and to the last block, read
 *     them back and compare; an unwritten block reads as zeros;
 *   - requests the kernel must refuse with SOLO5_R_EINVAL: unaligned offset, unaligned
 *     size, size 0, offset at or past the end, offset + size overflowing, unknown handle.
 */
#include "solo5.h"

/*
 * Keep the byte loops below scalar. Application code may use SSE, but the guest CPU is
 * emulated on some KVM hosts, and KVM's instruction emulator cannot run SSE arithmetic.
 * (An optimize pragma, not target("general-regs-only"): GCC's target pragma would also
 * reset -mstack-protector-guard=global to the TLS canary at %fs:0x28.)
 */
#pragma GCC optimize("no-tree-vectorize")

#define BLOCK_SIZE 512
#define CAPACITY   (64 * 1024)
#define NBLOCKS    (CAPACITY / BLOCK_SIZE)

static void puts(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

/* Static, not on the stack: the buffers are the biggest thing the test touches. */
static uint8_t wbuf[2 * BLOCK_SIZE];
static uint8_t rbuf[2 * BLOCK_SIZE];

/* A pattern that differs per byte and per block, so a misplaced block is caught. */
static void fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 7 + seed);
}

static int same(const uint8_t *a, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (a[i] != b[i])
            return 0;
    }
    return 1;
}

#define CHECK(cond, what)             \
    do {                              \
        if (!(cond)) {                \
            puts("FAIL: " what "\n"); \
            return 0;                 \
        }                             \
    } while (0)

static int check_io(solo5_handle_t h)
{
    fill(wbuf, sizeof(wbuf), 1);
    CHECK(solo5_block_write(h, 0, wbuf, sizeof(wbuf)) == SOLO5_R_OK, "write blocks 0-1");
    fill(rbuf, sizeof(rbuf), 99);
    CHECK(solo5_block_read(h, 0, rbuf, sizeof(rbuf)) == SOLO5_R_OK, "read blocks 0-1");
    CHECK(same(wbuf, rbuf, sizeof(wbuf)), "blocks 0-1 read back differ");

    const solo5_off_t last = (NBLOCKS - 1) * BLOCK_SIZE;
    fill(wbuf, BLOCK_SIZE, 5);
    CHECK(solo5_block_write(h, last, wbuf, BLOCK_SIZE) == SOLO5_R_OK, "write last block");
    fill(rbuf, BLOCK_SIZE, 99);
    CHECK(solo5_block_read(h, last, rbuf, BLOCK_SIZE) == SOLO5_R_OK, "read last block");
    CHECK(same(wbuf, rbuf, BLOCK_SIZE), "last block read back differs");

    /* Block 0 again, singly: the later write must not have disturbed it. */
    fill(wbuf, BLOCK_SIZE, 1);
    CHECK(solo5_block_read(h, 0, rbuf, BLOCK_SIZE) == SOLO5_R_OK, "reread block 0");
    CHECK(same(wbuf, rbuf, BLOCK_SIZE), "block 0 changed");

    /* truncate creates a sparse file of zeros. */
    for (size_t i = 0; i < BLOCK_SIZE; i++)
        wbuf[i] = 0;
    CHECK(solo5_block_read(h, 5 * BLOCK_SIZE, rbuf, BLOCK_SIZE) == SOLO5_R_OK, "read block 5");
    CHECK(same(wbuf, rbuf, BLOCK_SIZE), "unwritten block 5 is not zero");
    return 1;
}

static int check_einval(solo5_handle_t h)
{
    CHECK(solo5_block_read(h, 1, rbuf, BLOCK_SIZE) == SOLO5_R_EINVAL, "unaligned offset");
    CHECK(solo5_block_write(h, BLOCK_SIZE + 3, wbuf, BLOCK_SIZE) == SOLO5_R_EINVAL,
          "unaligned write offset");
    CHECK(solo5_block_read(h, 0, rbuf, 100) == SOLO5_R_EINVAL, "unaligned size");
    CHECK(solo5_block_read(h, 0, rbuf, 0) == SOLO5_R_EINVAL, "size 0");
    CHECK(solo5_block_read(h, CAPACITY, rbuf, BLOCK_SIZE) == SOLO5_R_EINVAL, "offset at end");
    CHECK(solo5_block_read(h, CAPACITY - BLOCK_SIZE, rbuf, 2 * BLOCK_SIZE) == SOLO5_R_EINVAL,
          "range past end");
    CHECK(solo5_block_write(h, 1024 * CAPACITY, wbuf, BLOCK_SIZE) == SOLO5_R_EINVAL,
          "offset past end");
    /* A block-aligned offset so close to 2^64 that offset + size wraps around to 512. */
    CHECK(solo5_block_read(h, 0ULL - BLOCK_SIZE, rbuf, 2 * BLOCK_SIZE) == SOLO5_R_EINVAL,
          "offset + size overflow");
    CHECK(solo5_block_read(h + 12345, 0, rbuf, BLOCK_SIZE) == SOLO5_R_EINVAL, "unknown handle");
    return 1;
}

static int check(void)
{
    solo5_handle_t h;
    struct solo5_block_info info;

    CHECK(solo5_block_acquire("storage", &h, &info) == SOLO5_R_OK, "acquire storage");
    CHECK(info.block_size == BLOCK_SIZE, "block size is not 512");
    CHECK(info.capacity == CAPACITY, "capacity is not 64 KiB");

    solo5_handle_t h2;
    struct solo5_block_info info2;
    CHECK(solo5_block_acquire("storage", &h2, &info2) != SOLO5_R_OK, "second acquire succeeded");
    CHECK(solo5_block_acquire("no-such-disk", &h2, &info2) == SOLO5_R_EINVAL,
          "acquiring an unknown name did not give EINVAL");

    return check_io(h) && check_einval(h);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    if (!check())
        return SOLO5_EXIT_FAILURE;
    puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
