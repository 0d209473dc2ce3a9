/*
 * test_commands.c: the command table (shell/command.h) and every command against a fake
 * stopped guest. Expressions alone are tested in test_expr.c.
 *
 * The fake env has fixed registers, a small exit trace, a last exception, and a
 * malloc'd buffer standing for guest-physical memory [0, MEM_SIZE) with page tables
 * built by hand the way ukvm lays them out:
 *
 *   PML4 @0x20000 [0] -> PDPT @0x21000 [0] -> PD @0x22000 [0] -> PT @0x23000
 *                                                        [1]    2 MiB page at 0x200000 RW NX
 *   PT [0]        not present (the null page)
 *      [1..255]   0x1000-0xfffff    RW NX  (system area)
 *      [256..511] 0x100000-0x1fffff R X    (text)
 *
 * Symbols are NULL except in the `symbols` test, which opens build/test_hello.ukvm when
 * it was built (and says SKIP with the reason when not).
 */
#include <stdlib.h>

#include "shell/command.h"
#include "ukvm/inspect/pagewalk.h"
#include "ukvm/inspect/symbolize.h"
#include "unit.h"

#define MEM_SIZE 0x400000ULL
#define CR0      0x80050033ULL /* PG AM WP NE ET MP PE */
#define CR3      0x20000ULL
#define CR4      0x220ULL /* OSFXSR PAE */
#define EFER     0xd01ULL /* NXE LMA LME SCE */
#define RIP      0x100030ULL
#define RSP      0x3fff00ULL

static uint8_t *mem;

struct fake {
    bool regs_fail, sregs_fail;
    struct symbolizer *sym;
    struct vcpu_dtable idt; /* IDTR; zero (no IDT) unless a test sets it */
};
static struct fake fake;
static struct exit_trace trace;
static struct last_exception exception;
static struct boot_layout layout = {
    .mem_size = MEM_SIZE,
    .heap_start = 0x200000,
    .heap_size = 0x17f000,
    .stack_guard = 0x37f000,
    .stack_guarded = true,
    .areas = boot_ukvm_areas,
    .nareas = BOOT_UKVM_NAREAS,
    .stack_top = MEM_SIZE,
    .cr3 = CR3,
};

static int read_buf(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    (void)ctx;
    if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
        return -1;
    memcpy(buf, mem + gpa, len);
    return 0;
}

static int get_regs(void *ctx, struct vcpu_regs *regs)
{
    struct fake *f = ctx;
    if (f->regs_fail)
        return -1;
    *regs = (struct vcpu_regs){
        .rax = 0x1111,
        .rbx = 0x2222,
        .rsp = RSP,
        .rbp = RSP + 0x40,
        .r8 = 0x8888,
        .r15 = 0xf15,
        .rip = RIP,
        .rflags = 0x246,
    };
    return 0;
}

static int get_sregs(void *ctx, struct vcpu_sregs *sregs)
{
    struct fake *f = ctx;
    if (f->sregs_fail)
        return -1;
    const struct vcpu_segment code = {
        .selector = 0x8, .limit = 0xffffffff, .type = 0xb, .present = 1, .s = 1, .l = 1, .g = 1};
    const struct vcpu_segment data = {
        .selector = 0x10, .limit = 0xffffffff, .type = 0x3, .present = 1, .s = 1, .db = 1, .g = 1};
    *sregs = (struct vcpu_sregs){
        .cs = code,
        .ds = data,
        .es = data,
        .ss = data,
        .fs = data,
        .gs = data,
        .cr0 = CR0,
        .cr3 = CR3,
        .cr4 = CR4,
        .efer = EFER,
    };
    sregs->fs.base = 0x7000;
    sregs->idt = f->idt;
    return 0;
}

static struct symbolizer *get_symbols(void *ctx)
{
    return ((struct fake *)ctx)->sym;
}

static struct command_env env = {
    .ctx = &fake,
    .get_regs = get_regs,
    .get_sregs = get_sregs,
    .mem = {.read_phys = read_buf},
    .symbols = get_symbols,
    .exits = &trace,
    .exception = &exception,
    .layout = &layout,
};

static void set_entry(uint64_t table, unsigned index, uint64_t value)
{
    memcpy(mem + table + 8ULL * index, &value, sizeof(value));
}

static void build_memory(void)
{
    mem = calloc(1, MEM_SIZE);
    if (!mem) {
        printf("FAIL setup: out of memory\n");
        exit(1);
    }
    set_entry(0x20000, 0, 0x21000 | PTE_P | PTE_RW);
    set_entry(0x21000, 0, 0x22000 | PTE_P | PTE_RW);
    set_entry(0x22000, 0, 0x23000 | PTE_P | PTE_RW);
    set_entry(0x22000, 1, 0x200000 | PTE_P | PTE_RW | PTE_PS | PTE_NX);
    for (unsigned i = 1; i < 512; i++)
        set_entry(0x23000, i, (0x1000ULL * i) | PTE_P | (i < 256 ? PTE_RW | PTE_NX : 0));
}

