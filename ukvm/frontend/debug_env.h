/*
 * debug_env.h: the command table's view of a debugged guest (shell/command.h's struct
 * command_env) on the debug core, built once for both front ends: gdb's `monitor`
 * (ukvm/frontend/gdb_target.c) and the shell (ukvm/frontend/shell_frontend.c). So every
 * command sees the same guest the same way in both; only env->control differs (the
 * shell's alone).
 */
#ifndef UKVM_DEBUG_ENV_H
#define UKVM_DEBUG_ENV_H

#include "shell/command.h"
#include "ukvm/debug/debug_core.h"

/*
 * Fills *env for core: registers, debug registers and pending events of the stopped
 * vCPU, guest-physical and (breakpoint-shadowed) virtual reads, symbols, exit trace,
 * last exception, layout, loaded image, memory slots, core files. control is NULL.
 */
void debug_core_command_env(struct debug_core *core, struct command_env *env);

#endif /* UKVM_DEBUG_ENV_H */
