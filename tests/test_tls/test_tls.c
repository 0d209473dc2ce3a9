/*
 * test_tls: thread-local storage through Solo5's TLS helpers (solo5_tls_size,
 * solo5_tls_init, solo5_tls_tp_offset, solo5_set_tls_base).
 *
 * Two TLS blocks stand for two threads: each must see its own copy of an initialised
 * __thread variable, of a zero-initialised one and of an over-aligned one, and %fs:0 must
 * read back the thread pointer (the TCB self pointer that compilers and C libraries use).
 */
#include "solo5.h"

static void puts(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static int fail(const char *why)
{
    puts("FAILURE: ");
    puts(why);
    puts("\n");
    return 1;
}

__thread volatile uint64_t initialised = 0xC0FFEE;
__thread volatile uint64_t zeroed;
/* Over-aligned: the thread pointer must sit on the segment's rounded-up size. */
__thread volatile uint8_t aligned_byte __attribute__((aligned(64))) = 7;

/* Static storage for two blocks: there is no allocator in this test. */
static uint8_t blocks[2][512] __attribute__((aligned(64)));

static uintptr_t read_fs0(void)
{
    uintptr_t v;
    __asm__ __volatile__("movq %%fs:0, %0" : "=r"(v));
    return v;
}

/* True if addr lies in [lo, hi). */
static bool inside(uintptr_t addr, uintptr_t lo, uintptr_t hi)
{
    return addr >= lo && addr < hi;
}

/* Switches to block (i); returns false if the kernel refused. */
static bool use_block(int i)
{
    return solo5_set_tls_base(solo5_tls_tp_offset((uintptr_t)blocks[i])) == SOLO5_R_OK;
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    size_t size = solo5_tls_size();
    if (size > sizeof(blocks[0]) || size < 3 * sizeof(uint64_t))
        return fail("solo5_tls_size out of range");
    if (solo5_tls_init(0) != SOLO5_R_EINVAL)
        return fail("solo5_tls_init(0) must be SOLO5_R_EINVAL");

    for (int i = 0; i < 2; i++) {
        /* Garbage first, so that solo5_tls_init must really zero .tbss. */
        for (size_t j = 0; j < sizeof(blocks[i]); j++)
            blocks[i][j] = 0xA5;
        if (solo5_tls_init((uintptr_t)blocks[i]) != SOLO5_R_OK)
            return fail("solo5_tls_init");
    }

    if (!use_block(0))
        return fail("solo5_set_tls_base(block 0)");
    if (read_fs0() != solo5_tls_tp_offset((uintptr_t)blocks[0]))
        return fail("%fs:0 is not the thread pointer of block 0");
    if (initialised != 0xC0FFEE || zeroed != 0 || aligned_byte != 7)
        return fail("block 0 does not start with the initial values");
    initialised = 1;
    zeroed = 10;
    aligned_byte = 100;

    if (!use_block(1))
        return fail("solo5_set_tls_base(block 1)");
    if (read_fs0() != solo5_tls_tp_offset((uintptr_t)blocks[1]))
        return fail("%fs:0 is not the thread pointer of block 1");
    if (initialised != 0xC0FFEE || zeroed != 0 || aligned_byte != 7)
        return fail("block 1 sees block 0's values");
    initialised = 2;
    zeroed = 20;
    aligned_byte = 200;

    if (!use_block(0))
        return fail("solo5_set_tls_base(block 0) again");
    if (initialised != 1 || zeroed != 10 || aligned_byte != 100)
        return fail("block 0 lost its values");
    /* Every variable lies inside its block: below the thread pointer, not below the block. */
    uintptr_t lo = (uintptr_t)blocks[0], tp = solo5_tls_tp_offset(lo);
    if (!inside((uintptr_t)&initialised, lo, tp) || !inside((uintptr_t)&zeroed, lo, tp) ||
        !inside((uintptr_t)&aligned_byte, lo, tp))
        return fail("a __thread variable lies outside its TLS block");

    puts("SUCCESS\n");
    return 0;
}