/* The exits a short hello run makes: three PUTS, a POLL, an mmio, then HALT. */
static void fill_trace(struct exit_trace *t)
{
    memset(t, 0, sizeof(*t));
    exit_trace_record(t, VM_EXIT_IO, 0x100402, UKVM_HC_PUTS, 0x501);
    exit_trace_record(t, VM_EXIT_IO, 0x100402, UKVM_HC_PUTS, 0x501);
    exit_trace_record(t, VM_EXIT_IO, 0x1007f0, UKVM_HC_POLL, 0x502);
    exit_trace_record(t, VM_EXIT_MMIO, 0x100123, -1, 0xdead000);
    exit_trace_record(t, VM_EXIT_IO, 0x100701, UKVM_HC_HALT, 0x509);
}

static void set_page_fault(uint64_t cr2)
{
    memset(&exception, 0, sizeof(exception));
    exception.source = LAST_EXCEPTION_TRAP;
    exception.exit_seq = 7;
    exception.frame = (struct ukvm_trap_frame){
        .vector = 14,
        .error_code = 2,
        .cr2 = cr2,
        .rax = 0xaaaa,
        .rip = 0x100040,
        .cs = 0x8,
        .rflags = 0x10046,
        .rsp = RSP - 0x20,
        .ss = 0x10,
    };
}

/* ---------------------------------------------------------------- running commands */

static char *text; /* the output of the last run() */

/* Runs line against env; the output is left in text. */
static int run(const char *line)
{
    free(text);
    text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out) {
        printf("FAIL setup: open_memstream\n");
        exit(1);
    }
    int rc = command_execute(&env, line, out);
    fclose(out);
    return rc;
}

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* True when s is exactly one line: non-empty and with its only newline at the end. */
static bool one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl && nl != s && nl[1] == '\0';
}

/* Runs a line that must fail with exactly one line of error containing what. */
#define CHECK_FAILS(line, what)                                       \
    do {                                                              \
        int rc_ = run(line);                                          \
        if (rc_ != -1)                                                \
            UNIT_FAIL("'%s' returned %d: %s", (line), rc_, text);     \
        CHECK_STR_CONTAINS(text, what);                               \
        if (!one_line(text))                                          \
            UNIT_FAIL("'%s' printed not one line: %s", (line), text); \
    } while (0)

#define CHECK_RUNS(line)                                          \
    do {                                                          \
        int rc_ = run(line);                                      \
        if (rc_ != 0)                                             \
            UNIT_FAIL("'%s' returned %d: %s", (line), rc_, text); \
    } while (0)

/* ---------------------------------------------------------------- dispatch */

UNIT_TEST(empty_lines)
{
    CHECK_RUNS("");
    CHECK(strcmp(text, "") == 0);
    CHECK_RUNS("   \t  \r\n");
    CHECK(strcmp(text, "") == 0);
    CHECK_RUNS("# a comment: regs");
    CHECK(strcmp(text, "") == 0);
    CHECK(command_execute(&env, NULL, stdout) == 0);
}

