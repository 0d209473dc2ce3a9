/*
 * stop_dump.h: a core file of a debugger's current stop (gdb's `monitor core`, the shell's
 * `core`).
 *
 * The core shows the stop as the debugger shows it: the registers the vCPU holds now (for
 * a fatal stop, the faulting context the debug core restored), the stop's signal (a fatal
 * stop's as core files of a dead guest give it, ukvm/crash/core_capture.h; SIGINT after
 * an interruption; SIGTRAP otherwise), and the program as written: every int3 of the
 * debugger's shows its original byte in the file, while guest memory keeps it.
 */
#ifndef UKVM_STOP_DUMP_H
#define UKVM_STOP_DUMP_H

#include <stddef.h>

#include "debug_core.h"
#include "ukvm/crash/core_dump.h"

/*
 * Writes a core of core's current stop to path (NULL: the default name, core_dump.h).
 * Returns 0 with *res filled, or -1 with a reason in err (also when the guest has already
 * exited).
 */
int stop_dump_write(struct debug_core *core, const char *path, struct core_dump_result *res,
                    char *err, size_t errlen);

#endif /* UKVM_STOP_DUMP_H */
