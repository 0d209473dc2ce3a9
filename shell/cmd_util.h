/*
 * cmd_util.h: what several command groups share: reading registers and guest-virtual
 * memory, naming an address, splitting "ADDR [N]" arguments, printing an instruction or
 * a stop.
 */
#ifndef UKVM_SHELL_CMD_UTIL_H
#define UKVM_SHELL_CMD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "command.h"
#include "ukvm/inspect/disasm.h"

/*
 * The stopped vCPU's general (cmd_get_regs) or system (cmd_get_sregs) registers.
 * Returns 0, or -1 when env has no callback for them or it failed.
 */
int cmd_get_regs(const struct command_env *env, struct vcpu_regs *regs);
int cmd_get_sregs(const struct command_env *env, struct vcpu_sregs *sregs);

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
 * "leaf+0x4 (test_shell.c:38)" (symbolizer_format) for addr, or "" when no symbol holds
 * it; returns buf.
 */
char *cmd_symbol_location(const struct command_env *env, uint64_t addr, char *buf, size_t len);

/*
 * For commands shaped "CMD ADDR... [N]" (disas, watch): decides whether the last of the
 * argc-1 arguments in argv[1..] is the count N rather than part of the address. It is
 * when it is not the only argument, starts with a digit, and the word before it does not
 * end in '+' or '-' (so "leaf + 4", "leaf+ 4" and "leaf +4" stay addresses). Then it
 * must be a plain number from min to max: *count is set and *naddr is argc-2.
 * Otherwise *count is left alone and *naddr is argc-1. Returns 0, or -1 with a one-line
 * reason in err when the count is malformed or out of range.
 */
int cmd_split_count(int argc, char **argv, uint64_t min, uint64_t max, uint64_t *count, int *naddr,
                    char *err, size_t errlen);

/* True for the stops the guest cannot go on from: a fault, an abort, a crash. */
bool cmd_stop_is_fatal(enum command_stop_kind kind);

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