UNIT_TEST(unknown_and_malformed)
{
    CHECK_FAILS("frobnicate", "unknown command 'frobnicate': try 'help'");
    CHECK(strcmp(text, "unknown command 'frobnicate': try 'help'\n") == 0);
    CHECK_FAILS("  frob arg1 arg2 ", "unknown command 'frob': try 'help'");
    CHECK_FAILS("REGS", "unknown command 'REGS'");
    CHECK_FAILS("regsx", "unknown command 'regsx'");
    /* Control characters are refused before they could be echoed to a terminal. */
    CHECK_FAILS("\x01\xff\x7f", "control character 0x01 at column 1: not a command");
    CHECK_FAILS("x \x1b[31m", "control character 0x1b at column 3: not a command");
    CHECK(strchr(text, 0x1b) == NULL);
    CHECK_FAILS("regs\x7f", "control character 0x7f at column 5");
    CHECK_FAILS("\xff\xfe", "unknown command"); /* bytes of UTF-8 text are no controls */
    CHECK_FAILS("ex", "ambiguous command 'ex': exc, exits");
    CHECK_FAILS("help \"pt", "unterminated quote");
    CHECK_FAILS("'", "unterminated quote");

    /* A long name is echoed shortened, so the error stays one readable line. */
    char name[200];
    memset(name, 'z', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    CHECK_FAILS(name, "zzz...': try 'help'");
    CHECK(strlen(text) < 100);

    /* Too long a line, too many words. */
    char *long_line = malloc(COMMAND_LINE_MAX + 100);
    CHECK(long_line);
    memset(long_line, 'a', COMMAND_LINE_MAX + 99);
    long_line[COMMAND_LINE_MAX + 99] = '\0';
    CHECK_FAILS(long_line, "command line too long");
    /* Exactly at the limit is fine: "regs" padded with blanks. */
    memset(long_line, ' ', COMMAND_LINE_MAX);
    memcpy(long_line, "regs", 4);
    long_line[COMMAND_LINE_MAX] = '\0';
    CHECK_RUNS(long_line);
    memset(long_line, 0, COMMAND_LINE_MAX + 100);
    for (int i = 0; i < COMMAND_ARGS_MAX + 1; i++)
        strcat(long_line, "x ");
    CHECK_FAILS(long_line, "too many words");
    free(long_line);
}

UNIT_TEST(quotes)
{
    CHECK_RUNS("help \"pt\"");
    CHECK_STR_CONTAINS(text, "usage: pt ADDR");
    CHECK_RUNS("'help' 'regs'");
    CHECK_STR_CONTAINS(text, "usage: regs");
    CHECK_RUNS("pt '0x100000 + 0x30'");
    CHECK_STR_CONTAINS(text, "va 0x100030\n");
    CHECK_FAILS("help \"p\\\"t\"", "unknown command 'p\"t'");
    CHECK_FAILS("help ''", "unknown command ''");
}

UNIT_TEST(lookup)
{
    CHECK(command_find("regs") == &cmd_regs);
    CHECK(command_find("r") == &cmd_regs);
    CHECK(command_find("reg") == &cmd_regs);
    CHECK(command_find("registers") == &cmd_regs);
    CHECK(command_find("walk") == &cmd_pt);
    CHECK(command_find("page") == &cmd_pt);
    CHECK(command_find("exception") == &cmd_exc);
    CHECK(command_find("lastexc") == &cmd_exc);
    CHECK(command_find("trace") == &cmd_exits);
    CHECK(command_find("vmexits") == &cmd_exits);
    CHECK(command_find("h") == &cmd_help);
    CHECK(command_find("?") == &cmd_help);
    /* Unique prefixes of names and aliases. */
    CHECK(command_find("exi") == &cmd_exits);
    CHECK(command_find("regi") == &cmd_regs);
    CHECK(command_find("hel") == &cmd_help);
    CHECK(command_find("tr") == &cmd_exits);
    CHECK(command_find("ex") == NULL);
    CHECK(command_find("e") == NULL);
    CHECK(command_find("") == NULL);
    CHECK(command_find(NULL) == NULL);
    CHECK(command_find("regs ") == NULL);
    CHECK(command_find("nosuch") == NULL);
    /* Aliases run the same command. */
    CHECK_RUNS("r");
    CHECK_STR_CONTAINS(text, "rip  0x0000000000100030");
    CHECK_RUNS("walk 0x100030");
    CHECK_STR_CONTAINS(text, "=> pa 0x100030");
    /* Every name and alias in the table finds its own command, and no two collide. */
    for (size_t i = 0; i < command_count(); i++) {
        const struct command *c = command_at(i);
        CHECK(c && c->name && c->usage && c->summary && c->help && c->run);
        CHECK(command_find(c->name) == c);
        CHECK(strstr(c->help, "Example:") != NULL);
        char aliases[128];
        snprintf(aliases, sizeof(aliases), "%s", c->aliases ? c->aliases : "");
        for (char *save = NULL, *a = strtok_r(aliases, " ", &save); a;
             a = strtok_r(NULL, " ", &save))
            CHECK(command_find(a) == c);
    }
    CHECK(command_at(command_count()) == NULL);
}

UNIT_TEST(help)
{
    CHECK_RUNS("help");
    for (size_t i = 0; i < command_count(); i++) {
        /* Each command's name starts a line of its own. */
        char line_start[64];
        snprintf(line_start, sizeof(line_start), "\n%s ", command_at(i)->name);
        CHECK(strncmp(text, line_start + 1, strlen(line_start) - 1) == 0 ||
              strstr(text, line_start) != NULL);
        CHECK_STR_CONTAINS(text, command_at(i)->summary);
    }
    CHECK_STR_CONTAINS(text, "\nregs (r, reg, registers)     all registers: general");
    CHECK_STR_CONTAINS(text, "\npt (walk, page)");
    CHECK_STR_CONTAINS(text, "\nexits (trace, vmexits)");
    CHECK(starts_with(text, "help (h, ?)"));
    /* One column of summaries, however long a name and its aliases are. */
    const char *a = strstr(text, "\nregs (r,"), *b = strstr(text, "\nreverse-continue (rc)");
    CHECK(a && b && strstr(a, "all registers") - a == strstr(b, "run backwards") - b);

    CHECK_RUNS("help pt");
    CHECK(starts_with(text, "usage: pt ADDR\nwalk the page tables for one virtual address\n"));
    CHECK_STR_CONTAINS(text, "aliases: walk, page\n");
    CHECK_STR_CONTAINS(text, "Example:\n  pt $rip\n");
    CHECK_RUNS("help walk");
    CHECK_STR_CONTAINS(text, "usage: pt ADDR");
    CHECK_RUNS("h exits");
    CHECK_STR_CONTAINS(text, "usage: exits [N]");
    CHECK_RUNS("help help");
    CHECK_STR_CONTAINS(text, "usage: help [CMD]");
    CHECK_FAILS("help nosuch", "help: unknown command 'nosuch': try 'help'");
    CHECK_FAILS("help ex", "help: ambiguous command 'ex': exc, exits");
    CHECK_FAILS("help pt regs", "help: too many arguments (usage: help [CMD])");
    /* The watchpoint length the help promises is the one the commands accept. */
    CHECK_RUNS("help watch");
    CHECK_STR_CONTAINS(text, "1\nbyte to 1 MiB");
}

/* ---------------------------------------------------------------- commands */

UNIT_TEST(regs)
{
    CHECK_RUNS("regs");
    CHECK(starts_with(text, "rax  0x0000000000001111  rbx  0x0000000000002222"));
    CHECK_STR_CONTAINS(text, "rsp  0x00000000003fff00");
    CHECK_STR_CONTAINS(text, "r15  0x0000000000000f15  rip  0x0000000000100030\n");
    CHECK_STR_CONTAINS(text, "rflags 0x0000000000000246 [ IF ZF PF ]\n");
    CHECK_STR_CONTAINS(text, "cr0  0x0000000080050033 [ PG AM WP NE ET MP PE ]\n");
    CHECK_STR_CONTAINS(text, "cr4  0x0000000000000220 [ OSFXSR PAE ]\n");
    CHECK_STR_CONTAINS(text, "efer 0x0000000000000d01 [ NXE LMA LME SCE ]\n");
    CHECK_STR_CONTAINS(text, "cr3  0x0000000000020000");
    CHECK_STR_CONTAINS(text, "cs   0x0008");
    CHECK_STR_CONTAINS(text, "gdt  base");
    CHECK_FAILS("regs extra", "regs: takes no arguments (usage: regs)");

    fake.sregs_fail = true;
    CHECK(run("regs") == -1);
    CHECK_STR_CONTAINS(text, "rip  0x0000000000100030"); /* still shown */
    CHECK_STR_CONTAINS(text, "regs: cannot read the system registers\n");
    fake.sregs_fail = false;
    fake.regs_fail = true;
    CHECK_FAILS("regs", "regs: cannot read the general registers");
    fake.regs_fail = false;

    struct command_env bare = {0};
    FILE *devnull = fopen("/dev/null", "w");
    CHECK(devnull);
    CHECK(command_execute(&bare, "regs", devnull) == -1);
    CHECK(command_execute(&bare, "pt 0x1000", devnull) == -1);
    CHECK(command_execute(&bare, "exc", devnull) == 0);
    CHECK(command_execute(&bare, "exits", devnull) == -1);
    CHECK(command_execute(&bare, "pt $rsp", devnull) == -1);
    fclose(devnull);
}

UNIT_TEST(pt)
{
    CHECK_RUNS("pt 0x100030");
    CHECK(starts_with(text, "va 0x100030\n"));
    CHECK_STR_CONTAINS(text, "PML4[  0] @0x20000    = 0x0000000000021003  P RW");
    CHECK_STR_CONTAINS(text, "-> PDPT at 0x21000\n");
    CHECK_STR_CONTAINS(text, "PDPT[  0]");
    CHECK_STR_CONTAINS(text, "PD[  0]");
    CHECK_STR_CONTAINS(text, "PT[256]   @0x23800    = 0x0000000000100001  P");
    CHECK_STR_CONTAINS(text, "=> pa 0x100030 (4 KiB page, r-x, supervisor)\n");

    CHECK_RUNS("pt 0");
    CHECK_STR_CONTAINS(text,
                       "=> fault: not present at PT[0] (a #PF here would have error code P=0)");
    CHECK_RUNS("pt 2097168"); /* decimal 0x200010 */
    CHECK_STR_CONTAINS(text, "=> pa 0x200010 (2 MiB page, rw-, supervisor)");
    CHECK_RUNS("pt 0x200000 + 0x10");
    CHECK_STR_CONTAINS(text, "va 0x200010\n");
    CHECK_RUNS("pt $rip");
    CHECK_STR_CONTAINS(text, "va 0x100030\n");
    CHECK_RUNS("page $rsp-8");
    CHECK_STR_CONTAINS(text, "va 0x3ffef8\n");
    CHECK_RUNS("pt $RIP+0x10");
    CHECK_STR_CONTAINS(text, "va 0x100040\n");
    CHECK_RUNS("pt $cr3");
    CHECK_STR_CONTAINS(text, "va 0x20000\n");
    CHECK_STR_CONTAINS(text, "=> pa 0x20000 (4 KiB page, rw-, supervisor)");
    CHECK_RUNS("pt $fs_base");
    CHECK_STR_CONTAINS(text, "va 0x7000\n");
    CHECK_RUNS("pt 0x0000800000000000");
    CHECK_STR_CONTAINS(text, "=> fault: non-canonical address");
    CHECK_RUNS("pt 0x7fffffffffff");
    CHECK_STR_CONTAINS(text, "=> fault: not present at PML4[255]");

    /* Expression errors, one of each kind (test_expr.c has them all), as one line. */
    CHECK_FAILS("pt", "pt: missing address (usage: pt ADDR)");
    CHECK_FAILS("pt 0x1g", "pt: '0x1g': not a number (usage: pt ADDR)");
    CHECK_FAILS("pt 0x10000000000000000", "'0x10000000000000000': too large for 64 bits");
    CHECK_FAILS("pt 0xffffffffffffffff+1", "0xffffffffffffffff + 0x1 overflows 64 bits");
    CHECK_FAILS("pt $rsp-0x400000", "0x3fff00 - 0x400000 is negative");
    CHECK_FAILS("pt main", "pt: cannot look 'main' up: no symbols loaded");
    CHECK_FAILS("pt $foo", "unknown register '$foo'");
    CHECK_FAILS("pt -8", "'-8': expected a number, a symbol or a $register");
    CHECK_FAILS("pt 0x10 0x20", "unexpected '0x20'");

    fake.regs_fail = true;
    CHECK_FAILS("pt $rsp", "cannot read $rsp: the registers are unavailable");
    fake.regs_fail = false;
    fake.sregs_fail = true;
    CHECK_FAILS("pt 0x1000", "pt: cannot read the control registers");
    CHECK_FAILS("pt $cr3", "cannot read $cr3");
    fake.sregs_fail = false;

    /* No memory reader: the walk says where it stopped, no crash. */
    env.mem.read_phys = NULL;
    CHECK_RUNS("pt 0x1000");
    CHECK_STR_CONTAINS(text, "lies outside guest memory");
    env.mem.read_phys = read_buf;
}

UNIT_TEST(exc)
{
    memset(&exception, 0, sizeof(exception));
    CHECK_RUNS("exc");
    CHECK(strcmp(text, "no exception so far\n") == 0);
    env.exception = NULL;
    CHECK_RUNS("exc");
    CHECK(strcmp(text, "no exception so far\n") == 0);
    env.exception = &exception;

    set_page_fault(0);
    CHECK_RUNS("exc");
    CHECK(starts_with(text, "Page fault (#PF, vector 14) at 0x100040\n"));
    CHECK_STR_CONTAINS(text,
                       "\n  error code 0x2: not-present page, write, supervisor, data access\n");
    CHECK_STR_CONTAINS(text, "\n  faulting address (CR2) 0x0000000000000000: a null pointer "
                             "dereference (page 0 is never mapped)\n");
    CHECK_STR_CONTAINS(text, "\n  reported at VM exit #7\n");
    CHECK_STR_CONTAINS(text, "\nregisters at the fault:\n  rax  0x000000000000aaaa");
    CHECK_STR_CONTAINS(text, "rip  0x0000000000100040\n");
    CHECK_STR_CONTAINS(text, "rsp  0x00000000003ffee0");
    CHECK_STR_CONTAINS(text, "rflags 0x0000000000010046 [ RF ZF PF ]\n");
    CHECK_STR_CONTAINS(text, "  cs   0x0008  ss   0x0010\n");
    CHECK_RUNS("exception");
    CHECK_RUNS("lastexc");

    /* The guard page: a stack overflow, told as such. */
    set_page_fault(layout.stack_guard + 0xff8);
    CHECK_RUNS("exc");
    CHECK(starts_with(text, "stack overflow: Page fault (#PF, vector 14)"));
    CHECK_STR_CONTAINS(text, "ran into its guard page");
    /* Without a layout there is no plain-words reading, but still the decoding. */
    env.layout = NULL;
    CHECK_RUNS("exc");
    CHECK(starts_with(text, "Page fault (#PF, vector 14)"));
    CHECK_STR_CONTAINS(text, "faulting address (CR2) 0x000000000037fff8\n");
    env.layout = &layout;

    /* #GP: a selector error code, no CR2. */
    set_page_fault(0);
    exception.frame.vector = 13;
    exception.frame.error_code = 0x18;
    CHECK_RUNS("exc");
    CHECK(starts_with(text, "General protection fault (#GP, vector 13) at 0x100040\n"));
    CHECK_STR_CONTAINS(text, "error code 0x18: selector 0x18 (GDT index 3)");
    CHECK(strstr(text, "CR2") == NULL);

    memset(&exception, 0, sizeof(exception));
    exception.source = LAST_EXCEPTION_ABORT;
    exception.frame.vector = UKVM_ABORT_VECTOR;
    exception.frame.rip = 0x100863;
    snprintf(exception.message, sizeof(exception.message), "assertion failed: x > 0");
    CHECK_RUNS("exc");
    CHECK(starts_with(text, "guest aborted: assertion failed: x > 0\n  called from 0x100863\n"));
    CHECK_STR_CONTAINS(text, "registers at the call:\n");
    CHECK(strstr(text, "  cs ") == NULL);
    exception.message[0] = '\0';
    CHECK_RUNS("exc");
    CHECK(starts_with(text, "guest aborted: (no message)\n"));

    memset(&exception, 0, sizeof(exception));
    exception.source = LAST_EXCEPTION_VCPU;
    exception.frame.vector = UKVM_ABORT_VECTOR;
    exception.frame.rip = 0x100777;
    exception.exit_seq = 99;
    snprintf(exception.message, sizeof(exception.message), "guest crashed: triple fault");
    CHECK_RUNS("exc");
    CHECK(starts_with(text,
                      "guest crashed: triple fault\n  at 0x100777\n  reported at VM exit #99\n"));
    exception.source = (enum last_exception_source)42;
    CHECK_FAILS("exc", "exc: unknown exception record");

    CHECK_FAILS("exc now", "exc: takes no arguments (usage: exc)");
    set_page_fault(0);
}

UNIT_TEST(exits)
{
    fill_trace(&trace);
    CHECK_RUNS("exits");
    CHECK(starts_with(text, "last 5 of 5 VM exits, newest first:\n#5 "));
    CHECK_STR_CONTAINS(text, "rip=0x100701");
    CHECK_STR_CONTAINS(text, "hypercall HALT\n");
    CHECK_STR_CONTAINS(text, "mmio");
    CHECK_STR_CONTAINS(text, "gpa 0xdead000\n");
    CHECK_STR_CONTAINS(text, "hypercall PUTS\n#1 ");
    CHECK_STR_CONTAINS(text, "VM exits by reason since the start:\n");
    CHECK_STR_CONTAINS(text, "\n  io                        4\n");
    CHECK_STR_CONTAINS(text, "\n  mmio                      1\n");
    CHECK_STR_CONTAINS(text, "\n  total                     5\n");
    CHECK(strstr(text, "  hlt ") == NULL); /* reasons that never happened are left out */

    CHECK_RUNS("exits 2");
    CHECK(starts_with(text, "last 2 of 5 VM exits, newest first:\n#5 "));
    CHECK_STR_CONTAINS(text, "\n#4 ");
    CHECK(strstr(text, "\n#3 ") == NULL);
    CHECK_RUNS("trace 0x1");
    CHECK(starts_with(text, "last 1 of 5"));

    CHECK_FAILS("exits 0", "exits: N: 0 is out of range (1-256) (usage: exits [N])");
    CHECK_FAILS("exits -1", "exits: N: '-1': not a number (negative)");
    CHECK_FAILS("exits 257", "257 is out of range (1-256)");
    CHECK_FAILS("exits 99999999999999999999999999", "too large for 64 bits");
    CHECK_FAILS("exits 18446744073709551615", "out of range");
    CHECK_FAILS("exits ten", "'ten': not a number");
    CHECK_FAILS("exits 1 2", "exits: too many arguments");
    CHECK_FAILS("exits $rsp", "not a number");

    /* A full ring: only the last 256 are kept, and counts cover every exit. */
    memset(&trace, 0, sizeof(trace));
    for (int i = 0; i < 300; i++)
        exit_trace_record(&trace, i % 10 ? VM_EXIT_IO : VM_EXIT_HLT, 0x100000 + i, -1, 0x80);
    CHECK_RUNS("exits 256");
    CHECK(starts_with(text, "last 256 of 300 VM exits, newest first:\n#300 "));
    CHECK_STR_CONTAINS(text, "\n#45 ");
    CHECK(strstr(text, "\n#44 ") == NULL);
    CHECK_STR_CONTAINS(text, "port 0x80");
    CHECK_STR_CONTAINS(text, "\n  io                      270\n");
    CHECK_STR_CONTAINS(text, "\n  hlt                      30\n");
    CHECK_STR_CONTAINS(text, "\n  total                   300\n");

    memset(&trace, 0, sizeof(trace));
    CHECK_RUNS("exits");
    CHECK(strcmp(text, "no VM exits so far\n") == 0);
    env.exits = NULL;
    CHECK_FAILS("exits", "exits: no exit trace is kept here");
    env.exits = &trace;
    fill_trace(&trace);
}

/* The memory, table and symbol commands on the fake guest (no symbols, no GDT/IDT). */
UNIT_TEST(inspection_commands)
{
    /* x/FMT as one word or two, on the text page (RIP) and the RW page below it. */
    uint64_t word = 0x1122334455667788ULL;
    memcpy(mem + 0x5000, &word, sizeof(word));
    CHECK_RUNS("x/xg 0x5000");
    CHECK(strcmp(text, "0x0000000000005000: 0x1122334455667788\n") == 0);
    CHECK_RUNS("x /2xw 0x5000");
    CHECK(strcmp(text, "0x0000000000005000: 0x55667788 0x11223344\n") == 0);
    CHECK_RUNS("x 0x5000");
    CHECK_STR_CONTAINS(text, "0x0000000000005000: 88 77 66 55 44 33 22 11 00");
    CHECK_RUNS("xp/xg 0x20000");
    CHECK(strcmp(text, "0x0000000000020000: 0x0000000000021003\n") == 0);
    CHECK_FAILS("x/xg 0", "x: cannot read 0x0: not present at PT[0]");
    CHECK_FAILS("xp/xg 0x400000", "xp: cannot read physical 0x400000: outside guest memory");
    CHECK_FAILS("x/q 0", "bad format '/q'");
    /* Without symbols, disas shows 10 instructions from rip. */
    CHECK_RUNS("disas");
    CHECK(starts_with(text, "=> 0x0000000000100030:  00 00"));
    /* map: the three ranges the fake tables map. */
    CHECK_RUNS("map");
    CHECK_STR_CONTAINS(text, "0x0000000000001000-0x0000000000100000  rw- supervisor  4 KiB x 255");
    CHECK_STR_CONTAINS(text, "0x0000000000100000-0x0000000000200000  r-x supervisor  4 KiB x 256");
    CHECK_STR_CONTAINS(text, "0x0000000000200000-0x0000000000400000  rw- supervisor  2 MiB x 1");
    CHECK_STR_CONTAINS(text, "3 ranges (cr3 0x20000)\n");
    /* An empty IDT and GDT (the fake sregs have GDTR and IDTR at 0). */
    CHECK_RUNS("idt");
    CHECK_STR_CONTAINS(text, "no gates: any exception now becomes a triple fault");
    CHECK(run("gdt") == -1);
    CHECK_STR_CONTAINS(text, "gdt: cannot read the table at 0x0: not present at PT[0]\n");
    CHECK_RUNS("segs");
    CHECK_STR_CONTAINS(text, "cs   0x0008 (index 1, GDT, rpl 0)");
    CHECK_STR_CONTAINS(text, "GDT[1]: beyond the GDT limit 0x0");
    /* What the fake env does not offer is an error, not a crash. */
    CHECK_FAILS("dr", "dr: cannot read the debug registers");
    CHECK_FAILS("sym 0x100030", "sym: no symbols");
    CHECK_FAILS("list", "list: no symbols");
    CHECK_RUNS("bt");
    CHECK(starts_with(text, "#0  0x0000000000100030"));
    CHECK_RUNS("mem");
    CHECK_STR_CONTAINS(text, "guest memory: 4 MiB (0x400000 bytes)");
    CHECK_STR_CONTAINS(text, "guard page   0x000000000037f000-0x0000000000380000");
    CHECK_STR_CONTAINS(text, "IST stacks   0x0000000000010000-0x000000000001c000");
    CHECK_FAILS("core", "core: not available here");
}

/* "ADDR +N" is an address for disas as for x; a last plain number is the count. */
UNIT_TEST(address_then_count)
{
    CHECK_RUNS("disas 0x100030 +4");
    CHECK(starts_with(text, "   0x0000000000100034:"));
    CHECK_RUNS("disas 0x100030+ 4");
    CHECK(starts_with(text, "   0x0000000000100034:"));
    CHECK_RUNS("disas 0x100030 + 4 2");
    CHECK(starts_with(text, "   0x0000000000100034:"));
    CHECK_RUNS("disas 0x100030 2");
    CHECK(starts_with(text, "=> 0x0000000000100030:"));
    CHECK_FAILS("disas 0x100030 2x", "disas: N: '2x': not a number");
    CHECK_FAILS("disas 0x100030 -x", "disas: 'x': not a number");
}

/* An IDT limit past 256 gates: the CPU reads 256 of them, and so does idt. */
UNIT_TEST(idt_limit_past_256)
{
    fake.idt = (struct vcpu_dtable){.base = 0x6000, .limit = 0xffff};
    CHECK_RUNS("idt");
    CHECK_STR_CONTAINS(text, "limit 0xffff (256 gates)\n");
    CHECK_STR_CONTAINS(text, "    0-255  not present\n");
    CHECK(strstr(text, "4095") == NULL);
    CHECK_RUNS("idt 255"); /* an absent gate is an answer, not an error */
    CHECK_STR_CONTAINS(text, "  255      not present\n");
    fake.idt = (struct vcpu_dtable){0};
}

/* Without env->control (gdb's monitor), control commands name gdb's own command. */
UNIT_TEST(control_refused)
{
    CHECK_FAILS("break 0x100030", "break: not available in gdb's monitor: use gdb's own 'break'");
    CHECK_FAILS("b", "break: not available in gdb's monitor");
    CHECK_FAILS("hbreak 1", "use gdb's own 'hbreak'");
    CHECK_FAILS("watch 1", "use gdb's own 'watch'");
    CHECK_FAILS("rwatch 1", "use gdb's own 'rwatch'");
    CHECK_FAILS("awatch 1", "use gdb's own 'awatch'");
    CHECK_FAILS("delete", "use gdb's own 'delete'");
    CHECK_FAILS("si", "use gdb's own 'stepi'");
    CHECK_FAILS("ni", "use gdb's own 'nexti'");
    CHECK_FAILS("c", "use gdb's own 'continue'");
    CHECK_FAILS("quit", "use gdb's own 'kill' or 'detach'");
}

/* Lines of random bytes (and random words from the commands' vocabulary) never crash. */
UNIT_TEST(garbage)
{
    static const char *const vocab[] = {
        "help",
        "regs",
        "pt",
        "exc",
        "exits",
        "x",
        "x/4xg",
        "x/s",
        "x/3i",
        "xp",
        "disas",
        "map",
        "mem",
        "segs",
        "gdt",
        "idt",
        "dr",
        "sym",
        "list",
        "bt",
        "break",
        "$rsp",
        "$",
        "0x",
        "+",
        "-",
        "'",
        "\"",
        "#",
        "main",
        "0xffffffffffffffff",
        "99999999999999999999",
        "\\",
        "\t",
        "-1",
        "0",
    };
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    FILE *devnull = fopen("/dev/null", "w");
    CHECK(devnull);
    char line[512];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        int words = 1 + (int)(seed % 6);
        for (int w = 0; w < words && len < sizeof(line) - 64; w++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            if (seed & 1) {
                const char *v = vocab[(seed >> 1) % (sizeof(vocab) / sizeof(vocab[0]))];
                len += (size_t)snprintf(line + len, sizeof(line) - len, "%s", v);
            } else {
                int n = (int)((seed >> 8) % 12);
                for (int k = 0; k < n; k++) {
                    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                    line[len++] = (char)(1 + seed % 255);
                }
            }
            if ((seed >> 20) & 1)
                line[len++] = ' ';
        }
        line[len] = '\0';
        int rc = command_execute(&env, line, devnull);
        CHECK(rc == 0 || rc == -1);
    }
    fclose(devnull);
}

