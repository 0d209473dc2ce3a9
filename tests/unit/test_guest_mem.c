/*
 * test_guest_mem.c: guest memory and its bounds checks (ukvm/guest/guest_mem.h).
 *
 * Every hypercall argument passes through guest_mem_range_ok(), so these tests pin its
 * edges: the last byte, the first byte past the end, empty ranges, and additions that
 * would wrap around 2^64 if computed naively.
 */
#include <stdlib.h>

#include "ukvm/guest/guest_mem.h"
#include "unit.h"

#define MEM_SIZE 0x200000ULL /* 2 MiB */

static struct guest_mem mem;

UNIT_TEST(alloc_is_zeroed_and_sized)
{
    CHECK(mem.host != NULL);
    CHECK_EQ_U64(mem.size, MEM_SIZE);
    CHECK_EQ_U64((uintptr_t)mem.host % 4096, 0);
    CHECK_EQ_U64(mem.host[0], 0);
    CHECK_EQ_U64(mem.host[MEM_SIZE / 2], 0);
    CHECK_EQ_U64(mem.host[MEM_SIZE - 1], 0);
}

UNIT_TEST(alloc_failure_reports)
{
    struct guest_mem m = {0};
    char err[128] = "";
    /* 4 EiB: more than any address space, even with MAP_NORESERVE. */
    CHECK_EQ_U64(guest_mem_alloc(&m, 1ULL << 62, err, sizeof(err)), (uint64_t)-1);
    CHECK(m.host == NULL);
    CHECK_EQ_U64(m.size, 0);
    CHECK_STR_CONTAINS(err, "cannot allocate 4398046511104 MiB of guest memory: ");
}

UNIT_TEST(free_and_reuse)
{
    struct guest_mem m = {0};
    char err[128];
    CHECK_EQ_U64(guest_mem_alloc(&m, 4096 * 4, err, sizeof(err)), 0);
    m.host[4096] = 7;
    guest_mem_free(&m);
    CHECK(m.host == NULL);
    CHECK_EQ_U64(m.size, 0);
    guest_mem_free(&m); /* twice is harmless */
    CHECK(!guest_mem_range_ok(&m, 0, 1));
    CHECK_EQ_U64(guest_mem_alloc(&m, 4096 * 2, err, sizeof(err)), 0);
    CHECK_EQ_U64(m.size, 8192);
    CHECK_EQ_U64(m.host[4096], 0);
    guest_mem_free(&m);
}

UNIT_TEST(range_ok_edges)
{
    const uint64_t s = MEM_SIZE;
    CHECK(guest_mem_range_ok(&mem, 0, 0));
    CHECK(guest_mem_range_ok(&mem, 0, 1));
    CHECK(guest_mem_range_ok(&mem, 0, s));
    CHECK(!guest_mem_range_ok(&mem, 0, s + 1));
    CHECK(guest_mem_range_ok(&mem, s - 1, 1));
    CHECK(!guest_mem_range_ok(&mem, s - 1, 2));
    CHECK(guest_mem_range_ok(&mem, s, 0)); /* empty range at the very end */
    CHECK(!guest_mem_range_ok(&mem, s, 1));
    CHECK(!guest_mem_range_ok(&mem, s + 1, 0));
    CHECK(!guest_mem_range_ok(&mem, 0, UINT64_MAX));
    CHECK(!guest_mem_range_ok(&mem, 1, UINT64_MAX));
    CHECK(!guest_mem_range_ok(&mem, UINT64_MAX, 0));
    CHECK(!guest_mem_range_ok(&mem, UINT64_MAX, 1));
    CHECK(!guest_mem_range_ok(&mem, UINT64_MAX, UINT64_MAX));
    /* gpa + len wraps to 0 or just below s: a naive "gpa + len <= size" would pass. */
    CHECK(!guest_mem_range_ok(&mem, 0x1000, UINT64_MAX - 0xfff));
    CHECK(!guest_mem_range_ok(&mem, 0x1000, UINT64_MAX - 0xfff + 0x10));
    CHECK(!guest_mem_range_ok(&mem, s - 1, UINT64_MAX));
    CHECK(!guest_mem_range_ok(&mem, UINT64_MAX - 0xf, 0x20));
    CHECK(!guest_mem_range_ok(&mem, 1ULL << 63, 1ULL << 63));
}

