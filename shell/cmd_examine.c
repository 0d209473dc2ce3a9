/*
 * cmd_examine.c: memory contents: `x` (virtual addresses, through the guest's page
 * tables), `xp` (physical addresses), `disas` (instructions, with Capstone).
 *
 * The format follows gdb's x command: x/NFU ADDR, with N a count, F one of x (hex),
 * d (signed decimal), u (unsigned decimal), c (characters), s (strings), i
 * (instructions), and U the unit: b (byte), h (2 bytes), w (4), g (8). Bochs' spelling
 * `x /NFU ADDR` works too.
 */
#include "command.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_util.h"
#include "expr.h"
#include "ukvm/inspect/symbolize.h"

#define EXAMINE_MAX_BYTES  65536 /* one x command reads at most this much */
#define EXAMINE_MAX_ITEMS  1024  /* strings or instructions */
#define STRING_MAX         256   /* a string longer than this is shown in pieces */
#define DISAS_DEFAULT      10    /* instructions when no function is known */
#define DISAS_FUNCTION_MAX 2000  /* instructions of one function at most */

struct format {
    uint64_t count;
    char letter;   /* x d u c s i */
    unsigned unit; /* bytes: 1 2 4 8 */
    bool dump;     /* no format given: a hex and ASCII dump of 64 bytes */
};

/* Parses "/NFU" (after the slash); returns 0, or -1 with a reason in err. */
static int parse_format(const char *text, struct format *f, char *err, size_t errlen)
{
    *f = (struct format){.count = 1, .letter = 'x', .unit = 8};
    const char *p = text;
    if (isdigit((unsigned char)*p)) {
        char *end;
        unsigned long long n = strtoull(p, &end, 10);
        if (n == 0 || n > EXAMINE_MAX_BYTES) {
            snprintf(err, errlen, "count in '/%.20s' must be 1 to %d", text, EXAMINE_MAX_BYTES);
            return -1;
        }
        f->count = n;
        p = end;
    }
    bool have_letter = false, have_unit = false;
    for (; *p; p++) {
        if (strchr("xducsi", *p) && !have_letter) {
            f->letter = *p;
            have_letter = true;
        } else if (strchr("bhwg", *p) && !have_unit) {
            f->unit = *p == 'b' ? 1 : *p == 'h' ? 2 : *p == 'w' ? 4 : 8;
            have_unit = true;
        } else {
            snprintf(err, errlen, "bad format '/%.20s': give /NFU with F in xducsi and U in bhwg",
                     text);
            return -1;
        }
    }
    if (f->letter == 'c')
        f->unit = 1;
    if ((f->letter == 's' || f->letter == 'i') && f->count > EXAMINE_MAX_ITEMS) {
        snprintf(err, errlen, "at most %d strings or instructions at once", EXAMINE_MAX_ITEMS);
        return -1;
    }
    if (f->letter != 's' && f->letter != 'i' && f->count * f->unit > EXAMINE_MAX_BYTES) {
        snprintf(err, errlen, "at most %d bytes at once", EXAMINE_MAX_BYTES);
        return -1;
    }
    return 0;
}

static long read_mem(const struct command_env *env, bool phys, uint64_t addr, void *buf, size_t len)
{
    return phys ? cmd_read_phys(env, addr, buf, len) : cmd_read_virt(env, addr, buf, len);
}

/* The error for an unreadable address, one line, returning -1. */
static int unreadable(FILE *out, const struct command *cmd, const struct command_env *env,
                      bool phys, uint64_t addr)
{
    char why[160];
    if (phys)
        return command_error(out, cmd, "cannot read physical 0x%" PRIx64 ": outside guest memory",
                             addr);
    return command_error(out, cmd, "cannot read 0x%" PRIx64 ": %s", addr,
                         cmd_unmapped_reason(env, addr, why, sizeof(why)));
}

static void print_line_start(FILE *out, const struct command_env *env, bool phys, uint64_t addr)
{
    char where[160];
    fprintf(out, "0x%016" PRIx64, addr);
    if (!phys && cmd_symbol_at(env, addr, where, sizeof(where))[0])
        fprintf(out, " <%s>", where);
    fprintf(out, ":");
}

static void print_value(FILE *out, const uint8_t *p, const struct format *f)
{
    uint64_t v = 0;
    memcpy(&v, p, f->unit);
    int width = (int)f->unit * 2;
    switch (f->letter) {
    case 'd': {
        int64_t sv = f->unit == 1   ? (int8_t)v
                     : f->unit == 2 ? (int16_t)v
                     : f->unit == 4 ? (int32_t)v
                                    : (int64_t)v;
        fprintf(out, " %*" PRId64, width + 1, sv);
        break;
    }
    case 'u':
        fprintf(out, " %*" PRIu64, width + 1, v);
        break;
    case 'c':
        if (isprint((int)v))
            fprintf(out, " '%c'", (int)v);
        else
            fprintf(out, " \\x%02x", (unsigned)v);
        break;
    default:
        fprintf(out, " 0x%0*" PRIx64, width, v);
    }
}

