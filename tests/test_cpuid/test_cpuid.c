/*
 * test_cpuid: prints whether CPUID offers RDRAND and RDSEED, which a recorded run hides
 * where the KVM applies the VM's CPUID (tests/scripts/reverse.sh), then exits 0.
 */
#include "solo5.h"

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static void cpuid(uint32_t leaf, uint32_t *b, uint32_t *c)
{
    uint32_t a, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(*b), "=c"(*c), "=d"(d) : "a"(leaf), "c"(0));
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    uint32_t b, c, b7, c7;
    cpuid(1, &b, &c);
    cpuid(7, &b7, &c7);
    puts_((c >> 30) & 1 ? "rdrand: yes\n" : "rdrand: no\n");
    puts_((b7 >> 18) & 1 ? "rdseed: yes\n" : "rdseed: no\n");
    return 0;
}
