/*
 * bench_loop: the ukvm guest of the gdb benchmark (tests/bench/run.sh, section "gdb").
 *
 *   ukvm --gdb=127.0.0.1:0 --mem=64 build/bench_loop.ukvm
 *
 * Spins forever in a tight loop of plain general-purpose instructions that calls the
 * noinline function loop_body once per iteration: tests/bench/gdb_bench.py single-steps
 * through it (stepi), and breaks on loop_body and continues (one stop per iteration).
 * tests/bench/qemu_guest/ runs the same loop under QEMU's gdbstub, so both stubs step
 * through comparable code. No hypercall inside the loop: only gdb ends this guest.
 */
#include "solo5.h"

/* Globals, not locals: the loop's work is memory traffic the compiler cannot drop. */
volatile uint64_t counter;
volatile uint64_t loop_i;

__attribute__((noinline)) void loop_body(void)
{
    counter += loop_i;
    loop_i ^= 3;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    for (;;)
        loop_body();
}
