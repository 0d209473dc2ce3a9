/*
 * unit.h: a tiny unit-test harness for monitor code that needs no /dev/kvm.
 *
 * Each test binary defines test functions with UNIT_TEST(name) and lists them in
 * main() with UNIT_RUN(name). Every test prints exactly one line, "PASS name" or
 * "FAIL name: file:line: what", which tests/run.sh counts. A failed CHECK ends that
 * test (not the binary); the binary's exit status is 1 if any test failed.
 */
#ifndef UKVM_UNIT_H
#define UKVM_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int unit_failures;
static const char *unit_current;
static int unit_current_failed;

#define UNIT_TEST(name) static void name(void)

#define UNIT_RUN(name)                  \
    do {                                \
        unit_current = #name;           \
        unit_current_failed = 0;        \
        name();                         \
        if (!unit_current_failed)       \
            printf("PASS %s\n", #name); \
        fflush(stdout);                 \
    } while (0)

#define UNIT_FAIL(...)                                                \
    do {                                                              \
        printf("FAIL %s: %s:%d: ", unit_current, __FILE__, __LINE__); \
        printf(__VA_ARGS__);                                          \
        printf("\n");                                                 \
        unit_failures++;                                              \
        unit_current_failed = 1;                                      \
        return;                                                       \
    } while (0)

#define CHECK(cond)                               \
    do {                                          \
        if (!(cond))                              \
            UNIT_FAIL("check failed: %s", #cond); \
    } while (0)

#define CHECK_EQ_U64(actual, expected)                                                        \
    do {                                                                                      \
        uint64_t unit_a_ = (uint64_t)(actual), unit_e_ = (uint64_t)(expected);                \
        if (unit_a_ != unit_e_)                                                               \
            UNIT_FAIL("%s == 0x%" PRIx64 ", expected 0x%" PRIx64, #actual, unit_a_, unit_e_); \
    } while (0)

#define CHECK_STR_CONTAINS(haystack, needle)                                                     \
    do {                                                                                         \
        const char *unit_h_ = (haystack);                                                        \
        if (!unit_h_ || !strstr(unit_h_, (needle)))                                              \
            UNIT_FAIL("\"%s\" does not contain \"%s\"", unit_h_ ? unit_h_ : "(null)", (needle)); \
    } while (0)

#define UNIT_EXIT_STATUS() (unit_failures ? 1 : 0)

#endif /* UKVM_UNIT_H */
