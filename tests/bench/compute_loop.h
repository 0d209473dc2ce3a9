/*
 * compute_loop.h: the work of the compute benchmark, compiled into the unikernel
 * (tests/bench/bench_compute) and into the host process (tests/bench/host_compute.c)
 * alike, so that the two run the same instructions.
 */
#ifndef BENCH_COMPUTE_LOOP_H
#define BENCH_COMPUTE_LOOP_H

#include <stdint.h>

/*
 * n rounds of a 64-bit multiply-xorshift hash (integer only: the same code in every
 * guest mode). Returns the final state, which the callers print so that the loop cannot
 * be optimized away.
 */
static inline uint64_t compute_loop(uint64_t n)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ULL;
        x += i;
    }
    return x;
}

#endif /* BENCH_COMPUTE_LOOP_H */
