/*
 * emul_phase.c: accesses of every shape next to a watch (see emul_phase.h).
 *
 * With the sentinels watched, the second and third page of emul are trapped (read-only
 * for watch, absent for rwatch/awatch), and each access below exits to the monitor, which
 * must complete it exactly as the CPU would have: the value written lands at the right
 * guest-physical address, the value read comes from there. An access that straddles a
 * page boundary reaches the monitor as one exit per trapped page (the untrapped part is
 * done by the hypervisor), a 16-byte move as two 8-byte exits, a rep string instruction
 * as one exit per element. Every result is checked with plain loads afterwards; the first
 * failing check's number lands in emul_failed, which the gdb test reads.
 *
 *   b[0x0000] page 0  never trapped
 *   b[0x1000] page 1  trapped: sizes, alignments, straddles, locked RMW, SSE, push
 *   b[0x2000] page 2  trapped: string instructions, locked RMW, pop
 *   b[0x3000] page 3  never trapped
 */
#include "emul_phase.h"

#pragma GCC optimize("no-tree-vectorize", "no-tree-loop-distribute-patterns")

#define P1 EMUL_PAGE
#define P2 (2 * EMUL_PAGE)
#define P3 (3 * EMUL_PAGE)

struct emul_pages emul;
volatile uint32_t emul_failed;

/* Accesses of one size each, at any alignment: one mov instruction on x86. */
typedef uint16_t u16u __attribute__((aligned(1)));
typedef uint32_t u32u __attribute__((aligned(1)));
typedef uint64_t u64u __attribute__((aligned(1)));
#define AT(off)  ((uintptr_t)&emul.b[(off)])
#define U8(off)  (*(volatile uint8_t *)AT(off))
#define U16(off) (*(volatile u16u *)AT(off))
#define U32(off) (*(volatile u32u *)AT(off))
#define U64(off) (*(volatile u64u *)AT(off))

static int fail(uint32_t n)
{
    if (!emul_failed)
        emul_failed = n;
    return 0;
}

#define CHK(n, cond)        \
    do {                    \
        if (!(cond))        \
            return fail(n); \
    } while (0)

