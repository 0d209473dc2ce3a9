/*
 * test_symbolize.c: symbol and line look-ups and backtraces with libdw, against a tiny
 * x86-64 ELF compiled by gcc at test time, with synthetic stacks built in a buffer.
 *
 * The fixture keeps frame pointers and is built at -O0, so every function starts
 * "push %rbp; mov %rsp,%rbp" and its CFI says CFA = rbp + 16 from there on: a stack
 * made of {saved rbp, return address} pairs is then what both the CFI unwinder and
 * the frame-pointer walk expect. Return addresses are the real ones, found by looking
 * for each call instruction in the fixture's code.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ukvm/inspect/symbolize.h"
#include "unit.h"

static const char fixture_src[] = "volatile int sink;\n"                            /* 1 */
                                  "int table[4] = {1, 2, 3, 4};\n"                  /* 2 */
                                  "__attribute__((noinline)) int leaf(int x) {\n"   /* 3 */
                                  "    sink = x;\n"                                 /* 4 */
                                  "    return x + 1;\n"                             /* 5 */
                                  "}\n"                                             /* 6 */
                                  "__attribute__((noinline)) int middle(int x) {\n" /* 7 */
                                  "    return leaf(x) * 2;\n"                       /* 8 */
                                  "}\n"                                             /* 9 */
                                  "__attribute__((noinline)) int outer(int x) {\n"  /* 10 */
                                  "    return middle(x) + 3;\n"                     /* 11 */
                                  "}\n"                                             /* 12 */
                                  "void _start(void) {\n"                           /* 13 */
                                  "    sink = outer(1);\n"                          /* 14 */
                                  "    for (;;)\n"                                  /* 15 */
                                  "        ;\n"                                     /* 16 */
                                  "}\n"                                             /* 17 */
                                  "__attribute__((noreturn)) void die(void) { for (;;) ; }\n"
                                  "__attribute__((noinline)) void ends_in_call(void) { die(); }\n"
                                  "void after(void) {}\n"; /* 18-20 */

#define FIXTURE_FLAGS                                                        \
    "-O0 -falign-functions=16 -fno-omit-frame-pointer -fno-stack-protector " \
    "-fcf-protection=none -fno-pie -no-pie -static -nostdlib -Wl,--build-id=none"

static char tmpdir[64];
static char elf_path[128];   /* -g, and CFI in .eh_frame */
static char nocfi_path[128]; /* no debug info, no unwind tables: symbols only */
static struct symbolizer *sym;
static uint64_t addr_leaf, addr_middle, addr_outer, addr_start;
static uint64_t ret_in_middle, ret_in_outer, ret_in_start; /* after each call */

/* ------------------------------------------------------------ fixture build */

static int run(const char *cmd)
{
    int st = system(cmd);
    return (st == -1 || !WIFEXITED(st)) ? -1 : WEXITSTATUS(st);
}

static int build_fixture(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ukvm-symtest-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char src[128], cmd[512];
    snprintf(src, sizeof(src), "%s/fixture.c", tmpdir);
    FILE *f = fopen(src, "w");
    if (!f)
        return -1;
    fputs(fixture_src, f);
    fclose(f);
    snprintf(elf_path, sizeof(elf_path), "%s/fixture.elf", tmpdir);
    snprintf(nocfi_path, sizeof(nocfi_path), "%s/nocfi.elf", tmpdir);
    snprintf(cmd, sizeof(cmd), "gcc -g " FIXTURE_FLAGS " -o %s %s", elf_path, src);
    if (run(cmd) != 0)
        return -1;
    snprintf(cmd, sizeof(cmd),
             "gcc -g0 -fno-asynchronous-unwind-tables -fno-unwind-tables " FIXTURE_FLAGS
             " -o %s %s",
             nocfi_path, src);
    return run(cmd) == 0 ? 0 : -1;
}

static void remove_fixture(void)
{
    char cmd[128];
    if (tmpdir[0] && strncmp(tmpdir, "/tmp/ukvm-symtest-", 18) == 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        (void)run(cmd);
    }
}

/*
 * Reads up to len bytes of the fixture's loaded image at virtual address va, as many
 * as its segment holds; returns the count, or -1.
 */
