/*
 * cmdline.c: the "--solo5:" options at the start of the guest command line.
 *
 * Solo5's bindings take their log level from leading command-line words and pass only
 * the rest to the application: scripts written for Solo5 give `--solo5:quiet` to every
 * unikernel, and programs such as Solo5's test_hello compare their command line with an
 * expected string. So the same words are consumed here, by the same rules: only at the
 * start, each a whole word (followed by white space or the end), in any number, and the
 * first word that is not one of them ends the options. An unknown "--solo5:xyz" is left
 * to the application, as Solo5 leaves it.
 *
 * ukvm's kernel writes no log lines of its own (the monitor reports every failure), so
 * the level these words select changes nothing else.
 */
#include <stdbool.h>

#include "kernel.h"

static const char *const solo5_options[] = {
    "--solo5:quiet", "--solo5:error", "--solo5:warn", "--solo5:info", "--solo5:debug",
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* If (p) starts with the word (word), returns the position after it, else NULL. */
static const char *match_word(const char *p, const char *word)
{
    while (*word) {
        if (*p++ != *word++)
            return NULL;
    }
    return (*p == '\0' || is_space(*p)) ? p : NULL;
}

const char *cmdline_skip_solo5_options(const char *cmdline)
{
    const char *p = skip_space(cmdline);

    for (;;) {
        const char *after = NULL;
        for (size_t i = 0; i < sizeof(solo5_options) / sizeof(solo5_options[0]) && !after; i++)
            after = match_word(p, solo5_options[i]);
        if (!after)
            return p;
        p = skip_space(after);
    }
}
