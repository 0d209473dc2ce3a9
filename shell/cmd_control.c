/*
 * cmd_control.c: commands that run or change the guest, through env->control: `break`,
 * `hbreak`, `watch`, `rwatch`, `awatch`, `delete`, `stepi`, `nexti`, `continue`, `quit`.
 *
 * They need a front end that controls the guest (the shell). In gdb's monitor
 * env->control is NULL and command_execute refuses them, naming gdb's own command:
 * there gdb runs the guest and keeps the breakpoint list, and a breakpoint set behind
 * its back would stop the guest for reasons gdb cannot explain.
 */
#include "command.h"

#include <inttypes.h>
#include <string.h>

#include "cmd_util.h"
#include "expr.h"
#include "ukvm/inspect/symbolize.h"

#define STEP_MAX          1000000   /* stepi N, nexti N */
#define WATCH_LEN_MAX     (1 << 20) /* bytes one watchpoint may cover */
#define WATCH_LEN_DEFAULT 8

static const char *kind_name(enum command_break_kind kind)
{
    switch (kind) {
    case COMMAND_BREAK_SW:
        return "break";
    case COMMAND_BREAK_HW:
        return "hbreak";
    case COMMAND_WATCH_WRITE:
        return "watch";
    case COMMAND_WATCH_READ:
        return "rwatch";
    case COMMAND_WATCH_ACCESS:
        return "awatch";
    }
    return "?";
}

static bool is_watch(enum command_break_kind kind)
{
    return kind >= COMMAND_WATCH_WRITE;
}

/* The guest's current stop; -1 after an error when it has ended. */
static int need_live_guest(FILE *out, const struct command *cmd, const struct command_env *env,
                           struct command_stop *stop)
{
    env->control->stop_status(env->control->ctx, stop);
    if (stop->kind == COMMAND_STOP_EXITED)
        return command_error(out, cmd, "the guest has ended (status %d)", stop->exit_status);
    return 0;
}

static void print_where(FILE *out, const struct command_env *env, uint64_t addr)
{
    char where[256];
    if (cmd_symbol_location(env, addr, where, sizeof(where))[0])
        fprintf(out, " in %s", where);
}

static void list_breakpoints(FILE *out, const struct command_env *env)
{
    const struct command_control *c = env->control;
    if (c->nbps == 0) {
        fprintf(out, "no breakpoints or watchpoints\n");
        return;
    }
    fprintf(out, "Num  Type    Address             Len  Where\n");
    for (size_t i = 0; i < c->nbps; i++) {
        const struct command_breakpoint *b = &c->bps[i];
        fprintf(out, "%-4u %-7s 0x%016" PRIx64 " %4" PRIu64 " ", b->id, kind_name(b->kind), b->addr,
                b->len);
        print_where(out, env, b->addr);
        fputc('\n', out);
    }
}

/* Inserts a breakpoint or watchpoint and numbers it. */
static int add_breakpoint(FILE *out, const struct command *cmd, const struct command_env *env,
                          enum command_break_kind kind, uint64_t addr, uint64_t len)
{
    struct command_control *c = env->control;
    struct command_stop stop;
    if (need_live_guest(out, cmd, env, &stop) != 0)
        return -1;
    for (size_t i = 0; i < c->nbps; i++)
        if (c->bps[i].kind == kind && c->bps[i].addr == addr && c->bps[i].len == len)
            return command_error(out, cmd, "%u is already a %s at 0x%" PRIx64, c->bps[i].id,
                                 kind_name(kind), addr);
    if (c->nbps == COMMAND_BREAKPOINTS_MAX)
        return command_error(out, cmd, "too many breakpoints and watchpoints (at most %d)",
                             COMMAND_BREAKPOINTS_MAX);
    char err[200] = "";
    if (c->insert(c->ctx, kind, addr, len, err, sizeof(err)) != 0)
        return command_error(out, cmd, "cannot set it at 0x%" PRIx64 ": %s", addr,
                             err[0] ? err : "refused");
    struct command_breakpoint *b = &c->bps[c->nbps++];
    *b = (struct command_breakpoint){.id = ++c->last_id, .kind = kind, .addr = addr, .len = len};
    fprintf(out, "%s %u at 0x%016" PRIx64,
            kind == COMMAND_BREAK_SW   ? "breakpoint"
            : kind == COMMAND_BREAK_HW ? "hardware breakpoint"
                                       : "watchpoint",
            b->id, addr);
    if (is_watch(kind))
        fprintf(out, " (%s, %" PRIu64 " bytes)",
                kind == COMMAND_WATCH_WRITE  ? "writes"
                : kind == COMMAND_WATCH_READ ? "reads"
                                             : "reads and writes",
                len);
    print_where(out, env, addr);
    fputc('\n', out);
    return 0;
}

