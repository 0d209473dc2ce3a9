/*
 * shell.c: the shell session (see shell.h).
 *
 * The interactive side uses readline's callback interface rather than readline():
 * the session waits in ppoll with SIGINT and SIGTERM unblocked only there, so a Ctrl-C
 * or a SIGTERM always wakes it (no window between checking a flag and waiting), and the
 * Ctrl-C handling (drop the line, fresh prompt) happens outside the signal handler.
 * While a command runs, readline has handed the terminal back in its normal mode, so
 * the guest's output prints as usual and Ctrl-C reaches the front end's handler.
 * Readline itself is loaded only here, when an interactive session starts
 * (readline_api.h), so that it costs nothing to runs without a shell.
 */
#include "shell.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readline_api.h"
#include "ukvm/inspect/symbolize.h"

static volatile sig_atomic_t interrupted;

void shell_interrupt(void)
{
    interrupted = 1;
}

const char *shell_history_path(char *buf, size_t len)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    int n = snprintf(buf, len, "%s/%s", home, SHELL_HISTORY);
    return n > 0 && (size_t)n < len ? buf : NULL;
}

/* ---------------------------------------------------------------- running lines */

struct state {
    const struct shell_session *s;
    unsigned long failed;
    bool eof;
};

static struct state *current; /* readline's callbacks take no context */

static bool finished(const struct state *st)
{
    return st->eof || (st->s->done && st->s->done(st->s->ctx));
}

static void run_line(struct state *st, const char *line)
{
    if (command_execute(st->s->env, line, stdout) != 0)
        st->failed++;
    fflush(stdout);
}

static unsigned long run_scripted(struct state *st)
{
    char *line = NULL;
    size_t cap = 0;
    if (st->s->ready)
        st->s->ready(st->s->ctx);
    while (!finished(st)) {
        errno = 0;
        ssize_t n = getline(&line, &cap, stdin);
        if (n < 0) {
            if (errno == EINTR && !feof(stdin)) {
                clearerr(stdin); /* a signal while waiting for input: look again */
                continue;
            }
            break;
        }
        size_t len = (size_t)n;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        /*
         * A NUL would cut the line short and run what precedes it: "delete\0 3" would
         * delete every breakpoint. Refuse the whole line instead.
         */
        if (strlen(line) != len) {
            printf("a NUL byte in the line: not a command\n");
            fflush(stdout);
            st->failed++;
            continue;
        }
        run_line(st, line);
    }
    free(line);
    return st->failed;
}

/* ---------------------------------------------------------------- history */

static void history_open(const char *path)
{
    rl.using_history();
    rl.stifle_history(SHELL_HISTORY_MAX);
    if (path)
        rl.read_history(path); /* a missing or unreadable file: start empty */
}

static void history_add(const char *path, const char *line)
{
    if (!line[strspn(line, " \t")])
        return;
    HIST_ENTRY *last =
        *rl.history_length > 0 ? rl.history_get(*rl.history_base + *rl.history_length - 1) : NULL;
    if (last && strcmp(last->line, line) == 0)
        return;
    rl.add_history(line);
    /* Appended at once, so that a session that dies still leaves its lines behind. */
    if (path && rl.append_history(1, path) != 0)
        rl.write_history(path); /* no file yet: create it (failure is not an error) */
}

/* ---------------------------------------------------------------- completion */

static const char *const registers[] = {
    "$rax", "$rbx", "$rcx", "$rdx",  "$rsi", "$rdi", "$rbp", "$rsp",     "$r8",      "$r9",
    "$r10", "$r11", "$r12", "$r13",  "$r14", "$r15", "$rip", "$rflags",  "$cr0",     "$cr2",
    "$cr3", "$cr4", "$cr8", "$efer", "$pc",  "$sp",  "$fp",  "$fs_base", "$gs_base", NULL,
};

/* The candidates of one completion, gathered at its first call (state 0). */
static char **candidates;
static size_t ncandidates, cap_candidates, next_candidate;
static const char *completing; /* the text being completed */

static void add_candidate(void *arg, const char *name)
{
    (void)arg;
    if (strncmp(name, completing, strlen(completing)) != 0)
        return;
    if (ncandidates == cap_candidates) {
        size_t cap = cap_candidates ? 2 * cap_candidates : 64;
        char **grown = realloc(candidates, cap * sizeof(*grown));
        if (!grown)
            return;
        candidates = grown;
        cap_candidates = cap;
    }
    char *copy = strdup(name);
    if (copy)
        candidates[ncandidates++] = copy;
}

static void clear_candidates(void)
{
    for (size_t i = next_candidate; i < ncandidates; i++)
        free(candidates[i]);
    free(candidates);
    candidates = NULL;
    ncandidates = cap_candidates = next_candidate = 0;
}

