/*
 * guest.c: the loop of the QEMU side of the gdb benchmark: the same code as
 * tests/bench/bench_loop/bench_loop.c (see there), built for 32-bit protected mode
 * (unsigned long is 32 bits here, so the loop has the same instructions as there).
 */
volatile unsigned long counter;
volatile unsigned long loop_i;

__attribute__((noinline)) void loop_body(void)
{
    counter += loop_i;
    loop_i ^= 3;
}

__attribute__((noreturn)) void bench_main(void)
{
    for (;;)
        loop_body();
}
