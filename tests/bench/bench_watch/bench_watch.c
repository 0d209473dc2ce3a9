/*
 * bench_watch: the guest of the watchpoint benchmark (tests/bench/run.sh, section
 * "watch"): what a trapped page costs the accesses that are not watched.
 *
 *   ukvm --gdb=127.0.0.1:0 build/bench_watch.ukvm N     (gdb: watch or awatch page_w.watched)
 *
 * Times N reads and N writes of `near`, which shares a page with `watched`, and N reads
 * and N writes of `far`, alone on another page, with the guest's monotonic clock (in
 * interleaved chunks of 100), and prints the totals in one line:
 *
 *   bench_watch: n=N far_read_ns=... far_write_ns=... near_read_ns=... near_write_ns=...
 *
 * With `watch page_w.watched` the page is read-only (near's writes exit to the monitor,
 * its reads do not); with `awatch` it is absent (both exit). far is never trapped, so
 * (near - far) / N is what the trap adds to one access, measured in the same run. The
 * last store, to watched itself, stops gdb: proof the watchpoint was live throughout.
 */
#include "solo5.h"

struct page_w {
    volatile uint64_t watched;
    volatile uint64_t near;
} __attribute__((aligned(4096)));

struct page_f {
    volatile uint64_t far;
} __attribute__((aligned(4096)));

struct page_w page_w;
struct page_f page_f;

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static void put_u64(const char *name, uint64_t v)
{
    char buf[24];
    int i = sizeof(buf);
    buf[--i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(name);
    puts_(buf + i);
}

static uint64_t parse_u64(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

/* Accesses per timed chunk; the four kinds alternate chunk by chunk (see below). */
#define CHUNK 100

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t n = parse_u64(si->cmdline);
    if (n < CHUNK)
        n = 1000;
    n -= n % CHUNK;
    /*
     * Far reads, near reads, far writes, near writes, one chunk of each in turn, so that
     * the host's load drifting during the run (other processes, frequency) falls on all
     * four alike; each chunk is timed between two clock reads.
     */
    uint64_t sum = 0, far_r = 0, near_r = 0, far_w = 0, near_w = 0;
    for (uint64_t done = 0; done < n; done += CHUNK) {
        uint64_t t0 = solo5_clock_monotonic();
        for (uint64_t i = 0; i < CHUNK; i++)
            sum += page_f.far;
        uint64_t t1 = solo5_clock_monotonic();
        for (uint64_t i = 0; i < CHUNK; i++)
            sum += page_w.near;
        uint64_t t2 = solo5_clock_monotonic();
        for (uint64_t i = 0; i < CHUNK; i++)
            page_f.far = done + i;
        uint64_t t3 = solo5_clock_monotonic();
        for (uint64_t i = 0; i < CHUNK; i++)
            page_w.near = done + i;
        uint64_t t4 = solo5_clock_monotonic();
        far_r += t1 - t0, near_r += t2 - t1, far_w += t3 - t2, near_w += t4 - t3;
    }
    page_w.watched = sum + 1; /* the watchpoint's stop */
    put_u64("bench_watch: n=", n);
    put_u64(" far_read_ns=", far_r);
    put_u64(" far_write_ns=", far_w);
    put_u64(" near_read_ns=", near_r);
    put_u64(" near_write_ns=", near_w);
    puts_("\n");
    return page_w.near == n - 1 && page_f.far == n - 1 ? 0 : 1;
}
