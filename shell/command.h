/*
 * command.h: ukvm's command table, shared by gdb's `monitor` (qRcmd) and the shell.
 *
 * A command line is split into words, its first word names a command, and the command
 * runs against a struct command_env: a read-only view of the stopped guest (registers,
 * guest-physical memory, symbols, the exit trace, the last exception). Both front ends
 * build an env and call command_execute(); neither parses arguments itself, so every
 * shell command is also a `monitor` command, and the reverse.
 *
 * Everything a command receives comes from a person at a keyboard or a script, and is
 * treated as hostile: a bad line prints one clear line of error and returns -1; nothing
 * a user types can crash the monitor or read outside guest memory.
 *
 * Adding a command: write its run function and its struct command in the shell/cmd_*.c
 * of its group, declare the struct below, and list it in the table in command.c (the
 * order there is the order of `help`). Commands that must run or change the guest
 * (continue, stepi, break, ...) set COMMAND_NEEDS_CONTROL and use env->control, which
 * the front ends will fill once the debug core offers those operations.
 */
#ifndef UKVM_SHELL_COMMAND_H
#define UKVM_SHELL_COMMAND_H

#include <stddef.h>
#include <stdio.h>

#include "../ukvm/boot_setup.h"
#include "../ukvm/exit_trace.h"
#include "../ukvm/inspect/guest_access.h"
#include "../ukvm/last_exception.h"
#include "../ukvm/vcpu_state.h"

/* The longest line command_execute accepts, in bytes (without the NUL). */
#define COMMAND_LINE_MAX 4096
/* The most words in one line, the command name included. */
#define COMMAND_ARGS_MAX 64

struct symbolizer;

/*
 * Operations that run or change the guest: resume, step, breakpoints and watchpoints,
 * register and memory writes, core dumps. Defined by the debug core when the shell
 * issue adds those commands; until then env->control is always NULL and no command
 * sets COMMAND_NEEDS_CONTROL.
 */
struct command_control;

/* What commands may look at: the stopped guest. Every pointer may be NULL. */
struct command_env {
    void *ctx; /* passed back to the callbacks below */
    /* The stopped vCPU's registers. Return 0, or -1 when they cannot be read. */
    int (*get_regs)(void *ctx, struct vcpu_regs *regs);
    int (*get_sregs)(void *ctx, struct vcpu_sregs *sregs);
    struct guest_access mem; /* guest-physical reads; read_phys may be NULL */
    /*
     * The kernel's symbols, opened on first use and owned by the front end; NULL when
     * the ELF has none or cannot be read. The callback itself may be NULL too.
     */
    struct symbolizer *(*symbols)(void *ctx);
    const struct exit_trace *exits;         /* may be NULL: no trace kept */
    const struct last_exception *exception; /* may be NULL or LAST_EXCEPTION_NONE */
    const struct boot_layout *layout;       /* may be NULL: no plain-words readings */
    struct command_control *control;        /* NULL until the debug core offers it */
};

/* Flags of a command. */
#define COMMAND_NEEDS_CONTROL (1u << 0) /* refused with an error while env->control is NULL */

struct command {
    const char *name;    /* the canonical name, e.g. "regs" */
    const char *aliases; /* other names, space-separated, e.g. "r reg registers"; may be NULL */
    const char *usage;   /* e.g. "pt ADDR" */
    const char *summary; /* one line for `help` */
    const char *help;    /* for `help CMD`: what it does, the syntax, an example */
    unsigned flags;      /* COMMAND_* */
    /*
     * Runs the command with argv[0] set to its canonical name and argv[1..argc-1] the
     * user's arguments, writing everything, errors included, to out. Returns 0, or -1
     * after printing a one-line error.
     */
    int (*run)(const struct command_env *env, int argc, char **argv, FILE *out);
};

/*
 * Runs one command line, writing its output and errors to out. The line is split
 * into words at blanks; '...' and "..." quote a word (inside "...", \" and \\ escape),
 * and a # outside quotes starts a comment. The first word is looked up with
 * command_find. Returns 0 on success and for a line that is empty, blank or only a
 * comment (nothing is printed then); -1 after printing a one-line error for an unknown
 * or ambiguous command ("unknown command 'x': try 'help'"), a line longer than
 * COMMAND_LINE_MAX, more than COMMAND_ARGS_MAX words, an unterminated quote, or a
 * failing command. line may be NULL (treated as empty); env must not be NULL.
 */
int command_execute(const struct command_env *env, const char *line, FILE *out);

/*
 * Finds a command by its exact name or one of its aliases; failing that, by a prefix
 * of names and aliases that fits exactly one command (so "exi" finds "exits"). Prefixes
 * are a convenience for people typing: a new command can make one ambiguous, so
 * scripts should spell names out. Returns NULL when nothing or more than one command
 * fits, or name is NULL or empty.
 */
const struct command *command_find(const char *name);

/*
 * The number of commands in the table, and the i-th (NULL when i >= command_count()),
 * in `help` order; for listings and the shell's completion.
 */
size_t command_count(void);
const struct command *command_at(size_t i);

/*
 * Helpers for run functions: print "NAME: MESSAGE" (command_error) or
 * "NAME: MESSAGE (usage: USAGE)" (command_usage_error) as one line to out, and return
 * -1 so that a run function can `return command_error(...)`.
 */
int command_error(FILE *out, const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int command_usage_error(FILE *out, const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The kernel's symbols for env, or NULL when it has none (env->symbols is NULL or
 * returned NULL).
 */
struct symbolizer *command_symbols(const struct command_env *env);

/* The commands, one definition each in the shell/cmd_*.c of its group. */
extern const struct command cmd_help;  /* command.c */
extern const struct command cmd_regs;  /* cmd_regs.c */
extern const struct command cmd_pt;    /* cmd_memory.c */
extern const struct command cmd_exc;   /* cmd_exception.c */
extern const struct command cmd_exits; /* cmd_exits.c */

#endif /* UKVM_SHELL_COMMAND_H */