static ssize_t read_image(const char *path, uint64_t va, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    size_t n = 0;
    ssize_t ret = -1;
    if (e && elf_getphdrnum(e, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && va >= ph.p_vaddr &&
                va < ph.p_vaddr + ph.p_filesz) {
                size_t room = ph.p_vaddr + ph.p_filesz - va;
                ret =
                    pread(fd, buf, len < room ? len : room, (off_t)(ph.p_offset + va - ph.p_vaddr));
                break;
            }
        }
    }
    if (e)
        elf_end(e);
    close(fd);
    return ret;
}

/* The return address of the first "call rel32" from caller to callee, 0 if none. */
static uint64_t find_return_address(uint64_t caller, uint64_t callee)
{
    uint8_t code[64];
    ssize_t n = read_image(elf_path, caller, code, sizeof(code));
    for (ssize_t i = 0; i + 5 <= n; i++) {
        int32_t rel;
        memcpy(&rel, code + i + 1, 4);
        if (code[i] == 0xe8 && caller + i + 5 + (int64_t)rel == callee)
            return caller + i + 5;
    }
    return 0;
}

/* ------------------------------------------------------------ synthetic stack */

#define STACK_BASE 0x7f0000ULL
#define STACK_SIZE 0x10000ULL
static uint8_t stack[STACK_SIZE];

static int read_stack(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    (void)ctx;
    if (gpa < STACK_BASE || gpa - STACK_BASE > STACK_SIZE || len > STACK_SIZE - (gpa - STACK_BASE))
        return -1;
    memcpy(buf, stack + (gpa - STACK_BASE), len);
    return 0;
}

static const struct guest_access stack_access = {.read_phys = read_stack};

static void put64(uint64_t addr, uint64_t value)
{
    memcpy(stack + (addr - STACK_BASE), &value, 8);
}

/*
 * The stack of _start -> outer -> middle -> leaf, stopped inside leaf:
 * each frame is {saved rbp, return address} at its rbp; _start's saved rbp and return
 * address are 0, as at a thread's first frame.
 */
#define RBP_LEAF   (STACK_BASE + 0x100)
#define RBP_MIDDLE (STACK_BASE + 0x200)
#define RBP_OUTER  (STACK_BASE + 0x300)
#define RBP_START  (STACK_BASE + 0x400)

static void build_stack(struct vcpu_regs *regs)
{
    memset(stack, 0, sizeof(stack));
    put64(RBP_LEAF, RBP_MIDDLE);
    put64(RBP_LEAF + 8, ret_in_middle);
    put64(RBP_MIDDLE, RBP_OUTER);
    put64(RBP_MIDDLE + 8, ret_in_outer);
    put64(RBP_OUTER, RBP_START);
    put64(RBP_OUTER + 8, ret_in_start);
    put64(RBP_START, 0);
    put64(RBP_START + 8, 0);
    memset(regs, 0, sizeof(*regs));
    regs->rip = addr_leaf + 8; /* after the prologue: push, mov, and into the body */
    regs->rbp = RBP_LEAF;
    regs->rsp = RBP_LEAF - 0x10;
}

/* ------------------------------------------------------------ tests */

UNIT_TEST(open_and_symbols)
{
    char err[256] = "";
    sym = symbolizer_open(elf_path, err, sizeof(err));
    if (!sym)
        UNIT_FAIL("symbolizer_open: %s", err);
    CHECK(symbolizer_lookup_name(sym, "leaf", &addr_leaf) == 0);
    CHECK(symbolizer_lookup_name(sym, "middle", &addr_middle) == 0);
    CHECK(symbolizer_lookup_name(sym, "outer", &addr_outer) == 0);
    CHECK(symbolizer_lookup_name(sym, "_start", &addr_start) == 0);
    uint64_t a;
    CHECK(symbolizer_lookup_name(sym, "table", &a) == 0); /* an object */
    CHECK(a != 0);
    CHECK(symbolizer_lookup_name(sym, "no_such_symbol", &a) == -1);
    CHECK(symbolizer_lookup_name(sym, "", &a) == -1);
    CHECK(symbolizer_lookup_name(NULL, "leaf", &a) == -1);

    /* _start is the entry point the linker wrote into the ELF header. */
    Elf64_Ehdr eh;
    int fd = open(elf_path, O_RDONLY);
    CHECK(fd >= 0 && pread(fd, &eh, sizeof(eh), 0) == sizeof(eh));
    close(fd);
    CHECK_EQ_U64(addr_start, eh.e_entry);

    ret_in_middle = find_return_address(addr_middle, addr_leaf);
    ret_in_outer = find_return_address(addr_outer, addr_middle);
    ret_in_start = find_return_address(addr_start, addr_outer);
    CHECK(ret_in_middle && ret_in_outer && ret_in_start);
}

