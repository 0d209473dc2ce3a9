/*
 * test_expr.c: address expressions and counts (shell/expr.h): numbers, registers,
 * symbols, one + or -, overflow, and the errors for everything else.
 *
 * The env has fixed registers and, for the `symbols` test, the symbols of
 * build/test_hello.ukvm when it was built (SKIP with the reason otherwise).
 */
#include <stdlib.h>

#include "shell/expr.h"
#include "ukvm/inspect/symbolize.h"
#include "unit.h"

#define RIP  0x100030ULL
#define RSP  0x3fff00ULL
#define CR0  0x80050033ULL
#define EFER 0xd01ULL

static bool regs_fail;
static struct symbolizer *sym;

static int get_regs(void *ctx, struct vcpu_regs *regs)
{
    (void)ctx;
    if (regs_fail)
        return -1;
    *regs = (struct vcpu_regs){
        .rax = 0x1111,
        .rsp = RSP,
        .rbp = RSP + 0x40,
        .r8 = 0x8888,
        .rip = RIP,
        .rflags = 0x246,
    };
    return 0;
}

static int get_sregs(void *ctx, struct vcpu_sregs *sregs)
{
    (void)ctx;
    if (regs_fail)
        return -1;
    *sregs = (struct vcpu_sregs){.cr0 = CR0, .cr3 = 0x20000, .efer = EFER};
    sregs->fs.base = 0x7000;
    sregs->gs.base = 0x8000;
    return 0;
}

static struct symbolizer *get_symbols(void *ctx)
{
    (void)ctx;
    return sym;
}

static const struct command_env env = {
    .get_regs = get_regs,
    .get_sregs = get_sregs,
    .symbols = get_symbols,
};

static uint64_t v;
static char err[128];

/* Evaluates text; on success the value is in v, on failure the reason in err. */
static int eval(const char *text)
{
    v = 0xdeadbeef;
    err[0] = '\0';
    return expr_eval(&env, text, &v, err, sizeof(err));
}

#define CHECK_VALUE(text, expected)                    \
    do {                                               \
        if (eval(text) != 0)                           \
            UNIT_FAIL("'%s' failed: %s", (text), err); \
        CHECK_EQ_U64(v, expected);                     \
    } while (0)

#define CHECK_ERROR(text, what)                                                 \
    do {                                                                        \
        if (eval(text) != -1)                                                   \
            UNIT_FAIL("'%s' gave 0x%" PRIx64 ", expected an error", (text), v); \
        CHECK_STR_CONTAINS(err, what);                                          \
        CHECK(strchr(err, '\n') == NULL);                                       \
    } while (0)

UNIT_TEST(numbers)
{
    CHECK_VALUE("0x10", 0x10);
    CHECK_VALUE("  0XfF  ", 0xff);
    CHECK_VALUE("0xABCdef", 0xabcdef);
    CHECK_VALUE("010", 10); /* no octal */
    CHECK_VALUE("0", 0);
    CHECK_VALUE("18446744073709551615", UINT64_MAX);
    CHECK_VALUE("0xffffffffffffffff", UINT64_MAX);
    CHECK_VALUE("0x0000000000000000000000001", 1); /* leading zeros do not overflow */
    CHECK_ERROR("18446744073709551616", "'18446744073709551616': too large for 64 bits");
    CHECK_ERROR("0x10000000000000000", "too large for 64 bits");
    CHECK_ERROR("0x", "'0x': not a number");
    CHECK_ERROR("0x1g", "'0x1g': not a number");
    CHECK_ERROR("12abc", "'12abc': not a number");
    CHECK_ERROR("1.5", "'1.5': not a number");
    CHECK_ERROR("-8", "'-8': expected a number, a symbol or a $register");
    CHECK_ERROR("", "missing address");
    CHECK_ERROR("   ", "missing address");
    CHECK(expr_eval(&env, NULL, &v, err, sizeof(err)) == -1);
    CHECK_STR_CONTAINS(err, "missing address");
}