static int run_break_kind(const struct command *cmd, enum command_break_kind kind,
                          const struct command_env *env, int argc, char **argv, FILE *out)
{
    if (argc == 1) {
        if (kind != COMMAND_BREAK_SW)
            return command_usage_error(out, cmd, "missing address");
        list_breakpoints(out, env);
        return 0;
    }
    uint64_t addr;
    char err[160];
    if (expr_eval_words(env, argc - 1, argv + 1, &addr, err, sizeof(err)) != 0)
        return command_usage_error(out, cmd, "%s", err);
    return add_breakpoint(out, cmd, env, kind, addr, 1);
}

static int run_break(const struct command_env *env, int argc, char **argv, FILE *out)
{
    return run_break_kind(&cmd_break, COMMAND_BREAK_SW, env, argc, argv, out);
}

static int run_hbreak(const struct command_env *env, int argc, char **argv, FILE *out)
{
    return run_break_kind(&cmd_hbreak, COMMAND_BREAK_HW, env, argc, argv, out);
}

const struct command cmd_break = {
    .name = "break",
    .aliases = "b br",
    .usage = "break [ADDR]",
    .summary = "set a software breakpoint; without ADDR, list breakpoints and watchpoints",
    .help = "Sets a software breakpoint (an int3 written into the guest's code, any number\n"
            "of them) at ADDR, a number, symbol or $register with an optional + or -\n"
            "offset. Without ADDR, lists every breakpoint and watchpoint with its number,\n"
            "for 'delete'.\n"
            "Example:\n"
            "  break leaf\n"
            "  breakpoint 1 at 0x0000000000100030 in leaf+0x0 (test_shell.c:38)\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "break",
    .run = run_break,
};

const struct command cmd_hbreak = {
    .name = "hbreak",
    .aliases = "hb",
    .usage = "hbreak ADDR",
    .summary = "set a hardware breakpoint (one of four debug registers)",
    .help = "Sets a hardware execution breakpoint at ADDR with one of the four debug\n"
            "registers: nothing is written into guest memory, so it also works on code that\n"
            "is still being written or checksummed.\n"
            "Example:\n"
            "  hbreak middle\n"
            "  hardware breakpoint 2 at 0x0000000000100050 in middle+0x0 (test_shell.c:43)\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "hbreak",
    .run = run_hbreak,
};

/* ---------------------------------------------------------------- watchpoints */

static int run_watch_kind(const struct command *cmd, enum command_break_kind kind,
                          const struct command_env *env, int argc, char **argv, FILE *out)
{
    if (argc < 2)
        return command_usage_error(out, cmd, "missing address");
    char err[160];
    uint64_t len = 0, addr;
    int nwords;
    /* A last plain number after the address is the length: watch counter 8. */
    if (cmd_split_count(argc, argv, 1, WATCH_LEN_MAX, &len, &nwords, err, sizeof(err)) != 0)
        return command_usage_error(out, cmd, "LEN: %s", err);
    if (expr_eval_words(env, nwords, argv + 1, &addr, err, sizeof(err)) != 0)
        return command_usage_error(out, cmd, "%s", err);
    if (len == 0) {
        /* The whole object when ADDR is where one starts, as gdb watches a variable. */
        uint64_t start, size;
        struct symbolizer *sym = command_symbols(env);
        len = WATCH_LEN_DEFAULT;
        if (symbolizer_symbol_range(sym, addr, &start, &size) == 0 && start == addr &&
            !symbolizer_is_code(sym, addr) && size <= WATCH_LEN_MAX)
            len = size;
    }
    return add_breakpoint(out, cmd, env, kind, addr, len);
}