UNIT_TEST(lookup)
{
    struct symbol_info si;
    CHECK(symbolizer_lookup(sym, addr_leaf, &si) == 0);
    CHECK(si.function && strcmp(si.function, "leaf") == 0);
    CHECK_EQ_U64(si.offset, 0);
    CHECK_STR_CONTAINS(si.file, "fixture.c");
    CHECK(si.line == 3);

    CHECK(symbolizer_lookup(sym, ret_in_middle - 1, &si) == 0);
    CHECK(strcmp(si.function, "middle") == 0);
    CHECK_EQ_U64(si.offset, ret_in_middle - 1 - addr_middle);
    CHECK(si.line == 8);

    CHECK(symbolizer_lookup(sym, ret_in_start - 1, &si) == 0);
    CHECK(strcmp(si.function, "_start") == 0);
    CHECK(si.line == 14);

    /* Outside the image. */
    CHECK(symbolizer_lookup(sym, 0x10, &si) == -1);
    CHECK(si.function == NULL && si.file == NULL && si.line == 0);
    CHECK(symbolizer_lookup(NULL, addr_leaf, &si) == -1);
}

UNIT_TEST(format)
{
    char buf[128];
    symbolizer_format(sym, addr_outer, buf, sizeof(buf));
    CHECK(strcmp(buf, "outer+0x0 (fixture.c:10)") == 0);
    symbolizer_format(sym, ret_in_outer - 1, buf, sizeof(buf));
    char want[64];
    snprintf(want, sizeof(want), "outer+0x%" PRIx64 " (fixture.c:11)",
             ret_in_outer - 1 - addr_outer);
    CHECK(strcmp(buf, want) == 0);
    CHECK(strcmp(symbolizer_format(sym, 0x1234, buf, sizeof(buf)), "0x1234 (no symbol)") == 0);
    CHECK(strcmp(symbolizer_format(NULL, 0x1234, buf, sizeof(buf)), "0x1234 (no symbol)") == 0);
    char small[6];
    CHECK(strcmp(symbolizer_format(sym, addr_outer, small, sizeof(small)), "outer") == 0);
}

UNIT_TEST(format_after_noreturn_call)
{
    /*
     * ends_in_call ends with "call die", so its return address lies in the alignment
     * padding after it, in no function. A pc handed over as that address (solo5_abort's
     * call site) is still named after the call.
     */
    uint64_t ends, die;
    CHECK(symbolizer_lookup_name(sym, "ends_in_call", &ends) == 0);
    CHECK(symbolizer_lookup_name(sym, "die", &die) == 0);
    uint64_t ret = find_return_address(ends, die);
    CHECK(ret != 0);
    struct symbol_info si;
    CHECK(symbolizer_lookup(sym, ret, &si) == -1); /* the fixture really has the gap */
    char buf[128], want[64];
    snprintf(want, sizeof(want), "ends_in_call+0x%" PRIx64 " (fixture.c:19)", ret - ends);
    CHECK(strcmp(symbolizer_format(sym, ret, buf, sizeof(buf)), want) == 0);
}

UNIT_TEST(no_debug_info)
{
    char err[256] = "";
    struct symbolizer *s = symbolizer_open(nocfi_path, err, sizeof(err));
    if (!s)
        UNIT_FAIL("symbolizer_open: %s", err);
    uint64_t a;
    CHECK(symbolizer_lookup_name(s, "middle", &a) == 0);
    struct symbol_info si;
    CHECK(symbolizer_lookup(s, a + 3, &si) == 0);
    CHECK(strcmp(si.function, "middle") == 0 && si.offset == 3);
    CHECK(si.file == NULL && si.line == 0);
    char buf[64];
    CHECK(strcmp(symbolizer_format(s, a + 3, buf, sizeof(buf)), "middle+0x3") == 0);
    struct inline_frame chain[4];
    CHECK(symbolizer_inline_chain(s, a + 3, chain, 4) == 0); /* no DWARF: no chain */
    symbolizer_close(s);
}

/*
 * Code that nothing was inlined into has no chain (test_inline and
 * tests/scripts/inline_frames.sh check real chains against gdb), nor has a NULL
 * symbolizer, an address outside every function, or room for fewer than two entries.
 */
