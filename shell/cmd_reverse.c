/*
 * cmd_reverse.c: going backwards in a recorded run (ukvm --record): `reverse-stepi`,
 * `reverse-continue`, and `record`, which says where the guest is in the record.
 */
#include <stdio.h>

#include "cmd_util.h"
#include "command.h"
#include "expr.h"

#define REVERSE_STEP_MAX 1000000 /* reverse-stepi N */

/* The shell's control, when it can go backwards; else an error naming --record. */
static int need_record(FILE *out, const struct command *cmd, const struct command_env *env,
                       struct command_stop *now)
{
    if (!env->control->reverse)
        return command_error(out, cmd,
                             "the run is not recorded: start ukvm with --record to go backwards");
    env->control->stop_status(env->control->ctx, now);
    if (now->kind == COMMAND_STOP_EXITED)
        return command_error(out, cmd, "the guest has ended, and its history with it");
    return 0;
}

/* Prints where the guest went, or why it could not. */
static int report(FILE *out, const struct command *cmd, const struct command_env *env, int rc,
                  struct command_stop *stop)
{
    if (rc != 0)
        return command_error(out, cmd, "%s", stop->message[0] ? stop->message : "failed");
    stop->backwards = true;
    cmd_print_stop(out, env, stop);
    return 0;
}

static int run_reverse_stepi(const struct command_env *env, int argc, char **argv, FILE *out)
{
    struct command_control *c = env->control;
    struct command_stop stop;
    uint64_t n = 1;
    char err[160];
    if (argc > 2)
        return command_usage_error(out, &cmd_reverse_stepi, "too many arguments");
    if (argc == 2 && expr_parse_count(argv[1], 1, REVERSE_STEP_MAX, &n, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_reverse_stepi, "N: %s", err);
    if (need_record(out, &cmd_reverse_stepi, env, &stop) != 0)
        return -1;
    int rc = 0;
    for (uint64_t i = 0; i < n; i++) {
        rc = c->reverse(c->ctx, true, &stop);
        if (rc != 0 || stop.kind != COMMAND_STOP_STEP)
            break;
    }
    return report(out, &cmd_reverse_stepi, env, rc, &stop);
}

const struct command cmd_reverse_stepi = {
    .name = "reverse-stepi",
    .aliases = "rsi",
    .usage = "reverse-stepi [N]",
    .summary = "go back one instruction (or N) in a recorded run",
    .help = "In a run recorded with ukvm --record, goes back to where the guest was one\n"
            "instruction (N instructions) earlier, and shows it as stepi does. At the start\n"
            "of the record it stops there and says so.\n"
            "Example:\n"
            "  reverse-stepi\n"
            "  0x0000000000100030 in leaf+0x0 (test_shell.c:38)\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "reverse-stepi",
    .run = run_reverse_stepi,
};

static int run_reverse_continue(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    struct command_control *c = env->control;
    struct command_stop stop;
    if (argc > 1)
        return command_usage_error(out, &cmd_reverse_continue, "takes no arguments");
    if (need_record(out, &cmd_reverse_continue, env, &stop) != 0)
        return -1;
    int rc = c->reverse(c->ctx, false, &stop);
    return report(out, &cmd_reverse_continue, env, rc, &stop);
}

const struct command cmd_reverse_continue = {
    .name = "reverse-continue",
    .aliases = "rc",
    .usage = "reverse-continue",
    .summary = "run backwards to the last breakpoint or watchpoint hit in a recorded run",
    .help = "In a run recorded with ukvm --record, goes back to the last time before now\n"
            "that a breakpoint was reached or a watchpoint's memory was accessed. A\n"
            "watchpoint stops at the instruction that made the access, before it runs.\n"
            "With none in the record, the guest goes back to the record's start.\n"
            "Example:\n"
            "  watch counter\n"
            "  reverse-continue\n",
    .flags = COMMAND_NEEDS_CONTROL,
    .in_gdb = "reverse-continue",
    .run = run_reverse_continue,
};

static int run_record(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_record, "takes no arguments");
    if (!env->describe_record)
        return command_error(out, &cmd_record, "the run is not recorded: start ukvm with --record");
    env->describe_record(env->ctx, out);
    return 0;
}

const struct command cmd_record = {
    .name = "record",
    .usage = "record",
    .summary = "where the guest is in a recorded run, and what the record holds",
    .help = "In a run recorded with ukvm --record: how many hypercalls the record holds and\n"
            "from where (older history is dropped at the --record=MiB limit), its\n"
            "checkpoints and memory, where the guest is now (hypercalls completed and\n"
            "instructions since), and whether every replayed hypercall matched the record.\n"
            "Example:\n"
            "  record\n",
    .run = run_record,
};