static int run_watch(const struct command_env *env, int argc, char **argv, FILE *out)
{
    return run_watch_kind(&cmd_watch, COMMAND_WATCH_WRITE, env, argc, argv, out);
}

static int run_rwatch(const struct command_env *env, int argc, char **argv, FILE *out)
{
    return run_watch_kind(&cmd_rwatch, COMMAND_WATCH_READ, env, argc, argv, out);
}

static int run_awatch(const struct command_env *env, int argc, char **argv, FILE *out)
{
    return run_watch_kind(&cmd_awatch, COMMAND_WATCH_ACCESS, env, argc, argv, out);
}

#define WATCH_HELP                                                                       \
    "ADDR is a number, symbol or $register (with an optional + or - offset); LEN is 1\n" \
    "byte to 1 MiB, by default the size of the variable that starts at ADDR, else 8.\n"  \
    "The guest stops after the instruction that made the access, rip past it.\n"

const struct command cmd_watch = {
    .name = "watch",
    .usage = "watch ADDR [LEN]",
    .summary = "stop when the guest writes to memory",
    .help = "Sets a write watchpoint on LEN bytes at ADDR.\n" WATCH_HELP "Example:\n"
            "  watch shell_counter\n"
            "  watchpoint 3 at 0x0000000000108000 (writes, 8 bytes) in shell_counter+0x0\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "watch",
    .run = run_watch,
};

const struct command cmd_rwatch = {
    .name = "rwatch",
    .usage = "rwatch ADDR [LEN]",
    .summary = "stop when the guest reads memory",
    .help = "Sets a read watchpoint on LEN bytes at ADDR.\n" WATCH_HELP "Example:\n"
            "  rwatch shell_words 8\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "rwatch",
    .run = run_rwatch,
};

const struct command cmd_awatch = {
    .name = "awatch",
    .usage = "awatch ADDR [LEN]",
    .summary = "stop when the guest reads or writes memory",
    .help =
        "Sets an access (read or write) watchpoint on LEN bytes at ADDR.\n" WATCH_HELP "Example:\n"
        "  awatch shell_counter\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "awatch",
    .run = run_awatch,
};

/* ---------------------------------------------------------------- delete */

static void remove_at(struct command_control *c, size_t i)
{
    c->remove(c->ctx, c->bps[i].kind, c->bps[i].addr, c->bps[i].len);
    memmove(&c->bps[i], &c->bps[i + 1], (c->nbps - i - 1) * sizeof(c->bps[0]));
    c->nbps--;
}

static int run_delete(const struct command_env *env, int argc, char **argv, FILE *out)
{
    struct command_control *c = env->control;
    if (argc == 1) {
        size_t n = c->nbps;
        while (c->nbps)
            remove_at(c, c->nbps - 1);
        fprintf(out, "deleted %zu breakpoint%s and watchpoint%s\n", n, n == 1 ? "" : "s",
                n == 1 ? "" : "s");
        return 0;
    }
    int rc = 0;
    for (int a = 1; a < argc; a++) {
        uint64_t id;
        char err[160];
        if (expr_parse_count(argv[a], 1, UINT32_MAX, &id, err, sizeof(err)) != 0) {
            rc = command_usage_error(out, &cmd_delete, "%s", err);
            continue;
        }
        size_t i = 0;
        while (i < c->nbps && c->bps[i].id != id)
            i++;
        if (i == c->nbps) {
            rc = command_error(out, &cmd_delete, "no breakpoint or watchpoint %" PRIu64, id);
            continue;
        }
        fprintf(out, "deleted %s %" PRIu64 "\n", kind_name(c->bps[i].kind), id);
        remove_at(c, i);
    }
    return rc;
}