UNIT_TEST(inline_chain_none)
{
    struct inline_frame chain[4];
    CHECK(symbolizer_inline_chain(sym, addr_leaf, chain, 4) == 0);
    CHECK(symbolizer_inline_chain(sym, ret_in_middle - 1, chain, 4) == 0);
    CHECK(symbolizer_inline_chain(sym, 0x10, chain, 4) == 0);
    CHECK(symbolizer_inline_chain(NULL, addr_leaf, chain, 4) == 0);
    CHECK(symbolizer_inline_chain(sym, addr_leaf, chain, 1) == 0);
}

/* Checks the _start -> outer -> middle -> leaf chain; the caller returns on failure. */
static void check_chain(const struct backtrace_frame *f, int n)
{
    if (n != 4)
        UNIT_FAIL("%d frames, expected 4", n);
    CHECK_EQ_U64(f[0].pc, addr_leaf + 8);
    CHECK_EQ_U64(f[1].pc, ret_in_middle);
    CHECK_EQ_U64(f[2].pc, ret_in_outer);
    CHECK_EQ_U64(f[3].pc, ret_in_start);
    CHECK_EQ_U64(f[0].cfa, RBP_LEAF + 16);
    CHECK_EQ_U64(f[1].cfa, RBP_MIDDLE + 16);
    CHECK_EQ_U64(f[2].cfa, RBP_OUTER + 16);
}

UNIT_TEST(backtrace_cfi)
{
    struct vcpu_regs regs;
    build_stack(&regs);
    struct backtrace_frame f[16];
    int n = symbolizer_backtrace(sym, &regs, &stack_access, f, 16);
    check_chain(f, n);
    if (unit_current_failed)
        return;
    CHECK(f[1].via_fp == 0 && f[3].via_fp == 0); /* elfutils and CFI did it */

    /* max is honoured. */
    CHECK(symbolizer_backtrace(sym, &regs, &stack_access, f, 2) == 2);
    CHECK_EQ_U64(f[1].pc, ret_in_middle);
    CHECK(symbolizer_backtrace(sym, &regs, &stack_access, f, 1) == 1);
    CHECK(symbolizer_backtrace(sym, &regs, &stack_access, f, 0) == 0);
}

UNIT_TEST(backtrace_frame_pointers)
{
    struct vcpu_regs regs;
    build_stack(&regs);
    struct backtrace_frame f[16];
    /* Without a symbolizer only the rbp chain is there to follow. */
    int n = symbolizer_backtrace(NULL, &regs, &stack_access, f, 16);
    check_chain(f, n);
    if (unit_current_failed)
        return;
    CHECK(f[1].via_fp == 1 && f[3].via_fp == 1);

    /* An ELF without CFI: elfutils or the fallback, the chain is the same. */
    struct symbolizer *s = symbolizer_open(nocfi_path, NULL, 0);
    CHECK(s);
    n = symbolizer_backtrace(s, &regs, &stack_access, f, 16);
    symbolizer_close(s);
    check_chain(f, n);
    if (unit_current_failed)
        return;
}

UNIT_TEST(backtrace_call_through_null)
{
    /* middle called a NULL function pointer: rip 0, return address on top of the stack. */
    struct vcpu_regs regs;
    build_stack(&regs);
    regs.rip = 0;
    regs.rbp = RBP_MIDDLE;
    regs.rsp = RBP_MIDDLE - 0x18;
    put64(regs.rsp, ret_in_middle);
    struct backtrace_frame f[16];
    int n = symbolizer_backtrace(sym, &regs, &stack_access, f, 16);
    if (n != 4)
        UNIT_FAIL("%d frames, expected 4", n);
    CHECK_EQ_U64(f[0].pc, 0);
    CHECK_EQ_U64(f[1].pc, ret_in_middle);
    CHECK_EQ_U64(f[2].pc, ret_in_outer);
    CHECK_EQ_U64(f[3].pc, ret_in_start);
}

