/*
 * bench_hvt_loop: the guest of the hvt gdb benchmark (tests/bench/hvt_bench.sh), an hvt-ABI
 * guest built with ukvm's hvt runtime (tests/hvt/rt/), so ukvm's gdb stub and Solo5's
 * solo5-hvt-debug step through the very same file:
 *
 *   ukvm --gdb=127.0.0.1:0 --mem=64 build/bench_hvt_loop.hvt
 *   solo5-hvt-debug --mem=64 --gdb --gdb-port=PORT build/bench_hvt_loop.hvt
 *
 * Spins forever in a tight loop of plain general-purpose instructions that calls the
 * noinline function loop_body once per iteration, as tests/bench/bench_loop does for
 * ukvm's own ABI: tests/bench/gdb_bench.py single-steps through it (stepi), reads and
 * writes guest memory from 2 MiB up (above the image and the runtime's stack, both in the
 * first 2 MiB; the monitor's entry stack at the top of memory is not used after entry),
 * and breaks on loop_body and continues. No hypercall inside the loop: only gdb (or a
 * signal) ends this guest.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

/* Globals, not locals: the loop's work is memory traffic the compiler cannot drop. */
volatile uint64_t counter;
volatile uint64_t loop_i;

__attribute__((noinline)) void loop_body(void)
{
    counter += loop_i;
    loop_i ^= 3;
}

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    for (;;)
        loop_body();
}