UNIT_TEST(range_ok_4gib)
{
    /* Only the size matters for the check: a 4 GiB memory without backing it. */
    const struct guest_mem big = {.host = NULL, .size = 1ULL << 32};
    CHECK(guest_mem_range_ok(&big, 0xffffffffULL, 1));
    CHECK(!guest_mem_range_ok(&big, 0xffffffffULL, 2));
    CHECK(guest_mem_range_ok(&big, 0x100000000ULL, 0));
    CHECK(!guest_mem_range_ok(&big, 0x100000000ULL, 1));
    CHECK(!guest_mem_range_ok(&big, 0xfffffff8ULL, 16));
    CHECK(!guest_mem_range_ok(&big, 0x1000, 0xffffffffffffffffULL - 0xfff));
}

UNIT_TEST(range_pointer)
{
    const uint64_t s = MEM_SIZE;
    CHECK(guest_mem_range(&mem, 0, 1) == mem.host);
    CHECK(guest_mem_range(&mem, 0x1234, 16) == mem.host + 0x1234);
    CHECK(guest_mem_range(&mem, s - 1, 1) == mem.host + s - 1);
    CHECK(guest_mem_range(&mem, s, 0) == mem.host + s);
    CHECK(guest_mem_range(&mem, s, 1) == NULL);
    CHECK(guest_mem_range(&mem, s - 1, 2) == NULL);
    CHECK(guest_mem_range(&mem, UINT64_MAX, 1) == NULL);
    CHECK(guest_mem_range(&mem, 0, UINT64_MAX) == NULL);
    CHECK(guest_mem_range(&mem, 0x1000, UINT64_MAX - 0xfff) == NULL);
}

UNIT_TEST(copy_in_edges)
{
    const uint64_t s = MEM_SIZE;
    for (int i = 0; i < 8; i++)
        mem.host[s - 8 + i] = (uint8_t)(0x10 + i);
    uint8_t buf[16];
    memset(buf, 0xaa, sizeof(buf));
    CHECK_EQ_U64(guest_mem_copy_in(&mem, s - 8, buf, 8), 0);
    for (int i = 0; i < 8; i++)
        CHECK_EQ_U64(buf[i], 0x10 + i);
    CHECK_EQ_U64(buf[8], 0xaa);

    memset(buf, 0xaa, sizeof(buf));
    CHECK_EQ_U64(guest_mem_copy_in(&mem, s - 1, buf, 1), 0);
    CHECK_EQ_U64(buf[0], 0x17);
    CHECK_EQ_U64(buf[1], 0xaa);
    CHECK_EQ_U64(guest_mem_copy_in(&mem, s, buf, 0), 0);

    /* Failures copy nothing: not even the part that lies inside memory. */
    memset(buf, 0xaa, sizeof(buf));
    CHECK_EQ_U64(guest_mem_copy_in(&mem, s - 8, buf, 9), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_in(&mem, s, buf, 1), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_in(&mem, UINT64_MAX, buf, 1), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_in(&mem, UINT64_MAX - 7, buf, 16), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_in(&mem, 0x1000, buf, SIZE_MAX - 0xfff), (uint64_t)-1);
    for (size_t i = 0; i < sizeof(buf); i++)
        CHECK_EQ_U64(buf[i], 0xaa);
    memset(mem.host + s - 8, 0, 8);
}