UNIT_TEST(backtrace_hostile_stacks)
{
    struct vcpu_regs regs;
    struct backtrace_frame f[64];

    /* Unreadable stack: only frame 0. */
    build_stack(&regs);
    regs.rsp = regs.rbp = 0xdead0000;
    CHECK(symbolizer_backtrace(sym, &regs, &stack_access, f, 64) == 1);
    CHECK_EQ_U64(f[0].pc, addr_leaf + 8);
    CHECK(symbolizer_backtrace(NULL, &regs, &stack_access, f, 64) == 1);
    /* No memory reader at all. */
    build_stack(&regs);
    CHECK(symbolizer_backtrace(sym, &regs, NULL, f, 64) == 1);

    /* A frame that links to itself must not loop. */
    build_stack(&regs);
    put64(RBP_MIDDLE, RBP_MIDDLE);
    int n = symbolizer_backtrace(sym, &regs, &stack_access, f, 64);
    CHECK(n >= 1 && n <= 3);
    n = symbolizer_backtrace(NULL, &regs, &stack_access, f, 64);
    CHECK(n >= 1 && n <= 3);

    /* A chain that goes down the stack, and one that runs off its end. */
    build_stack(&regs);
    put64(RBP_MIDDLE, RBP_LEAF);
    n = symbolizer_backtrace(sym, &regs, &stack_access, f, 64);
    CHECK(n >= 1 && n <= 3);
    build_stack(&regs);
    put64(RBP_OUTER, STACK_BASE + STACK_SIZE - 8); /* its return address is unreadable */
    n = symbolizer_backtrace(NULL, &regs, &stack_access, f, 64);
    CHECK(n == 4);

    /* Garbage everywhere: random words, random registers. */
    srand(1);
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < STACK_SIZE; i += 4)
            put64(STACK_BASE + i - (i % 8), (uint64_t)rand() << 32 | (uint64_t)rand());
        regs.rip = (round & 1) ? addr_leaf + (uint64_t)(rand() % 64) : (uint64_t)rand();
        regs.rsp = STACK_BASE + (uint64_t)(rand() % STACK_SIZE);
        regs.rbp = (round & 2) ? STACK_BASE + (uint64_t)(rand() % STACK_SIZE) : (uint64_t)rand();
        n = symbolizer_backtrace(sym, &regs, &stack_access, f, 64);
        CHECK(n >= 1 && n <= 64);
    }
}

UNIT_TEST(print_backtrace)
{
    struct vcpu_regs regs;
    build_stack(&regs);
    struct backtrace_frame f[8];
    int n = symbolizer_backtrace(sym, &regs, &stack_access, f, 8);
    f[n++] = (struct backtrace_frame){.pc = 0x1234};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    CHECK(out);
    symbolizer_print_backtrace(out, sym, f, n, 2, 0);
    fclose(out);
    char want[128];
    snprintf(want, sizeof(want), "  #0  0x%016" PRIx64 " in leaf+0x8 (fixture.c:", addr_leaf + 8);
    CHECK_STR_CONTAINS(text, want);
    /* Callers name the line of the call, and show the return address's offset. */
    snprintf(want, sizeof(want), "  #1  0x%016" PRIx64 " in middle+0x%" PRIx64 " (fixture.c:8)\n",
             ret_in_middle, ret_in_middle - addr_middle);
    CHECK_STR_CONTAINS(text, want);
    CHECK_STR_CONTAINS(text, "in outer+0x");
    CHECK_STR_CONTAINS(text, "(fixture.c:11)\n");
    CHECK_STR_CONTAINS(text, "(fixture.c:14)\n");
    CHECK_STR_CONTAINS(text, "  #4  0x0000000000001234 in ??\n");
    free(text);
}

