/*
 * cmd_core.c: an ELF core file of the stopped guest, on demand: `core [PATH]`.
 *
 * The command only parses; the front end writes the file (env->write_core, which is
 * ukvm/crash/core_capture.c on the debug core), so the core holds exactly the view the
 * debugger has: the registers of the current stop and memory without its int3s.
 */
#include "command.h"

#include <limits.h>

static int run_core(const struct command_env *env, int argc, char **argv, FILE *out)
{
    if (argc > 2)
        return command_usage_error(out, &cmd_core, "takes at most one file name");
    const char *path = argc == 2 ? argv[1] : NULL;
    if (path && !*path)
        return command_usage_error(out, &cmd_core, "the file name is empty");
    if (!env->write_core)
        return command_error(out, &cmd_core, "not available here: no guest to dump");
    char err[PATH_MAX + 128];
    if (env->write_core(env->ctx, path, out, err, sizeof(err)) < 0)
        return command_error(out, &cmd_core, "%s", err);
    return 0;
}

const struct command cmd_core = {
    .name = "core",
    .aliases = "gcore",
    .usage = "core [PATH]",
    .summary = "write an ELF core file of the stopped guest, for gdb",
    .help = "Writes the guest as it is stopped now (registers of this stop, all guest\n"
            "memory the page tables map) to an ELF core file that `gdb KERNEL.ukvm PATH`\n"
            "opens later, with no ukvm running. PATH is on ukvm's side, relative to ukvm's\n"
            "working folder; the default is core.ukvm.KERNEL.PID there. An existing file\n"
            "is replaced only if it is already a core file. The file is sparse: untouched\n"
            "guest memory takes no disk space.\n"
            "Example:\n"
            "  core /tmp/crash.core\n",
    .run = run_core,
};