/* Values, a fixed number per line; byte dumps get an ASCII column. */
static void print_values(FILE *out, const struct command_env *env, bool phys, uint64_t addr,
                         const uint8_t *data, size_t len, const struct format *f)
{
    size_t per_line = f->letter == 'c' ? 8 : f->unit == 1 ? (f->dump ? 16 : 8) : 16 / f->unit;
    if (f->letter == 'd' || f->letter == 'u')
        per_line = f->unit == 8 ? 2 : 4;
    for (size_t off = 0; off < len; off += per_line * f->unit) {
        print_line_start(out, env, phys, addr + off);
        size_t n = 0;
        for (; n < per_line && off + n * f->unit + f->unit <= len; n++) {
            if (f->dump)
                fprintf(out, " %02x", data[off + n]);
            else
                print_value(out, data + off + n * f->unit, f);
        }
        if (f->dump) {
            fprintf(out, "%*s  |", (int)(per_line - n) * 3, "");
            for (size_t i = 0; i < n; i++)
                fputc(isprint(data[off + i]) ? data[off + i] : '.', out);
            fputc('|', out);
        }
        fputc('\n', out);
    }
}

/* Strings: each up to its NUL, escaped, shown in pieces of STRING_MAX bytes at most. */
static int print_strings(FILE *out, const struct command *cmd, const struct command_env *env,
                         bool phys, uint64_t addr, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        uint8_t buf[STRING_MAX];
        long n = read_mem(env, phys, addr, buf, sizeof(buf));
        if (n <= 0)
            return unreadable(out, cmd, env, phys, addr);
        print_line_start(out, env, phys, addr);
        fprintf(out, " \"");
        long len = 0;
        while (len < n && buf[len]) {
            uint8_t c = buf[len++];
            if (c == '"' || c == '\\')
                fprintf(out, "\\%c", c);
            else if (c == '\n')
                fprintf(out, "\\n");
            else if (isprint(c))
                fputc(c, out);
            else
                fprintf(out, "\\x%02x", c);
        }
        bool ended = len < n;
        fprintf(out, "\"%s\n", ended ? "" : "...");
        if (!ended && n < (long)sizeof(buf)) {
            /* Memory ran out before the NUL. */
            return unreadable(out, cmd, env, phys, addr + (uint64_t)n);
        }
        addr += (uint64_t)len + (ended ? 1 : 0);
    }
    return 0;
}

static int print_insns(FILE *out, const struct command *cmd, const struct command_env *env,
                       bool phys, uint64_t addr, uint64_t count, uint64_t mark)
{
    char err[128];
    struct disasm *d = disasm_open(err, sizeof(err));
    if (!d)
        return command_error(out, cmd, "no disassembler: %s", err);
    int rc = 0;
    for (uint64_t i = 0; i < count; i++) {
        unsigned len = cmd_print_insn(out, env, d, addr, phys, addr == mark);
        if (len == 0) {
            uint8_t probe;
            if (read_mem(env, phys, addr, &probe, 1) != 1)
                rc = unreadable(out, cmd, env, phys, addr);
            break;
        }
        addr += len;
    }
    disasm_close(d);
    return rc;
}

static int examine(const struct command *cmd, const struct command_env *env, bool phys, int argc,
                   char **argv, FILE *out)
{
    struct format f = {.count = 64, .letter = 'x', .unit = 1, .dump = true};
    char err[160];
    int first = 1;
    if (argc > 1 && argv[1][0] == '/') {
        if (parse_format(argv[1] + 1, &f, err, sizeof(err)) != 0)
            return command_usage_error(out, cmd, "%s", err);
        first = 2;
    }
    if (argc <= first)
        return command_usage_error(out, cmd, "missing address");
    uint64_t addr;
    if (expr_eval_words(env, argc - first, argv + first, &addr, err, sizeof(err)) != 0)
        return command_usage_error(out, cmd, "%s", err);
    if (f.letter == 's')
        return print_strings(out, cmd, env, phys, addr, f.count);
    if (f.letter == 'i')
        return print_insns(out, cmd, env, phys, addr, f.count, UINT64_MAX);

    size_t len = (size_t)(f.count * f.unit);
    uint8_t *data = malloc(len);
    if (!data)
        return command_error(out, cmd, "out of memory");
    long n = read_mem(env, phys, addr, data, len);
    int rc = 0;
    if (n > 0)
        print_values(out, env, phys, addr, data, (size_t)n - (size_t)n % f.unit, &f);
    if (n < (long)len)
        rc = unreadable(out, cmd, env, phys, n > 0 ? addr + (uint64_t)n : addr);
    free(data);
    return rc;
}

static int run_x(const struct command_env *env, int argc, char **argv, FILE *out)
{
    return examine(&cmd_x, env, false, argc, argv, out);
}

static int run_xp(const struct command_env *env, int argc, char **argv, FILE *out)
{
    return examine(&cmd_xp, env, true, argc, argv, out);
}