const struct command cmd_delete = {
    .name = "delete",
    .aliases = "d del",
    .usage = "delete [N...]",
    .summary = "delete breakpoints and watchpoints by number, or all of them",
    .help = "Deletes the breakpoints and watchpoints numbered N (as 'break' lists them);\n"
            "without N, deletes them all.\n"
            "Example:\n"
            "  delete 1\n"
            "  deleted break 1\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "delete",
    .run = run_delete,
};

/* ---------------------------------------------------------------- running */

/* Reports a stop after resuming from before; a crash's end says where its report went. */
static void report(FILE *out, const struct command_env *env, const struct command_stop *before,
                   const struct command_stop *stop)
{
    if (cmd_stop_is_fatal(before->kind) && stop->kind == COMMAND_STOP_EXITED && !stop->signal)
        fprintf(out,
                "the guest ended as it would have without the shell (crash report on "
                "stderr), status %d\n",
                stop->exit_status);
    else
        cmd_print_stop(out, env, stop);
}

/* A step count from argv[1], default 1. */
static int step_count(FILE *out, const struct command *cmd, int argc, char **argv, uint64_t *n)
{
    char err[160];
    *n = 1;
    if (argc > 2)
        return command_usage_error(out, cmd, "too many arguments");
    if (argc == 2 && expr_parse_count(argv[1], 1, STEP_MAX, n, err, sizeof(err)) != 0)
        return command_usage_error(out, cmd, "N: %s", err);
    return 0;
}

static int run_stepi(const struct command_env *env, int argc, char **argv, FILE *out)
{
    struct command_control *c = env->control;
    struct command_stop before, stop;
    uint64_t n;
    if (step_count(out, &cmd_stepi, argc, argv, &n) != 0 ||
        need_live_guest(out, &cmd_stepi, env, &before) != 0)
        return -1;
    int rc = 0;
    stop = before;
    for (uint64_t i = 0; i < n; i++) {
        rc = c->resume(c->ctx, true, &stop);
        if (rc != 0 || stop.kind != COMMAND_STOP_STEP)
            break;
    }
    report(out, env, &before, &stop);
    return rc;
}

const struct command cmd_stepi = {
    .name = "stepi",
    .aliases = "si",
    .usage = "stepi [N]",
    .summary = "execute one instruction (or N), stepping into calls",
    .help = "Executes one machine instruction (N of them), then shows where the guest is\n"
            "and the next instruction. A breakpoint, fault or the guest's end stops early.\n"
            "Example:\n"
            "  stepi\n"
            "  0x0000000000100037 in leaf+0x7 (test_shell.c:38)\n"
            "  => 0x0000000000100037 <leaf+0x7>:  48 83 c0 01              addq $1, %rax\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "stepi",
    .run = run_stepi,
};

/* Is there a breakpoint of the user's, of either kind, at addr? */
static bool user_breakpoint_at(const struct command_control *c, uint64_t addr)
{
    for (size_t i = 0; i < c->nbps; i++)
        if (!is_watch(c->bps[i].kind) && c->bps[i].addr == addr)
            return true;
    return false;
}

/*
 * One nexti: a call runs to the instruction after it (a temporary breakpoint there,
 * taken only once the stack is back where it was, so a recursive call does not end it
 * early); anything else is one step.
 */
