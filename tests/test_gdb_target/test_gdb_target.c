/*
 * test_gdb_target: the program the gdb end-to-end tests (tests/gdb/) debug. Without a
 * debugger it runs its default scenario and exits with a known status, so it is also a
 * plain test (test.spec).
 *
 *   (no argument)  call the chain below, print SUCCESS, exit 0
 *   exit N         exit with status N (decimal)
 *   spin           print "spinning" and loop forever in pure computation
 *   sleep          print "sleeping" and sleep in solo5_yield for 10 minutes
 *   int3           execute an int3 compiled into the program, then exit 3
 *   regs           call regs_sink() with values gdb changes; exit with their checksum
 *
 * noipa keeps every function a real call that gdb can break on and step through.
 */
#include "solo5.h"

#define NOIPA __attribute__((noipa))

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

volatile unsigned long counter;

NOIPA int leaf(int x)
{
    counter++;
    return x * 3 + 1;
}

NOIPA int middle(int x)
{
    int y = leaf(x);
    counter++;
    return y + leaf(y);
}

NOIPA int top(int x)
{
    int r = middle(x);
    counter++;
    return r;
}

NOIPA int stage1(void)
{
    return top(1);
}
NOIPA int stage2(void)
{
    return top(2);
}
NOIPA int stage3(void)
{
    return top(3);
}
NOIPA int stage4(void)
{
    return top(4);
}
NOIPA int stage5(void)
{
    return top(5);
}
NOIPA int stage6(void)
{
    return top(6);
}
NOIPA int stage7(void)
{
    return top(7);
}
NOIPA int stage8(void)
{
    return top(8);
}

NOIPA void spin(void)
{
    for (;;)
        counter++;
}

NOIPA void compiled_int3(void)
{
    __asm__ __volatile__("int3");
    counter++;
}

/* Returns a value built from r8-r15 as they are at its first instruction. */
NOIPA unsigned long regs_sink(void)
{
    unsigned long r8, r9, r10, r11, r12, r13, r14, r15;
    __asm__ __volatile__("mov %%r8, %0; mov %%r9, %1; mov %%r10, %2; mov %%r11, %3"
                         : "=m"(r8), "=m"(r9), "=m"(r10), "=m"(r11));
    __asm__ __volatile__("mov %%r12, %0; mov %%r13, %1; mov %%r14, %2; mov %%r15, %3"
                         : "=m"(r12), "=m"(r13), "=m"(r14), "=m"(r15));
    return r8 + r9 + r10 + r11 + r12 + r13 + r14 + r15;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int prefix(const char *s, const char *p)
{
    while (*p && *s == *p)
        s++, p++;
    return *p == '\0';
}

static int parse_int(const char *s)
{
    int v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    if (prefix(cmd, "exit "))
        return parse_int(cmd + 5);
    if (streq(cmd, "spin")) {
        puts_("spinning\n");
        spin();
    }
    if (streq(cmd, "sleep")) {
        puts_("sleeping\n");
        solo5_yield(solo5_clock_monotonic() + 600ULL * 1000000000ULL, NULL);
        puts_("woke up\n");
        return 4;
    }
    if (streq(cmd, "int3")) {
        compiled_int3();
        puts_("after int3\n");
        return 3;
    }
    if (streq(cmd, "regs"))
        return (int)(regs_sink() & 0xff);
    int sum = stage1() + stage2() + stage3() + stage4() + stage5() + stage6() + stage7() + stage8();
    puts_(sum > 0 ? "SUCCESS\n" : "FAIL\n");
    return 0;
}
