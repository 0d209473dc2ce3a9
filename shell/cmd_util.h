/*
 * cmd_util.h: what several command groups share: reading guest-virtual memory, naming
 * an address, printing an instruction or a stop.
 */
#ifndef UKVM_SHELL_CMD_UTIL_H
#define UKVM_SHELL_CMD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../ukvm/inspect/disasm.h"
#include "command.h"

/*
 * Reads len bytes at guest-virtual va, through env->read_virt when set (original bytes
 * under breakpoints), else through the page tables in env->mem. Returns how many bytes
 * were read from the start (fewer at the first unmapped page), or -1 when none.
 */
long cmd_read_virt(const struct command_env *env, uint64_t va, void *buf, size_t len);

/*
 * Reads len bytes at guest-physical pa. Returns how many were read from the start
 * (fewer where guest memory ends), or -1 when none.
 */
long cmd_read_phys(const struct command_env *env, uint64_t pa, void *buf, size_t len);

/*
 * Why va cannot be read, e.g. "not present at PT[0]" or "non-canonical address", into
 * buf; returns buf.
 */
char *cmd_unmapped_reason(const struct command_env *env, uint64_t va, char *buf, size_t len);

/* "leaf+0x4" for addr, or "" when no symbol holds it; returns buf. */
char *cmd_symbol_at(const struct command_env *env, uint64_t addr, char *buf, size_t len);

/*
 * Prints one instruction line, "=> 0x0000000000100150 <leaf+0x4>:  48 83 c0 01   addq $1,
 * %rax" ("   " instead of "=> " unless mark), from the bytes at addr (virtual, or
 * physical when phys). Returns the instruction's length, or 0 after printing the line
 * with "(bad)" or "(unreadable)" when there is no valid instruction there.
 */
unsigned cmd_print_insn(FILE *out, const struct command_env *env, struct disasm *d, uint64_t addr,
                        bool phys, bool mark);

/*
 * Prints where the guest is stopped, as the control commands report it: a line saying
 * why (breakpoint, step, fault, ...) and, while the guest lives, the instruction at rip.
 */
void cmd_print_stop(FILE *out, const struct command_env *env, const struct command_stop *stop);

#endif /* UKVM_SHELL_CMD_UTIL_H */
