/*
 * test_lazy_lib.c: loading a library on first use (ukvm/process/lazy_lib.h).
 *
 * libdw, Capstone and readline reach ukvm only through lazy_lib_load, so a missing or
 * unusable library must be one clear error naming the feature and the package to
 * install, with no half-filled table left behind, and the first answer must stick.
 * libc stands in for a present library.
 */
#include <string.h>

#include "ukvm/process/lazy_lib.h"
#include "unit.h"

static size_t (*strlen_fn)(const char *);
static void *other_fn;

static const struct lazy_symbol libc_symbols[] = {
    {"strlen", (void **)&strlen_fn},
};
static const struct lazy_symbol libc_and_missing[] = {
    {"strlen", (void **)&strlen_fn},
    {"ukvm_no_such_function", &other_fn},
};

static int check_calls;
static int refuse(char *err, size_t errlen)
{
    check_calls++;
    snprintf(err, errlen, "version 0.1, ukvm needs 4.x");
    return -1;
}

UNIT_TEST(present_library_resolves_and_stays)
{
    struct lazy_lib lib = {.soname = "libc.so.6",
                           .feature = "f",
                           .package = "p",
                           .symbols = libc_symbols,
                           .count = 1,
                           .lock = PTHREAD_MUTEX_INITIALIZER};
    char err[256] = "";
    strlen_fn = NULL;
    CHECK(lazy_lib_load(&lib, err, sizeof(err)) == 0);
    CHECK(strlen_fn != NULL);
    CHECK_EQ_U64(strlen_fn("four"), 4);
    CHECK(lazy_lib_load(&lib, err, sizeof(err)) == 0);
}

UNIT_TEST(missing_library_names_feature_and_package)
{
    struct lazy_lib lib = {.soname = "libukvm-no-such-library.so.9",
                           .feature = "the frobnicator is not available",
                           .package = "libfrob9",
                           .symbols = libc_symbols,
                           .count = 1,
                           .lock = PTHREAD_MUTEX_INITIALIZER};
    char err[256] = "";
    CHECK(lazy_lib_load(&lib, err, sizeof(err)) == -1);
    CHECK(strstr(err, "the frobnicator is not available: ") == err);
    CHECK(strstr(err, "libukvm-no-such-library.so.9") != NULL);
    CHECK(strstr(err, "(Debian: apt-get install libfrob9)") != NULL);
    /* The first answer sticks: asked again, the same error without a second dlopen. */
    char again[256] = "";
    CHECK(lazy_lib_load(&lib, again, sizeof(again)) == -1);
    CHECK(strcmp(err, again) == 0);
}

UNIT_TEST(missing_symbol_clears_every_slot)
{
    struct lazy_lib lib = {.soname = "libc.so.6",
                           .feature = "f",
                           .package = "p",
                           .symbols = libc_and_missing,
                           .count = 2,
                           .lock = PTHREAD_MUTEX_INITIALIZER};
    char err[256] = "";
    strlen_fn = NULL;
    CHECK(lazy_lib_load(&lib, err, sizeof(err)) == -1);
    CHECK(strstr(err, "f: libc.so.6 lacks ukvm_no_such_function") == err);
    CHECK(strlen_fn == NULL); /* resolved first, then cleared: no half-filled table */
    CHECK(other_fn == NULL);
}

UNIT_TEST(failed_check_clears_slots_and_is_asked_once)
{
    struct lazy_lib lib = {.soname = "libc.so.6",
                           .feature = "the disassembler is not available",
                           .package = "p",
                           .symbols = libc_symbols,
                           .count = 1,
                           .check = refuse,
                           .lock = PTHREAD_MUTEX_INITIALIZER};
    char err[256] = "";
    check_calls = 0;
    CHECK(lazy_lib_load(&lib, err, sizeof(err)) == -1);
    CHECK(strcmp(err, "the disassembler is not available: version 0.1, ukvm needs 4.x") == 0);
    CHECK(strlen_fn == NULL);
    CHECK(lazy_lib_load(&lib, err, sizeof(err)) == -1);
    CHECK_EQ_U64(check_calls, 1);
}

UNIT_TEST(error_fits_a_small_buffer)
{
    struct lazy_lib lib = {.soname = "libukvm-no-such-library.so.9",
                           .feature = "x",
                           .package = "p",
                           .symbols = libc_symbols,
                           .count = 1,
                           .lock = PTHREAD_MUTEX_INITIALIZER};
    char err[8];
    memset(err, 'Z', sizeof(err));
    CHECK(lazy_lib_load(&lib, err, sizeof(err)) == -1);
    CHECK(memchr(err, '\0', sizeof(err)) != NULL);
}

int main(void)
{
    UNIT_RUN(present_library_resolves_and_stays);
    UNIT_RUN(missing_library_names_feature_and_package);
    UNIT_RUN(missing_symbol_clears_every_slot);
    UNIT_RUN(failed_check_clears_slots_and_is_asked_once);
    UNIT_RUN(error_fits_a_small_buffer);
    return unit_failures ? 1 : 0;
}