UNIT_TEST(arithmetic)
{
    CHECK_VALUE("0x100+0x20", 0x120);
    CHECK_VALUE("0x100 - 16", 0xf0);
    CHECK_VALUE("0xfffffffffffffff0 + 15", UINT64_MAX);
    CHECK_VALUE("5-5", 0);
    CHECK_ERROR("0xffffffffffffffff+1", "0xffffffffffffffff + 0x1 overflows 64 bits");
    CHECK_ERROR("4-5", "0x4 - 0x5 is negative");
    CHECK_ERROR("1+2+3", "unexpected '+3': only one + or - of a number may follow");
    CHECK_ERROR("0x10*2", "unexpected '*2'");
    CHECK_ERROR("0x10 0x20", "unexpected '0x20'");
    CHECK_ERROR("0x10 +", "missing number after '+'");
    CHECK_ERROR("0x10 -  ", "missing number after '-'");
    CHECK_ERROR("0x10+$rsp", "'$rsp': not a number");
    CHECK_ERROR("0x10+main", "'main': not a number");
    CHECK_ERROR("+ 4", "'+': expected a number, a symbol or a $register");

    char *words[] = {"0x100", "+", "0x20"};
    CHECK(expr_eval_words(&env, 3, words, &v, err, sizeof(err)) == 0 && v == 0x120);
    char *one[] = {"$rsp-8"};
    CHECK(expr_eval_words(&env, 1, one, &v, err, sizeof(err)) == 0 && v == RSP - 8);
}

UNIT_TEST(registers)
{
    CHECK_VALUE("$rsp", RSP);
    CHECK_VALUE("$sp", RSP);
    CHECK_VALUE("$pc", RIP);
    CHECK_VALUE("$RIP", RIP);
    CHECK_VALUE("$fp", RSP + 0x40);
    CHECK_VALUE("$rbp", RSP + 0x40);
    CHECK_VALUE("$r8", 0x8888);
    CHECK_VALUE("$rax", 0x1111);
    CHECK_VALUE("$eflags", 0x246);
    CHECK_VALUE("$rflags", 0x246);
    CHECK_VALUE("$efer", EFER);
    CHECK_VALUE("$cr0", CR0);
    CHECK_VALUE("$cr3", 0x20000);
    CHECK_VALUE("$fs_base", 0x7000);
    CHECK_VALUE("$gs_base", 0x8000);
    CHECK_VALUE("$rsp - 0x3fff00", 0);
    CHECK_VALUE("$rip+0x10", RIP + 0x10);
    CHECK_ERROR("$rsp-0x400000", "0x3fff00 - 0x400000 is negative");
    CHECK_ERROR("$foo", "unknown register '$foo'");
    CHECK_ERROR("$", "'$': expected a number, a symbol or a $register");
    CHECK_ERROR("$1", "'$1': expected");
    CHECK_ERROR("$$rsp", "expected");
    regs_fail = true;
    CHECK_ERROR("$rsp", "cannot read $rsp: the registers are unavailable");
    CHECK_ERROR("$cr3", "cannot read $cr3");
    regs_fail = false;
    /* An env with no register callbacks at all. */
    const struct command_env bare = {0};
    CHECK(expr_eval(&bare, "$rip", &v, err, sizeof(err)) == -1);
    CHECK_STR_CONTAINS(err, "cannot read $rip");
    CHECK(expr_eval(&bare, "main", &v, err, sizeof(err)) == -1);
    CHECK_STR_CONTAINS(err, "cannot look 'main' up: no symbols loaded");
    CHECK(expr_eval(&bare, "0x42", &v, err, sizeof(err)) == 0 && v == 0x42);
}

