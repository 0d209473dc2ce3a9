/*
 * host_compute: the host side of the compute benchmark (tests/bench/mode_bench.sh): the
 * same compute_loop(N) as bench_compute, as an ordinary process. Prints the result in
 * hex, which must equal the unikernel's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "compute_loop.h"

int main(int argc, char **argv)
{
    char *end;
    if (argc != 2 || (strtoull(argv[1], &end, 10), *end != '\0')) {
        fprintf(stderr, "usage: host_compute N (decimal rounds)\n");
        return 2;
    }
    printf("0x%016" PRIx64 "\n", compute_loop(strtoull(argv[1], NULL, 10)));
    return 0;
}
