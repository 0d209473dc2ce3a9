/*
 * test_fpu: SSE and x87 arithmetic in the application, as Solo5's test_fpu does.
 *
 * Applications may use the FPU; the kernel's own code is built general-register-only.
 * Where KVM emulates guest kernel mode in software it cannot emulate SSE arithmetic, so
 * this passes there only in user mode (tests/scripts/user_mode.sh says which).
 */
#include "solo5.h"

typedef float float4 __attribute__((vector_size(16)));

static void puts(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    volatile float4 a = {1.5f, 2.5f, 3.5f, 4.5f}, b = {2.0f, 4.0f, 6.0f, 8.0f};
    float4 c = a * b + b; /* mulps, addps */
    volatile double d = 1.0;
    for (int i = 0; i < 10; i++)
        d = d * 1.5 + 0.25; /* mulsd, addsd */
    volatile long double x = 3.0L;
    x = x * x / 2.0L; /* x87: fmul, fdiv */
    if (c[0] != 5.0f || c[1] != 14.0f || c[2] != 27.0f || c[3] != 44.0f) {
        puts("FAIL: SSE single precision\n");
        return 1;
    }
    /* d(n) = 1.5 d(n-1) + 0.25 from 1.0: every step is exact in binary. */
    if (d != 85.99755859375) {
        puts("FAIL: SSE double precision\n");
        return 1;
    }
    if (x != 4.5L) {
        puts("FAIL: x87\n");
        return 1;
    }
    puts("SUCCESS\n");
    return 0;
}
