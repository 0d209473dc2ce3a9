/*
 * expr.h: the numbers and addresses users type into commands.
 *
 *   expr    := primary [ ('+' | '-') number ]     blanks allowed around the operator
 *   primary := number | symbol | '$' register
 *   number  := 0x hex digits | decimal digits     (no octal: 010 is ten)
 *   symbol  := [A-Za-z_.][A-Za-z0-9_.]*           looked up in the kernel's ELF
 *   register:= rax..r15, rip, rflags (eflags), pc, sp, fp, cr0, cr2, cr3, cr4, cr8,
 *              efer, fs_base, gs_base
 *
 * Examples: 0x101234, 4096, main, solo5_app_main+0x10, $rsp-8, $cr3.
 * All arithmetic is checked: a value that does not fit in 64 bits is an error, never a
 * silent wrap-around.
 */
#ifndef UKVM_SHELL_EXPR_H
#define UKVM_SHELL_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "command.h"

/*
 * Evaluates text as an address expression (above) against env (registers through
 * env->get_regs/get_sregs, symbols through env->symbols). Returns 0 with the result in
 * *value, or -1 with a one-line reason in err (NUL-terminated, at most errlen), e.g.
 * "unknown symbol 'foo'", "'0x1g': not a number", "0xffffffffffffffff+1 overflows".
 */
int expr_eval(const struct command_env *env, const char *text, uint64_t *value, char *err,
              size_t errlen);

/*
 * Like expr_eval, for an expression split into words by the tokenizer (e.g. the words
 * "main", "+", "4" of `pt main + 4`): the argc words of argv are joined with single
 * blanks first. argc must be at least 1.
 */
int expr_eval_words(const struct command_env *env, int argc, char **argv, uint64_t *value,
                    char *err, size_t errlen);

/*
 * Parses text as a plain unsigned number (hex with 0x, or decimal; no symbols, no
 * registers, no sign) and checks min <= value <= max. Returns 0 with *value set, or -1
 * with a one-line reason in err, e.g. "'-1': not a number", "0 is out of range 1-256".
 */
int expr_parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *value, char *err,
                     size_t errlen);

#endif /* UKVM_SHELL_EXPR_H */
