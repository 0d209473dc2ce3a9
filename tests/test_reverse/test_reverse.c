/*
 * test_reverse: the program the reverse-debugging tests record (ukvm --record) and run
 * backwards: tests/gdb/test_reverse_*.py, tests/scripts/reverse.sh, docs/reverse.md.
 *
 *   (no argument)  print, read the clocks, accumulate with calls (add, square), write and
 *                  read back a block when a disk is attached, build a linked list, sum
 *                  it, print SUCCESS and exit 0
 *   crash          the same, but a stray write (clobber) corrupts the list before the
 *                  sum, which then follows the bad pointer: #PF in sum_list
 *
 * Markers (@name in a comment) name lines for the tests. noipa keeps every function a
 * real call that gdb can step into, over and out of.
 */
#include "solo5.h"

#pragma GCC optimize("no-tree-vectorize")

#define NOIPA __attribute__((noipa))

struct node {
    struct node *next;
    long value;
};

struct node nodes[4];
struct node *list;
long total;
volatile long counter;
solo5_time_t clock_seen;
static uint8_t block[512];

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

NOIPA long add(long a, long b)
{
    long sum = a + b; /* @add-body */
    return sum;       /* @add-return */
}

NOIPA long square(long x)
{
    long r = add(x * x, 0); /* @square-call */
    return r;               /* @square-return */
}

NOIPA void accumulate(void)
{
    for (long i = 1; i <= 4; i++) {
        long s = square(i);        /* @loop-square */
        counter = add(counter, s); /* @loop-add */
    }
}

NOIPA void build_list(void)
{
    for (int i = 0; i < 4; i++) {
        nodes[i].value = i + 1;
        nodes[i].next = i < 3 ? &nodes[i + 1] : 0; /* @link */
    }
    list = &nodes[0];
}

/* The bug the crash scenario hunts: a stray store through a stale index. */
NOIPA void clobber(int index)
{
    nodes[index].next = (struct node *)0x10; /* @clobber */
}

NOIPA long sum_list(void)
{
    long sum = 0;
    for (struct node *n = list; n; n = n->next)
        sum += n->value; /* @sum */
    return sum;
}

/* A block written and read back: the read's bytes are an input a replay must give back. */
static void disk_round_trip(void)
{
    solo5_handle_t h;
    struct solo5_block_info info;
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK)
        return;
    for (unsigned i = 0; i < sizeof(block); i++)
        block[i] = (uint8_t)(i * 3 + (unsigned)counter);
    solo5_block_write(h, 0, block, sizeof(block));
    for (unsigned i = 0; i < sizeof(block); i++)
        block[i] = 0;
    solo5_block_read(h, 0, block, sizeof(block));
    puts_(block[1] == (uint8_t)(3 + counter) ? "disk: read back\n" : "disk: MISMATCH\n");
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    puts_("reverse: start\n");
    clock_seen = solo5_clock_monotonic() + solo5_clock_wall();
    accumulate();    /* @main-accumulate */
    total = counter; /* @main-total */
    disk_round_trip();
    build_list();
    if (streq(si->cmdline, "crash"))
        clobber(2); /* @main-clobber */
    solo5_yield(solo5_clock_monotonic() + 1000000, NULL);
    total += sum_list(); /* @main-sum */
    puts_(total == 30 + 10 ? "SUCCESS\n" : "FAIL: wrong total\n");
    return 0;
}