static int next_one(const struct command_env *env, struct command_stop *stop)
{
    struct command_control *c = env->control;
    struct vcpu_regs regs;
    uint8_t code[DISASM_INSN_MAX];
    char err[160];
    if (cmd_get_regs(env, &regs) != 0)
        return c->resume(c->ctx, true, stop);
    struct disasm_insn insn;
    struct disasm *d = disasm_open(err, sizeof(err));
    long n = cmd_read_virt(env, regs.rip, code, sizeof(code));
    bool call = d && n > 0 && disasm_one(d, code, (size_t)n, regs.rip, &insn) == 0 && insn.is_call;
    disasm_close(d);
    if (!call)
        return c->resume(c->ctx, true, stop);
    uint64_t ret = regs.rip + insn.len, rsp = regs.rsp;
    bool temp = !user_breakpoint_at(c, ret);
    if (temp && c->insert(c->ctx, COMMAND_BREAK_SW, ret, 1, err, sizeof(err)) != 0)
        return c->resume(c->ctx, true, stop); /* cannot: step into the call instead */
    int rc;
    for (;;) {
        rc = c->resume(c->ctx, false, stop);
        if (rc != 0 || stop->kind != COMMAND_STOP_BREAK || cmd_get_regs(env, &regs) != 0 ||
            regs.rip != ret)
            break;
        if (regs.rsp >= rsp) {
            if (temp)
                stop->kind = COMMAND_STOP_STEP; /* ours: the call returned */
            break;
        }
    }
    if (temp && stop->kind != COMMAND_STOP_EXITED)
        c->remove(c->ctx, COMMAND_BREAK_SW, ret, 1);
    return rc;
}

static int run_nexti(const struct command_env *env, int argc, char **argv, FILE *out)
{
    struct command_stop before, stop;
    uint64_t n;
    if (step_count(out, &cmd_nexti, argc, argv, &n) != 0 ||
        need_live_guest(out, &cmd_nexti, env, &before) != 0)
        return -1;
    int rc = 0;
    stop = before;
    for (uint64_t i = 0; i < n; i++) {
        rc = next_one(env, &stop);
        if (rc != 0 || stop.kind != COMMAND_STOP_STEP)
            break;
    }
    report(out, env, &before, &stop);
    return rc;
}

const struct command cmd_nexti = {
    .name = "nexti",
    .aliases = "ni",
    .usage = "nexti [N]",
    .summary = "execute one instruction (or N), stepping over calls",
    .help = "Like stepi, but a call instruction runs until the call returns (to the\n"
            "instruction after it, with the stack back where it was), unless a breakpoint,\n"
            "watchpoint or fault stops the guest inside the call first.\n"
            "Example:\n"
            "  nexti\n"
            "  0x0000000000100079 in top+0x9 (test_shell.c:50)\n"
            "  => 0x0000000000100079 <top+0x9>:  5d                       popq %rbp\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "nexti",
    .run = run_nexti,
};

static int run_continue(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    struct command_control *c = env->control;
    struct command_stop before, stop;
    if (argc > 1)
        return command_usage_error(out, &cmd_continue, "takes no arguments");
    if (need_live_guest(out, &cmd_continue, env, &before) != 0)
        return -1;
    int rc = c->resume(c->ctx, false, &stop);
    report(out, env, &before, &stop);
    return rc;
}

const struct command cmd_continue = {
    .name = "continue",
    .aliases = "c cont",
    .usage = "continue",
    .summary = "run the guest until a breakpoint, watchpoint, fault, Ctrl-C or its end",
    .help =
        "Lets the guest run. It stops at a breakpoint or watchpoint, at a fatal\n"
        "exception (in the faulting context, for a post-mortem), on Ctrl-C, or when it\n"
        "exits. Continuing from a fault ends the guest as it would have ended without\n"
        "the shell: crash report, status 255.\n"
        "Example:\n"
        "  continue\n"
        "  breakpoint 1, 0x0000000000100030 in leaf+0x0 (test_shell.c:38)\n"
        "  => 0x0000000000100030 <leaf+0x0>:  48 8b 05 c9 7f 00 00     movq 0x7fc9(%rip), %rax\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "continue",
    .run = run_continue,
};

static int run_quit(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_quit, "takes no arguments");
    env->control->quit(env->control->ctx);
    return 0;
}

const struct command cmd_quit = {
    .name = "quit",
    .aliases = "q",
    .usage = "quit",
    .summary = "end the session; a guest still alive is killed",
    .help = "Ends the shell (as Ctrl-D or the end of piped input does). A guest that is\n"
            "still alive is killed (status 137); one stopped at a fault ends as without\n"
            "the shell (status 255). See docs/shell.md for the exit status of a session.\n"
            "Example:\n"
            "  quit\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "kill' or 'detach",
    .run = run_quit,
};