#define FORMAT_HELP                                                                          \
    "FMT is /NFU as in gdb: N a count; F x (hex, the default), d, u (decimal), c (chars),\n" \
    "s (NUL-terminated strings), i (instructions); U b, h, w, g (1, 2, 4, 8 bytes; g is\n"   \
    "the default). Without FMT: 64 bytes as hex and ASCII. 'x /FMT ADDR' works too.\n"       \
    "ADDR is a number, a symbol or a $register, with an optional + or - of a number.\n"

const struct command cmd_x = {
    .name = "x",
    .usage = "x[/FMT] ADDR",
    .summary = "examine memory at a virtual address: bytes, words, strings, instructions",
    .help =
        "Reads guest memory at the virtual address ADDR through the guest's own page\n"
        "tables and shows it in the format FMT; each line starts with its address and\n"
        "the symbol it lies in. Bytes under breakpoints show as the program has them.\n" FORMAT_HELP
        "Example:\n"
        "  x/2xg shell_words\n"
        "  0x0000000000103010 <shell_words+0x0>: 0x1122334455667788 0x00000000cafef00d\n"
        "  x/s shell_string\n"
        "  0x0000000000103000 <shell_string+0x0>: \"hello, shell\"\n",
    .run = run_x,
};

const struct command cmd_xp = {
    .name = "xp",
    .usage = "xp[/FMT] ADDR",
    .summary = "examine memory at a physical address (as x)",
    .help = "Like x, but ADDR is a guest-physical address: no page tables are involved,\n"
            "so it reads page tables themselves, or memory no mapping reaches. It shows\n"
            "memory exactly as it is (a software breakpoint shows as its int3, 0xcc).\n" FORMAT_HELP
            "Example:\n"
            "  xp/4xg $cr3\n"
            "  0x0000000000020000: 0x0000000000021023 0x0000000000000000\n"
            "  0x0000000000020010: 0x0000000000000000 0x0000000000000000\n",
    .run = run_xp,
};

/* ---------------------------------------------------------------- disas */

static int run_disas(const struct command_env *env, int argc, char **argv, FILE *out)
{
    char err[160];
    struct vcpu_regs regs;
    bool have_rip = cmd_get_regs(env, &regs) == 0;
    uint64_t rip = have_rip ? regs.rip : UINT64_MAX;
    uint64_t addr, count = 0;
    int nwords;
    /* A last word that is a plain number after an address is the count: disas leaf 5. */
    if (cmd_split_count(argc, argv, 1, EXAMINE_MAX_ITEMS, &count, &nwords, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_disas, "N: %s", err);
    if (nwords == 0) {
        if (!have_rip)
            return command_error(out, &cmd_disas, "cannot read rip");
        addr = rip;
    } else if (expr_eval_words(env, nwords, argv + 1, &addr, err, sizeof(err)) != 0) {
        return command_usage_error(out, &cmd_disas, "%s", err);
    }
    if (count)
        return print_insns(out, &cmd_disas, env, false, addr, count, rip);

    /* No count: the whole function around addr, as gdb's disassemble does. */
    uint64_t start, size;
    struct symbolizer *sym = command_symbols(env);
    if (symbolizer_symbol_range(sym, addr, &start, &size) != 0 || !symbolizer_is_code(sym, addr))
        return print_insns(out, &cmd_disas, env, false, addr, DISAS_DEFAULT, rip);
    struct symbol_info info;
    symbolizer_lookup(sym, start, &info);
    fprintf(out, "%s: 0x%" PRIx64 "-0x%" PRIx64 "\n", info.function ? info.function : "?", start,
            start + size);
    struct disasm *d = disasm_open(err, sizeof(err));
    if (!d)
        return command_error(out, &cmd_disas, "no disassembler: %s", err);
    uint64_t at = start;
    for (int i = 0; at < start + size && i < DISAS_FUNCTION_MAX; i++) {
        unsigned len = cmd_print_insn(out, env, d, at, false, at == rip);
        if (len == 0)
            break;
        at += len;
    }
    disasm_close(d);
    return 0;
}

const struct command cmd_disas = {
    .name = "disas",
    .aliases = "u disassemble",
    .usage = "disas [ADDR [N]]",
    .summary = "disassemble: a whole function, or N instructions",
    .help =
        "Without N, disassembles the whole function that holds ADDR (default: $rip), as\n"
        "gdb's disassemble does; with N, N instructions from ADDR. Each line has the\n"
        "address, the symbol, the bytes and the instruction (AT&T syntax); '=>' marks\n"
        "rip. Outside any function, shows 10 instructions from ADDR.\n"
        "Example:\n"
        "  disas leaf\n"
        "  leaf: 0x100030-0x100047\n"
        "  => 0x0000000000100030 <leaf+0x0>:  48 8b 05 c9 7f 00 00     movq 0x7fc9(%rip), %rax\n"
        "     0x0000000000100037 <leaf+0x7>:  48 83 c0 01              addq $1, %rax\n"
        "     ...\n",
    .run = run_disas,
};
