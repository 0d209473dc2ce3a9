/*
 * shell.h: the `ukvm --shell` session: read command lines, run each with
 * command_execute against the front end's env, until quit, end of input or the front
 * end says the session is over.
 *
 * Two ways to read, chosen by the front end (stdin a terminal or not):
 *   interactive  GNU readline: the "(ukvm) " prompt, line editing, history kept across
 *                runs in a file, tab completion of command names (first word) and of
 *                the kernel's symbol names (other words; $ completes register names).
 *                Ctrl-C at the prompt clears the line; Ctrl-D on an empty line ends.
 *   scripted     one command per line from stdin, with no prompt and no echo, so that
 *                the output is only what the commands print.
 *
 * The session knows no KVM: the front end (ukvm/frontend/shell_frontend.c) gives it the
 * env and owns the guest; this file owns the terminal.
 */
#ifndef UKVM_SHELL_SHELL_H
#define UKVM_SHELL_SHELL_H

#include <stdbool.h>

#include "command.h"

#define SHELL_PROMPT      "(ukvm) "
#define SHELL_HISTORY     ".ukvm_history" /* in $HOME */
#define SHELL_HISTORY_MAX 1000            /* lines kept */

struct shell_session {
    const struct command_env *env; /* env->control->quit should make done() true */
    bool interactive;
    /*
     * The history file, or NULL for none. A file that cannot be read or written is not
     * an error: the session goes on without it.
     */
    const char *history_path;
    /* True once the session must end (quit, or the guest ended by a signal). */
    bool (*done)(void *ctx);
    /*
     * Optional: called once the session has set itself up (readline loaded, the terminal
     * set, the history read), before the first command is read. The front end installs
     * its sandbox there (ukvm/process/sandbox.h).
     */
    void (*ready)(void *ctx);
    void *ctx;
};

/*
 * Runs the session until done() says so or input ends. Returns the number of command
 * lines that failed. SIGINT and SIGTERM must have handlers that return (no SA_RESTART)
 * and call shell_interrupt() (SIGINT at the prompt) so that waiting for input wakes up.
 */
unsigned long shell_run(const struct shell_session *s);

/*
 * Notes a Ctrl-C while the session waits for input: the line being typed is dropped
 * and a fresh prompt shown. Async-signal-safe.
 */
void shell_interrupt(void);

/*
 * The history file for $HOME (SHELL_HISTORY there) written into buf; NULL when HOME is
 * unset, empty or too long.
 */
const char *shell_history_path(char *buf, size_t len);

#endif /* UKVM_SHELL_SHELL_H */