UNIT_TEST(copy_out_edges)
{
    const uint64_t s = MEM_SIZE;
    const uint8_t src[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    memset(mem.host + s - 32, 0x55, 32);
    CHECK_EQ_U64(guest_mem_copy_out(&mem, s - 8, src, 8), 0);
    CHECK(memcmp(mem.host + s - 8, src, 8) == 0);
    CHECK_EQ_U64(mem.host[s - 9], 0x55);
    CHECK_EQ_U64(guest_mem_copy_out(&mem, s - 1, src + 15, 1), 0);
    CHECK_EQ_U64(mem.host[s - 1], 16);

    /* Failures write nothing. */
    memset(mem.host + s - 32, 0x55, 32);
    CHECK_EQ_U64(guest_mem_copy_out(&mem, s - 8, src, 9), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_out(&mem, s - 15, src, 16), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_out(&mem, s, src, 1), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_out(&mem, UINT64_MAX, src, 1), (uint64_t)-1);
    CHECK_EQ_U64(guest_mem_copy_out(&mem, 0x1000, src, SIZE_MAX - 0xfff), (uint64_t)-1);
    for (int i = 0; i < 32; i++)
        CHECK_EQ_U64(mem.host[s - 32 + i], 0x55);
    CHECK_EQ_U64(mem.host[0x1000], 0);
    memset(mem.host + s - 32, 0, 32);
}

UNIT_TEST(copy_roundtrip)
{
    const char msg[] = "guest memory roundtrip";
    char back[sizeof(msg)] = "";
    CHECK_EQ_U64(guest_mem_copy_out(&mem, 0x12345, msg, sizeof(msg)), 0);
    CHECK(memcmp(mem.host + 0x12345, msg, sizeof(msg)) == 0);
    CHECK_EQ_U64(guest_mem_copy_in(&mem, 0x12345, back, sizeof(back)), 0);
    CHECK(strcmp(back, msg) == 0);
    memset(mem.host + 0x12345, 0, sizeof(msg));
}

UNIT_TEST(access_read_phys)
{
    const uint64_t s = MEM_SIZE;
    struct guest_access a = guest_mem_access(&mem);
    CHECK(a.read_phys != NULL);
    CHECK(a.ctx == &mem);
    uint64_t v = 0x1122334455667788ULL, got = 0;
    memcpy(mem.host + 0x2000, &v, sizeof(v));
    CHECK_EQ_U64(a.read_phys(a.ctx, 0x2000, &got, sizeof(got)), 0);
    CHECK_EQ_U64(got, 0x1122334455667788ULL);
    memcpy(mem.host + s - 8, &v, sizeof(v));
    got = 0;
    CHECK_EQ_U64(a.read_phys(a.ctx, s - 8, &got, sizeof(got)), 0);
    CHECK_EQ_U64(got, 0x1122334455667788ULL);
    /* Out of range: -1 and nothing copied. */
    got = 0xdeadbeef;
    CHECK_EQ_U64(a.read_phys(a.ctx, s - 7, &got, sizeof(got)), (uint64_t)-1);
    CHECK_EQ_U64(a.read_phys(a.ctx, s, &got, sizeof(got)), (uint64_t)-1);
    CHECK_EQ_U64(a.read_phys(a.ctx, UINT64_MAX - 3, &got, sizeof(got)), (uint64_t)-1);
    CHECK_EQ_U64(got, 0xdeadbeef);
    memset(mem.host + 0x2000, 0, 8);
    memset(mem.host + s - 8, 0, 8);
}

int main(void)
{
    char err[128];
    if (guest_mem_alloc(&mem, MEM_SIZE, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return 1;
    }
    UNIT_RUN(alloc_is_zeroed_and_sized);
    UNIT_RUN(alloc_failure_reports);
    UNIT_RUN(free_and_reuse);
    UNIT_RUN(range_ok_edges);
    UNIT_RUN(range_ok_4gib);
    UNIT_RUN(range_pointer);
    UNIT_RUN(copy_in_edges);
    UNIT_RUN(copy_out_edges);
    UNIT_RUN(copy_roundtrip);
    UNIT_RUN(access_read_phys);
    guest_mem_free(&mem);
    return UNIT_EXIT_STATUS();
}