/* Writes the first len bytes of the fixture (or given bytes) to a file in tmpdir. */
static void write_file(const char *name, const void *data, size_t len, char *path, size_t plen)
{
    snprintf(path, plen, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

UNIT_TEST(hostile_files)
{
    char path[192], err[256];
    struct symbolizer *s;

    write_file("text.txt", "hello, not an ELF\n", 18, path, sizeof(path));
    err[0] = '\0';
    CHECK((s = symbolizer_open(path, err, sizeof(err))) == NULL);
    CHECK_STR_CONTAINS(err, "not an ELF");

    write_file("empty", "", 0, path, sizeof(path));
    CHECK(symbolizer_open(path, err, sizeof(err)) == NULL);
    CHECK(err[0] != '\0');

    CHECK(symbolizer_open("/nonexistent/ukvm/kernel", err, sizeof(err)) == NULL);
    CHECK_STR_CONTAINS(err, "No such file");
    CHECK(symbolizer_open(tmpdir, err, sizeof(err)) == NULL);
    CHECK(symbolizer_open(NULL, err, sizeof(err)) == NULL);
    CHECK(symbolizer_open(path, NULL, 0) == NULL); /* no room for the reason: fine */

    size_t len;
    uint8_t *image = slurp(elf_path, &len);
    CHECK(image && len > 4096);
    size_t cuts[] = {4, 63, 64, 200, len / 4, len / 2, len - 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        write_file("truncated.elf", image, cuts[i], path, sizeof(path));
        err[0] = '\0';
        s = symbolizer_open(path, err, sizeof(err));
        if (s) {
            symbolizer_close(s);
            free(image);
            UNIT_FAIL("a copy truncated to %zu of %zu bytes opened", cuts[i], len);
        }
        CHECK(err[0] != '\0');
    }

    /* A relocatable object is not a unikernel. */
    Elf64_Ehdr eh;
    memcpy(&eh, image, sizeof(eh));
    eh.e_type = ET_REL;
    memcpy(image, &eh, sizeof(eh));
    write_file("rel.elf", image, len, path, sizeof(path));
    CHECK(symbolizer_open(path, err, sizeof(err)) == NULL);
    CHECK_STR_CONTAINS(err, "ET_EXEC");
    eh.e_type = ET_EXEC;
    eh.e_machine = 3; /* EM_386 */
    memcpy(image, &eh, sizeof(eh));
    write_file("i386.elf", image, len, path, sizeof(path));
    CHECK(symbolizer_open(path, err, sizeof(err)) == NULL);
    CHECK_STR_CONTAINS(err, "x86-64");
    free(image);
    symbolizer_close(NULL);
}

UNIT_TEST(corrupted_files)
{
    /*
     * Flip bytes all over a copy of the fixture. Each copy must either be refused
     * or answer look-ups and backtraces without crashing; which one is not checked.
     */
    size_t len;
    uint8_t *orig = slurp(elf_path, &len);
    CHECK(orig);
    uint8_t *image = malloc(len);
    CHECK(image);
    struct vcpu_regs regs;
    build_stack(&regs);
    srand(7);
    for (int round = 0; round < 60; round++) {
        memcpy(image, orig, len);
        for (int k = 0; k < 16; k++) {
            /* Mostly past the ELF header, so that most copies get as far as libdw. */
            size_t at = 64 + (size_t)rand() % (len - 64);
            image[at] = (uint8_t)rand();
        }
        char path[192];
        write_file("corrupt.elf", image, len, path, sizeof(path));
        struct symbolizer *s = symbolizer_open(path, NULL, 0);
        if (!s)
            continue;
        struct symbol_info si;
        char buf[128];
        uint64_t a;
        (void)symbolizer_lookup(s, addr_leaf + 4, &si);
        (void)symbolizer_format(s, ret_in_middle, buf, sizeof(buf));
        (void)symbolizer_lookup_name(s, "outer", &a);
        struct backtrace_frame f[16];
        int n = symbolizer_backtrace(s, &regs, &stack_access, f, 16);
        CHECK(n >= 1 && n <= 16);
        /* Printing looks every frame's inline chain up in the (corrupted) DWARF. */
        FILE *sink = fopen("/dev/null", "w");
        CHECK(sink);
        symbolizer_print_backtrace(sink, s, f, n, 0, 0);
        fclose(sink);
        symbolizer_close(s);
    }
    free(image);
    free(orig);
}

int main(void)
{
    if (run("gcc --version >/dev/null 2>&1") != 0) {
        printf("FAIL test_symbolize: gcc not found (needed to build the test ELF)\n");
        return 1;
    }
    if (build_fixture() != 0) {
        printf("FAIL test_symbolize: could not build the fixture ELF in %s\n", tmpdir);
        remove_fixture();
        return 1;
    }
    UNIT_RUN(open_and_symbols);
    if (!sym) {
        remove_fixture();
        return 1;
    }
    UNIT_RUN(lookup);
    UNIT_RUN(format);
    UNIT_RUN(format_after_noreturn_call);
    UNIT_RUN(no_debug_info);
    UNIT_RUN(inline_chain_none);
    UNIT_RUN(backtrace_cfi);
    UNIT_RUN(backtrace_frame_pointers);
    UNIT_RUN(backtrace_call_through_null);
    UNIT_RUN(backtrace_hostile_stacks);
    UNIT_RUN(print_backtrace);
    UNIT_RUN(hostile_files);
    UNIT_RUN(corrupted_files);
    symbolizer_close(sym);
    remove_fixture();
    return UNIT_EXIT_STATUS();
}
