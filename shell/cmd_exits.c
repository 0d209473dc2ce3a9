/*
 * cmd_exits.c: the VM exit trace: `exits`.
 */
#include "command.h"

#include <inttypes.h>
#include <string.h>

#include "expr.h"
#include "ukvm/inspect/symbolize.h"

#define EXITS_DEFAULT 20
/* exit_trace_print_record's widest line (a BLOCK_WRITE hypercall) fits in this. */
#define RECORD_COLUMNS 63

/*
 * One record as exit_trace_print_record formats it, then the function its rip lies in,
 * in a column of its own: the record format stays defined in one place.
 */
static void print_record(FILE *out, const struct exit_record *rec, struct symbolizer *sym)
{
    char line[256] = {0};
    FILE *f = fmemopen(line, sizeof(line) - 1, "w");
    if (!f) {
        exit_trace_print_record(out, rec, 0);
        return;
    }
    exit_trace_print_record(f, rec, 0);
    fclose(f);
    line[strcspn(line, "\n")] = '\0';

    struct symbol_info info;
    if (sym && symbolizer_lookup(sym, rec->rip, &info) == 0 && info.function)
        fprintf(out, "%-*s %s+0x%" PRIx64 "\n", RECORD_COLUMNS, line, info.function, info.offset);
    else
        fprintf(out, "%s\n", line);
}

static int run_exits(const struct command_env *env, int argc, char **argv, FILE *out)
{
    uint64_t n = EXITS_DEFAULT;
    char err[160];
    if (argc > 2)
        return command_usage_error(out, &cmd_exits, "too many arguments");
    if (argc == 2 && expr_parse_count(argv[1], 1, EXIT_TRACE_SIZE, &n, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_exits, "N: %s", err);
    const struct exit_trace *trace = env->exits;
    if (!trace)
        return command_error(out, &cmd_exits, "no exit trace is kept here");
    if (trace->count == 0) {
        fprintf(out, "no VM exits so far\n");
        return 0;
    }

    struct exit_record recs[EXIT_TRACE_SIZE];
    size_t got = exit_trace_last(trace, (size_t)n, recs);
    fprintf(out, "last %zu of %" PRIu64 " VM exits, newest first:\n", got, trace->count);
    struct symbolizer *sym = command_symbols(env);
    for (size_t i = 0; i < got; i++)
        print_record(out, &recs[i], sym);

    fprintf(out, "VM exits by reason since the start:\n");
    for (int r = 0; r < EXIT_TRACE_REASONS; r++)
        if (trace->per_reason[r])
            fprintf(out, "  %-16s %10" PRIu64 "\n", vm_exit_reason_name((enum vm_exit_reason)r),
                    trace->per_reason[r]);
    fprintf(out, "  %-16s %10" PRIu64 "\n", "total", trace->count);
    return 0;
}

const struct command cmd_exits = {
    .name = "exits",
    .aliases = "trace vmexits",
    .usage = "exits [N]",
    .summary = "the last N VM exits, and counts per exit reason",
    .help = "Lists the most recent VM exits, newest first: sequence number, reason, the\n"
            "guest's rip, the hypercall (or port, address, exception) and the function\n"
            "rip lies in; then how many exits of each reason happened since the start.\n"
            "N is 1-256 (the trace keeps the last 256 exits); the default is 20.\n"
            "Example:\n"
            "  exits 2\n"
            "  last 2 of 57 VM exits, newest first:\n"
            "  #57     io             rip=0x100701       hypercall HALT     solo5_exit+0x31\n"
            "  #56     io             rip=0x100402       hypercall PUTS     "
            "solo5_console_write+0x12\n"
            "  VM exits by reason since the start:\n"
            "    io                       57\n"
            "    total                    57\n",
    .run = run_exits,
};