/* The unikernel whose symbols the `symbols` test uses. */
static char hello_path[512];

/* With the symbols of a real unikernel (see main for when it is skipped). */
UNIT_TEST(symbols)
{
    char err[256];
    fake.sym = symbolizer_open(hello_path, err, sizeof(err));
    if (!fake.sym)
        UNIT_FAIL("symbolizer_open(%s): %s", hello_path, err);
    uint64_t app_main = 0, console_write = 0;
    CHECK(symbolizer_lookup_name(fake.sym, "solo5_app_main", &app_main) == 0);
    CHECK(symbolizer_lookup_name(fake.sym, "solo5_console_write", &console_write) == 0);

    char expect[64];
    CHECK_RUNS("pt solo5_app_main + 4");
    snprintf(expect, sizeof(expect), "va 0x%" PRIx64 "\n", app_main + 4);
    CHECK_STR_CONTAINS(text, expect);
    CHECK_STR_CONTAINS(text, "(4 KiB page, r-x, supervisor)");
    CHECK_FAILS("pt no_such_symbol_here", "pt: unknown symbol 'no_such_symbol_here'");
    CHECK_FAILS("pt solo5_app_main-0x1000000", "is negative");

    /* exits: each rip named after its function, in a column of its own. */
    memset(&trace, 0, sizeof(trace));
    exit_trace_record(&trace, VM_EXIT_IO, console_write + 0x12, UKVM_HC_PUTS, 0x501);
    exit_trace_record(&trace, VM_EXIT_HLT, 0x10, -1, 0);
    CHECK_RUNS("exits");
    CHECK_STR_CONTAINS(text, "hypercall PUTS");
    CHECK_STR_CONTAINS(text, " solo5_console_write+0x12\n");
    CHECK_STR_CONTAINS(text, "rip=0x10          \n"); /* no function there: nothing added */
    fill_trace(&trace);

    /*
     * exc: the location as function+offset (file:line), after the inlined function
     * holding it if there is one (test_hello's puts is inlined, and where its code starts
     * depends on the compiler's scheduling).
     */
    set_page_fault(0);
    exception.frame.rip = app_main + 1;
    CHECK_RUNS("exc");
    CHECK(starts_with(text, "Page fault (#PF, vector 14) at "));
    CHECK_STR_CONTAINS(text, "solo5_app_main+0x1 (");
    CHECK_STR_CONTAINS(text, ".c:");
    symbolizer_close(fake.sym);
    fake.sym = NULL;
}

int main(void)
{
    build_memory();
    fill_trace(&trace);
    set_page_fault(0);
    UNIT_RUN(empty_lines);
    UNIT_RUN(unknown_and_malformed);
    UNIT_RUN(quotes);
    UNIT_RUN(lookup);
    UNIT_RUN(help);
    UNIT_RUN(regs);
    UNIT_RUN(pt);
    UNIT_RUN(exc);
    UNIT_RUN(exits);
    UNIT_RUN(inspection_commands);
    UNIT_RUN(address_then_count);
    UNIT_RUN(idt_limit_past_256);
    UNIT_RUN(control_refused);
    UNIT_RUN(garbage);

    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    snprintf(hello_path, sizeof(hello_path), "%s/test_hello.ukvm", build);
    FILE *probe = fopen(hello_path, "r");
    if (probe) {
        fclose(probe);
        UNIT_RUN(symbols);
        symbolizer_close(fake.sym); /* when the test failed half-way */
        fake.sym = NULL;
    } else {
        printf("SKIP symbols: %s is not built (make tests builds it)\n", hello_path);
    }
    free(text);
    free(mem);
    return UNIT_EXIT_STATUS();
}