static void rep_movsb(uintptr_t dst, uintptr_t src, uint64_t n)
{
    __asm__ __volatile__("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void rep_movsq(uintptr_t dst, uintptr_t src, uint64_t n)
{
    __asm__ __volatile__("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void rep_stosb(uintptr_t dst, uint8_t v, uint64_t n)
{
    __asm__ __volatile__("rep stosb" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

static void rep_stosq(uintptr_t dst, uint64_t v, uint64_t n)
{
    __asm__ __volatile__("rep stosq" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

/* Stores of 1, 2, 4 and 8 bytes, aligned and not, read back at their own and other sizes. */
static int sizes(void)
{
    U64(P1 + 0x10) = 0;
    U64(P1 + 0x18) = 0;
    U8(P1 + 0x10) = 0x11;
    U16(P1 + 0x12) = 0x2233;
    U32(P1 + 0x14) = 0x44556677;
    U64(P1 + 0x18) = 0x8899aabbccddeeffULL;
    CHK(1, U64(P1 + 0x10) == 0x4455667722330011ULL);
    CHK(2, U64(P1 + 0x18) == 0x8899aabbccddeeffULL);
    CHK(3, U8(P1 + 0x10) == 0x11 && U16(P1 + 0x12) == 0x2233 && U32(P1 + 0x14) == 0x44556677);
    CHK(4, U8(P1 + 0x1f) == 0x88 && U16(P1 + 0x17) == 0xff44);
    U16(P1 + 0x21) = 0xa1a2;
    U32(P1 + 0x23) = 0xb1b2b3b4;
    U64(P1 + 0x27) = 0xc1c2c3c4c5c6c7c8ULL;
    CHK(5, U16(P1 + 0x21) == 0xa1a2 && U32(P1 + 0x23) == 0xb1b2b3b4);
    CHK(6, U64(P1 + 0x27) == 0xc1c2c3c4c5c6c7c8ULL);
    U8(P1 + 0x30) = 0x80;
    CHK(7, *(volatile int8_t *)AT(P1 + 0x30) == -128);
    return 1;
}

/* Unaligned accesses across page boundaries: trapped/trapped and trapped/not. */
static int straddles(void)
{
    U64(P2 - 3) = 0x0102030405060708ULL;
    CHK(10, U64(P2 - 3) == 0x0102030405060708ULL);
    CHK(11, U8(P2 - 1) == 0x06 && U8(P2) == 0x05);
    U32(P2 - 2) = 0xa1b2c3d4;
    CHK(12, U32(P2 - 2) == 0xa1b2c3d4 && U16(P2) == 0xa1b2);
    U16(P2 - 1) = 0xbeef;
    CHK(13, U16(P2 - 1) == 0xbeef && U8(P2) == 0xbe);
    /* Into the untrapped pages on either side. */
    U64(P1 - 4) = 0x1122334455667788ULL;
    CHK(14, U64(P1 - 4) == 0x1122334455667788ULL && U32(P1) == 0x11223344);
    CHK(15, U32(P1 - 4) == 0x55667788);
    U64(P3 - 4) = 0x99aabbccddeeff00ULL;
    CHK(16, U64(P3 - 4) == 0x99aabbccddeeff00ULL && U32(P3) == 0x99aabbcc);
    CHK(17, U32(P3 - 4) == 0xddeeff00);
    return 1;
}

/* rep movs and rep stos into, out of and within the trapped pages. */
static int strings(void)
{
    uint8_t local[40];
    for (int i = 0; i < 40; i++)
        U8(0x100 + i) = (uint8_t)(i * 7 + 3);
    rep_movsb(AT(P2 - 20), AT(0x100), 40); /* untrapped -> across pages 1 and 2 */
    for (int i = 0; i < 40; i++)
        CHK(20, U8(P2 - 20 + i) == (uint8_t)(i * 7 + 3));
    rep_movsq(AT(P2 + 0x100), AT(P2 - 20), 4); /* trapped -> trapped, unaligned source */
    /* Before any other read of P2 + 0x100: test_watch_rep.py read-watches a byte of it. */
    rep_movsb((uintptr_t)local, AT(P2 + 0x100), 32); /* trapped -> the stack */
    for (int i = 0; i < 32; i++)
        CHK(21, U8(P2 + 0x100 + i) == (uint8_t)(i * 7 + 3));
    for (int i = 0; i < 32; i++)
        CHK(22, local[i] == (uint8_t)(i * 7 + 3));
    U8(P2 + 0x1ff) = 0x5a;
    U8(P2 + 0x218) = 0x5a;
    rep_stosb(AT(P2 + 0x200), 0xa5, 24);
    for (int i = 0; i < 24; i++)
        CHK(23, U8(P2 + 0x200 + i) == 0xa5);
    CHK(24, U8(P2 + 0x1ff) == 0x5a && U8(P2 + 0x218) == 0x5a);
    rep_stosq(AT(P1 + 0x400), 0xdeadbeefcafef00dULL, 3);
    CHK(25, U64(P1 + 0x400) == 0xdeadbeefcafef00dULL && U64(P1 + 0x410) == 0xdeadbeefcafef00dULL);
    uint64_t v;
    uintptr_t src = AT(P2 + 0x100);
    __asm__ __volatile__("lodsq" : "=a"(v), "+S"(src) : : "memory");
    CHK(26, v == 0x342d261f18110a03ULL && src == AT(P2 + 0x108));
    return 1;
}

/* Locked and implicitly locked read-modify-writes, and bit test-and-set. */
static int locked(void)
{
    volatile uint64_t *p;
    uint64_t v = 2;
    p = (volatile uint64_t *)AT(P1 + 0x60);
    *p = 40;
    __asm__ __volatile__("lock xaddq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    CHK(30, v == 40 && *p == 42);
    p = (volatile uint64_t *)AT(P1 + 0x68);
    *p = 7;
    v = 9;
    __asm__ __volatile__("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    CHK(31, v == 7 && *p == 9);
    p = (volatile uint64_t *)AT(P1 + 0x70);
    *p = 100;
    uint64_t expected = 100;
    uint8_t ok;
    __asm__ __volatile__("lock cmpxchgq %3, %1; setz %0"
                         : "=q"(ok), "+m"(*p), "+a"(expected)
                         : "r"(200ULL)
                         : "memory", "cc");
    CHK(32, ok && *p == 200);
    expected = 100;
    __asm__ __volatile__("lock cmpxchgq %3, %1; setz %0"
                         : "=q"(ok), "+m"(*p), "+a"(expected)
                         : "r"(300ULL)
                         : "memory", "cc");
    CHK(33, !ok && expected == 200 && *p == 200);
    volatile uint32_t *w = (volatile uint32_t *)AT(P2 + 0x74);
    *w = 5;
    __asm__ __volatile__("lock incl %0" : "+m"(*w) : : "memory");
    CHK(34, *w == 6);
    volatile uint8_t *b = (volatile uint8_t *)AT(P2 + 0x78);
    *b = 0x01;
    __asm__ __volatile__("lock orb $0x80, %0" : "+m"(*b) : : "memory");
    CHK(35, *b == 0x81);
    p = (volatile uint64_t *)AT(P2 + 0x80);
    *p = 0;
    uint8_t was;
    __asm__ __volatile__("btsq $3, %1; setc %0" : "=q"(was), "+m"(*p) : : "memory", "cc");
    CHK(36, !was && *p == 8);
    __asm__ __volatile__("btsq $3, %1; setc %0" : "=q"(was), "+m"(*p) : : "memory", "cc");
    CHK(37, was && *p == 8);
    return 1;
}

/* 16-byte SSE moves (two 8-byte exits each), one across the page 1/2 boundary; push, pop. */
static int wide_and_stack(void)
{
    uint8_t in[16], out[16];
    for (int i = 0; i < 16; i++)
        in[i] = (uint8_t)(0xe0 + i), out[i] = 0;
    __asm__ __volatile__("movdqu (%0), %%xmm0; movdqu %%xmm0, (%1)"
                         :
                         : "r"(in), "r"(AT(P2 - 8))
                         : "memory", "xmm0");
    for (int i = 0; i < 16; i++)
        CHK(40, U8(P2 - 8 + i) == (uint8_t)(0xe0 + i));
    __asm__ __volatile__("movdqu (%0), %%xmm0; movdqu %%xmm0, (%1)"
                         :
                         : "r"(AT(P2 - 8)), "r"(out)
                         : "memory", "xmm0");
    for (int i = 0; i < 16; i++)
        CHK(41, out[i] == (uint8_t)(0xe0 + i));
    U64(P1 + 0x98) = 0x5151515151515151ULL;
    U64(P2 + 0x98) = 0;
    __asm__ __volatile__("pushq %1; popq %0"
                         : "=m"(*(volatile uint64_t *)AT(P2 + 0x98))
                         : "m"(*(volatile uint64_t *)AT(P1 + 0x98))
                         : "memory");
    CHK(42, U64(P2 + 0x98) == 0x5151515151515151ULL);
    return 1;
}

int emul_phase(uint64_t round)
{
    emul_failed = 0;
    if (!sizes() || !straddles() || !strings() || !locked() || !wide_and_stack())
        return 0;
    U64(EMUL_SENTINEL1) = round + 1, sink(30); /* @emul-sentinel1 */
    U64(EMUL_SENTINEL2) = round + 1, sink(31); /* @emul-sentinel2 */
    return 1;
}
