/*
 * readline_api.h: GNU readline, loaded when an interactive shell session starts.
 *
 * Only `ukvm --shell` at a terminal edits lines; linking readline (and libtinfo) would
 * add their loading to every run of ukvm, the guest's boot included (see
 * ../ukvm/lazy_lib.h). shell.c calls readline through this table: `rl.rl_crlf()` for
 * `rl_crlf()`, and `*rl.rl_line_buffer` for the variable `rl_line_buffer`.
 */
#ifndef UKVM_READLINE_API_H
#define UKVM_READLINE_API_H

#include <stddef.h>
#include <stdio.h> /* readline.h needs FILE */
#include <readline/history.h>
#include <readline/readline.h>

#define READLINE_FUNCTIONS(X)      \
    X(add_history)                 \
    X(append_history)              \
    X(clear_history)               \
    X(history_get)                 \
    X(history_truncate_file)       \
    X(read_history)                \
    X(stifle_history)              \
    X(using_history)               \
    X(write_history)               \
    X(rl_callback_handler_install) \
    X(rl_callback_handler_remove)  \
    X(rl_callback_read_char)       \
    X(rl_completion_matches)       \
    X(rl_crlf)                     \
    X(rl_echo_signal_char)         \
    X(rl_on_new_line)              \
    X(rl_redisplay)                \
    X(rl_replace_line)             \
    X(rl_variable_bind)

#define READLINE_VARIABLES(X)           \
    X(history_base)                     \
    X(history_length)                   \
    X(rl_attempted_completion_function) \
    X(rl_attempted_completion_over)     \
    X(rl_basic_word_break_characters)   \
    X(rl_catch_signals)                 \
    X(rl_line_buffer)                   \
    X(rl_readline_name)

/* A pointer to each function, and to each variable, as readline.h declares them. */
#define READLINE_FIELD(name) __typeof__(name) *name;
struct readline_api {
    READLINE_FUNCTIONS(READLINE_FIELD)
    READLINE_VARIABLES(READLINE_FIELD)
};
#undef READLINE_FIELD
extern struct readline_api rl;

/*
 * Loads libreadline.so.<the major version compiled against> the first time
 * (thread-safe; later calls return the first result). Returns 0, or -1 with a reason in
 * err (the library is missing or lacks a symbol).
 */
int readline_api_load(char *err, size_t errlen);

#endif /* UKVM_READLINE_API_H */