/* readline's generator: hands out the gathered candidates one by one (it frees them). */
static char *next_match(void)
{
    if (next_candidate < ncandidates)
        return candidates[next_candidate++];
    clear_candidates();
    return NULL;
}

static char *command_generator(const char *text, int state)
{
    if (state == 0) {
        clear_candidates();
        completing = text;
        for (size_t i = 0; i < command_count(); i++)
            add_candidate(NULL, command_at(i)->name);
    }
    return next_match();
}

static char *argument_generator(const char *text, int state)
{
    if (state == 0) {
        clear_candidates();
        completing = text;
        if (text[0] == '$') {
            for (size_t i = 0; registers[i]; i++)
                add_candidate(NULL, registers[i]);
        } else if (current) {
            symbolizer_for_each_name(command_symbols(current->s->env), add_candidate, NULL);
        }
    }
    return next_match();
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    *rl.rl_attempted_completion_over = 1; /* never fall back to file names */
    const char *line = *rl.rl_line_buffer;
    size_t lead = strspn(line, " \t");
    if ((size_t)start <= lead)
        return rl.rl_completion_matches(text, command_generator);
    /* "help CMD": command names again. */
    size_t word = strcspn(line + lead, " \t");
    const struct command *cmd = NULL;
    if (word < 32) {
        char first[32];
        memcpy(first, line + lead, word);
        first[word] = '\0';
        cmd = command_find(first);
    }
    if (cmd && strcmp(cmd->name, "help") == 0)
        return rl.rl_completion_matches(text, command_generator);
    return rl.rl_completion_matches(text, argument_generator);
}

/* ---------------------------------------------------------------- interactive */

static void on_line(char *line)
{
    struct state *st = current;
    if (!line) {
        /* Ctrl-D on an empty line: end, leaving the cursor on a fresh line. */
        fputc('\n', stdout);
        st->eof = true;
        rl.rl_callback_handler_remove(); /* no new prompt */
        return;
    }
    history_add(st->s->history_path, line);
    /* Signals are blocked while waiting; a command (continue) must feel Ctrl-C. */
    sigset_t waitmask, old;
    sigemptyset(&waitmask);
    sigaddset(&waitmask, SIGINT);
    sigaddset(&waitmask, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &waitmask, &old);
    run_line(st, line);
    interrupted = 0; /* a Ctrl-C that stopped the guest is spent */
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(line);
    if (finished(st))
        rl.rl_callback_handler_remove(); /* no new prompt */
}

/* Ctrl-C at the prompt: drop what was typed, show a fresh prompt. */
static void clear_line(void)
{
    rl.rl_echo_signal_char(SIGINT);
    rl.rl_replace_line("", 0);
    rl.rl_crlf();
    rl.rl_on_new_line();
    rl.rl_redisplay();
}

static unsigned long run_interactive(struct state *st)
{
    history_open(st->s->history_path);
    *rl.rl_readline_name = "ukvm";
    *rl.rl_catch_signals = 0; /* the front end's handlers stay in charge */
    *rl.rl_attempted_completion_function = complete;
    *rl.rl_basic_word_break_characters = " \t\n\"'+-";
    /* Bracketed paste's terminal codes leave a blank line after every command. */
    rl.rl_variable_bind("enable-bracketed-paste", "off");

    sigset_t block, waitmask, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &orig);
    waitmask = orig;
    sigdelset(&waitmask, SIGINT);
    sigdelset(&waitmask, SIGTERM);

    rl.rl_callback_handler_install(SHELL_PROMPT, on_line);
    if (st->s->ready)
        st->s->ready(st->s->ctx);
    while (!finished(st)) {
        struct pollfd pfd = {.fd = fileno(stdin), .events = POLLIN};
        int r = ppoll(&pfd, 1, NULL, &waitmask);
        if (r < 0 && errno != EINTR)
            break;
        if (interrupted) {
            interrupted = 0;
            clear_line();
        }
        if (r > 0)
            rl.rl_callback_read_char();
    }
    rl.rl_callback_handler_remove();
    sigprocmask(SIG_SETMASK, &orig, NULL);
    clear_candidates();
    if (st->s->history_path)
        rl.history_truncate_file(st->s->history_path, SHELL_HISTORY_MAX);
    rl.clear_history();
    return st->failed;
}

unsigned long shell_run(const struct shell_session *s)
{
    struct state st = {.s = s};
    current = &st;
    interrupted = 0;
    bool interactive = s->interactive;
    char err[320];
    if (interactive && readline_api_load(err, sizeof(err)) != 0) {
        /* Still a usable shell: commands are read as from a pipe, without editing. */
        fprintf(stderr, "ukvm: %s; reading commands without it\n", err);
        interactive = false;
    }
    unsigned long failed = interactive ? run_interactive(&st) : run_scripted(&st);
    current = NULL;
    return failed;
}
