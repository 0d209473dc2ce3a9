/*
 * cmd_symbols.c: symbols and source: `sym` (address to function+offset and file:line,
 * symbol to address), `list` (source lines around an address), `bt` (backtrace).
 */
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_util.h"
#include "expr.h"
#include "ukvm/inspect/pagewalk.h"
#include "ukvm/inspect/symbolize.h"

#define LIST_CONTEXT 5  /* lines shown before and after */
#define BT_DEFAULT   64 /* frames */
#define BT_MAX       256

static struct symbolizer *need_symbols(FILE *out, const struct command *cmd,
                                       const struct command_env *env)
{
    struct symbolizer *sym = command_symbols(env);
    if (!sym)
        command_error(out, cmd, "no symbols: the kernel's ELF has none or cannot be read");
    return sym;
}

static int run_sym(const struct command_env *env, int argc, char **argv, FILE *out)
{
    if (argc < 2)
        return command_usage_error(out, &cmd_sym, "missing address or symbol");
    struct symbolizer *sym = need_symbols(out, &cmd_sym, env);
    if (!sym)
        return -1;
    uint64_t addr;
    char err[160];
    if (expr_eval_words(env, argc - 1, argv + 1, &addr, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_sym, "%s", err);
    struct symbol_info info;
    fprintf(out, "0x%016" PRIx64, addr);
    if (symbolizer_lookup(sym, addr, &info) != 0) {
        fprintf(out, "  no symbol\n");
        return 0;
    }
    fprintf(out, "  %s+0x%" PRIx64, info.function, info.offset);
    uint64_t start, size;
    if (symbolizer_symbol_range(sym, addr, &start, &size) == 0)
        fprintf(out, " (%s 0x%" PRIx64 "-0x%" PRIx64 ", %" PRIu64 " bytes)",
                symbolizer_is_code(sym, start) ? "code" : "data", start, start + size, size);
    if (info.file && info.line > 0)
        fprintf(out, "  %s:%d", info.file, info.line);
    fputc('\n', out);
    return 0;
}

const struct command cmd_sym = {
    .name = "sym",
    .aliases = "symbol addr2line",
    .usage = "sym ADDR|SYMBOL",
    .summary = "address to function+offset and file:line; symbol to address",
    .help = "Looks ADDR up in the kernel's symbols: the address, the symbol that holds it\n"
            "with the offset into it, the symbol's extent, and the source file and line.\n"
            "Given a symbol name, shows where it is.\n"
            "Example:\n"
            "  sym leaf\n"
            "  0x0000000000100030  leaf+0x0 (code 0x100030-0x100047, 23 bytes)  "
            "tests/test_shell/test_shell.c:38\n",
    .run = run_sym,
};

/* ---------------------------------------------------------------- list */

static int run_list(const struct command_env *env, int argc, char **argv, FILE *out)
{
    struct symbolizer *sym = need_symbols(out, &cmd_list, env);
    if (!sym)
        return -1;
    uint64_t addr;
    char err[160];
    if (argc == 1) {
        struct vcpu_regs regs;
        if (cmd_get_regs(env, &regs) != 0)
            return command_error(out, &cmd_list, "cannot read rip");
        addr = regs.rip;
    } else if (expr_eval_words(env, argc - 1, argv + 1, &addr, err, sizeof(err)) != 0) {
        return command_usage_error(out, &cmd_list, "%s", err);
    }
    struct symbol_info info;
    if (symbolizer_lookup(sym, addr, &info) != 0 || !info.file || info.line <= 0)
        return command_error(out, &cmd_list, "no source line is known for 0x%" PRIx64, addr);
    /* The path comes from the ELF: never block on a FIFO or read a device. */
    int fd = open(info.file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return command_error(out, &cmd_list, "%s:%d: the source file is not at hand (%s)",
                             info.file, info.line, strerror(errno));
    FILE *src = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fdopen(fd, "r") : NULL;
    if (!src) {
        close(fd);
        return command_error(out, &cmd_list, "%s:%d: not a regular file", info.file, info.line);
    }
    fprintf(out, "%s:%d (%s+0x%" PRIx64 "):\n", info.file, info.line, info.function, info.offset);
    int first = info.line > LIST_CONTEXT ? info.line - LIST_CONTEXT : 1;
    int last = info.line + LIST_CONTEXT;
    char line[512];
    int lineno = 1, shown = 0;
    bool at_line_start = true;
    while (lineno <= last && fgets(line, sizeof(line), src)) {
        bool complete = strchr(line, '\n') != NULL;
        if (lineno >= first) {
            if (at_line_start) {
                fprintf(out, "%s%5d  ", lineno == info.line ? "=>" : "  ", lineno);
                shown++;
            }
            fputs(line, out);
            if (!complete && feof(src))
                fputc('\n', out);
        }
        at_line_start = complete;
        if (complete)
            lineno++;
    }
    fclose(src);
    if (shown == 0)
        return command_error(out, &cmd_list,
                             "%s has fewer than %d lines: is it the file the "
                             "kernel was built from?",
                             info.file, info.line);
    return 0;
}

const struct command cmd_list = {
    .name = "list",
    .aliases = "l src",
    .usage = "list [ADDR]",
    .summary = "source lines around an address (default: rip)",
    .help = "Finds the source file and line of ADDR (default: $rip) in the debug info and\n"
            "shows the lines around it, '=>' marking that line. The file is read from the\n"
            "path the debug info gives (relative paths from the current directory); when\n"
            "it is not there, says so.\n"
            "Example:\n"
            "  list leaf\n"
            "  tests/test_shell/test_shell.c:38 (leaf+0x0):\n"
            "       36  NOIPA int leaf(int x)\n"
            "       37  {\n"
            "  =>   38      shell_counter++;\n",
    .run = run_list,
};

/* ---------------------------------------------------------------- bt */

static int run_bt(const struct command_env *env, int argc, char **argv, FILE *out)
{
    uint64_t max = BT_DEFAULT;
    char err[160];
    if (argc > 2)
        return command_usage_error(out, &cmd_bt, "too many arguments");
    if (argc == 2 && expr_parse_count(argv[1], 1, BT_MAX, &max, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_bt, "N: %s", err);
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    if (cmd_get_regs(env, &regs) != 0 || cmd_get_sregs(env, &sregs) != 0)
        return command_error(out, &cmd_bt, "cannot read the registers");
    struct symbolizer *sym = command_symbols(env);
    struct guest_virt_access virt;
    const struct guest_access *mem =
        env->mem.read_phys
            ? guest_virt_access_init(&virt, &env->mem, sregs.cr0, sregs.cr3, sregs.cr4, sregs.efer)
            : NULL;
    struct backtrace_frame frames[BT_MAX];
    int n = symbolizer_backtrace(sym, &regs, mem, frames, (int)max);
    symbolizer_print_backtrace(out, sym, frames, n, 0, (int)max);
    return 0;
}

const struct command cmd_bt = {
    .name = "bt",
    .aliases = "backtrace where",
    .usage = "bt [N]",
    .summary = "backtrace of the stopped vCPU (N frames, default 64)",
    .help = "Unwinds the guest's stack from the current registers (DWARF call-frame\n"
            "information, frame pointers as the fallback) and prints one frame per line:\n"
            "number, pc, function+offset and file:line. After a fault the vCPU is in the\n"
            "faulting context, so frame #0 is the faulting instruction. Code the compiler\n"
            "inlined shows as frames of its own, as in gdb: the inlined function with the\n"
            "pc and its line, then each function it was inlined into, without the pc it\n"
            "shares, with the line of the inlined call. N counts these frames too.\n"
            "Example:\n"
            "  bt\n"
            "  #0  0x0000000000100030 in leaf+0x0 (test_shell.c:38)\n"
            "  #1  0x000000000010005e in middle+0xe (test_shell.c:44)\n",
    .run = run_bt,
};
