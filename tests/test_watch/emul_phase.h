/*
 * emul_phase.h: accesses of every shape to trapped pages (tests/test_watch/emul_phase.c).
 */
#ifndef TEST_WATCH_EMUL_PHASE_H
#define TEST_WATCH_EMUL_PHASE_H

#include "solo5.h"

#define EMUL_PAGE 4096

/*
 * Four pages: the tests watch the sentinels in the second and the third, so that every
 * access of emul_phase() to those two (other than the sentinel stores at its end) is one
 * the monitor completes without a stop. The first and the last are never watched: the
 * accesses that straddle into them check the half that is not trapped.
 */
struct emul_pages {
    volatile uint8_t b[4 * EMUL_PAGE];
} __attribute__((aligned(EMUL_PAGE)));

extern struct emul_pages emul;

/* The sentinels: 8 bytes each at 0x800 into the second and the third page. */
#define EMUL_SENTINEL1 (EMUL_PAGE + 0x800)
#define EMUL_SENTINEL2 (2 * EMUL_PAGE + 0x800)

/* test_watch.c's: keeps a store and the call on one line (see there). */
void sink(uint64_t v);

/* The number of the first check that failed in the last emul_phase() (0: none). */
extern volatile uint32_t emul_failed;

/*
 * Stores and loads of 1, 2, 4, 8 and 16 bytes, aligned and not, across the pages'
 * boundaries, string instructions (rep movs/stos, in and out of the pages), locked
 * read-modify-writes, push and pop with memory operands; each result checked with plain
 * loads. Ends with one 8-byte store of round + 1 to each sentinel (lines @emul-sentinel1
 * and @emul-sentinel2). Returns 1 when every check passed.
 */
int emul_phase(uint64_t round);

#endif /* TEST_WATCH_EMUL_PHASE_H */
