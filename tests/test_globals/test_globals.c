/*
 * test_globals: the monitor loaded initialized data from the ELF and zeroed bss.
 * Reads both, writes both and reads the new values back (data and bss are writable).
 */
#include "solo5.h"

static void puts(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

/* volatile: the compiler must really load these from memory, not fold the initializers. */
static volatile uint64_t data_word = 0x1122334455667788ULL;
static volatile char data_string[] = "initialized";
static volatile uint64_t bss_words[4];
static volatile char bss_bytes[13];

/* Returns 1 if every check passes, printing the first one that does not. */
static int check(void)
{
    if (data_word != 0x1122334455667788ULL) {
        puts("FAIL: initialized word\n");
        return 0;
    }
    if (data_string[0] != 'i' || data_string[10] != 'd' || data_string[11] != '\0') {
        puts("FAIL: initialized string\n");
        return 0;
    }
    for (unsigned i = 0; i < 4; i++) {
        if (bss_words[i] != 0) {
            puts("FAIL: bss word not zero\n");
            return 0;
        }
    }
    for (unsigned i = 0; i < sizeof(bss_bytes); i++) {
        if (bss_bytes[i] != 0) {
            puts("FAIL: bss byte not zero\n");
            return 0;
        }
    }

    data_word = 42;
    data_string[0] = 'I';
    bss_words[3] = 0xdeadbeef;
    bss_bytes[12] = 'x';
    if (data_word != 42 || data_string[0] != 'I' || bss_words[3] != 0xdeadbeef ||
        bss_bytes[12] != 'x') {
        puts("FAIL: write to data or bss did not stick\n");
        return 0;
    }
    return 1;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    if (!check())
        return SOLO5_EXIT_FAILURE;
    puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