UNIT_TEST(error_buffers)
{
    CHECK_ERROR("main", "cannot look 'main' up: no symbols loaded");
    /* A tiny error buffer truncates, never overruns; a zero-length one is left alone. */
    char tiny[4] = "xyz";
    CHECK(expr_eval(&env, "nonsense!", &v, tiny, sizeof(tiny)) == -1);
    CHECK(strlen(tiny) == 3);
    memcpy(tiny, "xyz", 4);
    CHECK(expr_eval(&env, "nonsense!", &v, tiny, 0) == -1);
    CHECK(strcmp(tiny, "xyz") == 0);
    /* Huge names and numbers: refused, and echoed shortened. */
    char big[600];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_ERROR(big, "name too long");
    memset(big, '9', sizeof(big) - 1);
    CHECK_ERROR(big, "...': too large for 64 bits");
    CHECK(strlen(err) < 100);
}

UNIT_TEST(counts)
{
    CHECK(expr_parse_count("20", 1, 256, &v, err, sizeof(err)) == 0 && v == 20);
    CHECK(expr_parse_count("0x100", 1, 256, &v, err, sizeof(err)) == 0 && v == 256);
    CHECK(expr_parse_count("1", 1, 256, &v, err, sizeof(err)) == 0 && v == 1);
    CHECK(expr_parse_count("0", 1, 256, &v, err, sizeof(err)) == -1);
    CHECK(strcmp(err, "0 is out of range (1-256)") == 0);
    CHECK(expr_parse_count("257", 1, 256, &v, err, sizeof(err)) == -1);
    CHECK(strcmp(err, "257 is out of range (1-256)") == 0);
    CHECK(expr_parse_count("-1", 1, 256, &v, err, sizeof(err)) == -1);
    CHECK(strcmp(err, "'-1': not a number (negative)") == 0);
    CHECK(expr_parse_count("99999999999999999999999", 1, 256, &v, err, sizeof(err)) == -1);
    CHECK_STR_CONTAINS(err, "too large for 64 bits");
    CHECK(expr_parse_count("18446744073709551615", 1, 256, &v, err, sizeof(err)) == -1);
    CHECK_STR_CONTAINS(err, "out of range");
    static const char *const bad[] = {"+1", " 1", "1 ", "", "1.5", "ten", "$rsp", "0x", "1e3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (expr_parse_count(bad[i], 1, 256, &v, err, sizeof(err)) != -1)
            UNIT_FAIL("'%s' accepted as a count", bad[i]);
        CHECK(err[0] != '\0');
    }
    CHECK(expr_parse_count(NULL, 1, 256, &v, err, sizeof(err)) == -1);
    CHECK_STR_CONTAINS(err, "missing number");
}

static char hello_path[512];

UNIT_TEST(symbols)
{
    char why[256];
    sym = symbolizer_open(hello_path, why, sizeof(why));
    if (!sym)
        UNIT_FAIL("symbolizer_open(%s): %s", hello_path, why);
    uint64_t app_main = 0;
    CHECK(symbolizer_lookup_name(sym, "solo5_app_main", &app_main) == 0);
    CHECK_VALUE("solo5_app_main", app_main);
    CHECK_VALUE("solo5_app_main+0x10", app_main + 0x10);
    CHECK_VALUE("solo5_app_main - 0x10", app_main - 0x10);
    CHECK_ERROR("no_such_symbol_here", "unknown symbol 'no_such_symbol_here'");
    CHECK_ERROR("solo5_app_main-0x1000000", "is negative");
    CHECK_ERROR("solo5_app_main+solo5_exit", "'solo5_exit': not a number");
    symbolizer_close(sym);
    sym = NULL;
}

int main(void)
{
    UNIT_RUN(numbers);
    UNIT_RUN(arithmetic);
    UNIT_RUN(registers);
    UNIT_RUN(error_buffers);
    UNIT_RUN(counts);

    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    snprintf(hello_path, sizeof(hello_path), "%s/test_hello.ukvm", build);
    FILE *probe = fopen(hello_path, "r");
    if (probe) {
        fclose(probe);
        UNIT_RUN(symbols);
        symbolizer_close(sym); /* when the test failed half-way */
    } else {
        printf("SKIP symbols: %s is not built (make tests builds it)\n", hello_path);
    }
    return UNIT_EXIT_STATUS();
}
