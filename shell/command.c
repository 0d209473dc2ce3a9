/*
 * command.c: the command table, the line tokenizer, dispatch and `help` (see command.h).
 */
#include "command.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

/*
 * The table, in `help` order: registers, memory, tables, the last exception and exits,
 * symbols, then control. Names follow gdb where gdb has the command and the Bochs
 * debugger where it does not (xp, u); aliases are the names people try first. No name
 * or alias may start with "ex" but exc and exits, so that "ex" stays ambiguous rather
 * than silently picking one.
 */
static const struct command *const commands[] = {
    &cmd_help,
    &cmd_regs,
    &cmd_segs,
    &cmd_dr,
    &cmd_x,
    &cmd_xp,
    &cmd_disas,
    &cmd_pt,
    &cmd_map,
    &cmd_mem,
    &cmd_gdt,
    &cmd_idt,
    &cmd_exc,
    &cmd_exits,
    &cmd_net,
    &cmd_sym,
    &cmd_list,
    &cmd_bt,
    &cmd_break,
    &cmd_hbreak,
    &cmd_watch,
    &cmd_rwatch,
    &cmd_awatch,
    &cmd_delete,
    &cmd_stepi,
    &cmd_nexti,
    &cmd_continue,
    &cmd_core,
    &cmd_quit,
    &cmd_reverse_stepi,
    &cmd_reverse_continue,
    &cmd_record,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Names are echoed in errors at most this long, so that garbage cannot flood a line. */
#define ECHO_MAX 40
/* The longest command name split off a "name/format" word. */
#define COMMAND_NAME_MAX 31

size_t command_count(void)
{
    return NCOMMANDS;
}

const struct command *command_at(size_t i)
{
    return i < NCOMMANDS ? commands[i] : NULL;
}

/* Does the space-separated list contain word exactly (exact) or as a prefix (!exact)? */
static bool list_has(const char *list, const char *word, bool exact)
{
    size_t wlen = strlen(word);
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, " ");
        if (n > 0 && (exact ? n == wlen : n >= wlen) && strncmp(p, word, wlen) == 0)
            return true;
        p += n;
        p += strspn(p, " ");
    }
    return false;
}

static bool matches(const struct command *cmd, const char *word, bool exact)
{
    return list_has(cmd->name, word, exact) || list_has(cmd->aliases, word, exact);
}

/*
 * Looks word up (see command_find); *ambiguous tells "two or more fit" from "none".
 */
static const struct command *lookup(const char *word, bool *ambiguous)
{
    *ambiguous = false;
    if (!word || !*word)
        return NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (matches(commands[i], word, true))
            return commands[i];
    const struct command *found = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!matches(commands[i], word, false))
            continue;
        if (found) {
            *ambiguous = true;
            return NULL;
        }
        found = commands[i];
    }
    return found;
}

const struct command *command_find(const char *name)
{
    bool ambiguous;
    return lookup(name, &ambiguous);
}

/* Prints the names of every command a prefix fits, comma-separated. */
static void print_candidates(FILE *out, const char *prefix)
{
    const char *sep = "";
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (matches(commands[i], prefix, false)) {
            fprintf(out, "%s%s", sep, commands[i]->name);
            sep = ", ";
        }
    }
}

static int vprint_error(FILE *out, const struct command *cmd, const char *usage, const char *fmt,
                        va_list ap)
{
    fprintf(out, "%s: ", cmd->name);
    vfprintf(out, fmt, ap);
    if (usage)
        fprintf(out, " (usage: %s)", usage);
    fputc('\n', out);
    return -1;
}

int command_error(FILE *out, const struct command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(out, cmd, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int command_usage_error(FILE *out, const struct command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(out, cmd, cmd->usage, fmt, ap);
    va_end(ap);
    return -1;
}

struct symbolizer *command_symbols(const struct command_env *env)
{
    return env->symbols ? env->symbols(env->ctx) : NULL;
}

/* ---------------------------------------------------------------- tokenizer */

/*
 * Splits line into words in buf (which holds at least strlen(line)+1 bytes: a word is
 * never longer than its quoted source). Returns the number of words, or -1 with a
 * reason in err.
 */
static int tokenize(const char *line, char *buf, char **argv, const char **err)
{
    int argc = 0;
    const char *p = line;
    char *w = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
            p++;
        if (*p == '\0' || *p == '#')
            return argc;
        if (argc == COMMAND_ARGS_MAX) {
            *err = "too many words on the line";
            return -1;
        }
        argv[argc++] = w;
        /* One word: runs of unquoted text and quoted strings, up to a blank. */
        while (*p && !strchr(" \t\n\r\v\f", *p)) {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q) {
                    if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    *w++ = *p++;
                }
                if (*p != q) {
                    *err = "unterminated quote";
                    return -1;
                }
                p++;
            } else {
                *w++ = *p++;
            }
        }
        *w++ = '\0';
    }
}

int command_execute(const struct command_env *env, const char *line, FILE *out)
{
    if (!line)
        return 0;
    size_t len = strnlen(line, COMMAND_LINE_MAX + 1);
    if (len > COMMAND_LINE_MAX) {
        fprintf(out, "command line too long (more than %d bytes)\n", COMMAND_LINE_MAX);
        return -1;
    }
    /*
     * Errors echo what was typed: a control character (ESC above all) would reach the
     * terminal raw, so a pasted or piped escape sequence could drive it. No command
     * takes one.
     */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') ||
            c == 0x7f) {
            fprintf(out, "control character 0x%02x at column %zu: not a command\n", c, i + 1);
            return -1;
        }
    }
    char buf[COMMAND_LINE_MAX + 1];
    char *argv[COMMAND_ARGS_MAX + 1];
    const char *err = NULL;
    int argc = tokenize(line, buf, argv, &err);
    if (argc < 0) {
        fprintf(out, "%s\n", err);
        return -1;
    }
    if (argc == 0)
        return 0;
    argv[argc] = NULL;

    /*
     * gdb's and Bochs' "x/8xb ADDR": a first word with a '/' inside is the name and,
     * from the '/' on, a first argument.
     */
    char name[COMMAND_NAME_MAX + 1];
    const char *slash = strchr(argv[0], '/');
    if (slash && slash > argv[0] && (size_t)(slash - argv[0]) <= COMMAND_NAME_MAX) {
        if (argc == COMMAND_ARGS_MAX) {
            fprintf(out, "too many words on the line\n");
            return -1;
        }
        memcpy(name, argv[0], (size_t)(slash - argv[0]));
        name[slash - argv[0]] = '\0';
        memmove(argv + 2, argv + 1, sizeof(argv[0]) * (size_t)argc);
        argv[1] = (char *)slash;
        argv[0] = name;
        argc++;
    }

    bool ambiguous;
    const struct command *cmd = lookup(argv[0], &ambiguous);
    if (!cmd) {
        if (ambiguous) {
            fprintf(out, "ambiguous command '%.*s': ", ECHO_MAX, argv[0]);
            print_candidates(out, argv[0]);
            fputc('\n', out);
        } else {
            fprintf(out, "unknown command '%.*s%s': try 'help'\n", ECHO_MAX, argv[0],
                    strlen(argv[0]) > ECHO_MAX ? "..." : "");
        }
        return -1;
    }
    if ((cmd->flags & COMMAND_NEEDS_CONTROL) && !env->control) {
        if (cmd->in_gdb)
            return command_error(out, cmd, "not available in gdb's monitor: use gdb's own '%s'",
                                 cmd->in_gdb);
        return command_error(out, cmd, "not available here: the guest cannot be controlled");
    }
    argv[0] = (char *)cmd->name;
    return cmd->run(env, argc, argv, out) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- help */

/* The aliases as "a, b, c" (in parentheses when parens), or "" when there are none. */
static const char *format_aliases(const struct command *cmd, bool parens, char *buf, size_t len)
{
    if (!cmd->aliases || !*cmd->aliases || len < 3)
        return "";
    size_t pos = 0;
    if (parens)
        buf[pos++] = '(';
    for (const char *p = cmd->aliases; *p && pos + 3 < len; p++) {
        if (*p == ' ') {
            buf[pos++] = ',';
            buf[pos++] = ' ';
        } else {
            buf[pos++] = *p;
        }
    }
    if (parens)
        buf[pos++] = ')';
    buf[pos] = '\0';
    return buf;
}

static int run_help(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)env;
    char aliases[128];
    if (argc > 2)
        return command_usage_error(out, &cmd_help, "too many arguments");
    if (argc == 1) {
        /* One column for the name and its aliases, as wide as the widest pair. */
        char names[NCOMMANDS][160];
        int width = 0;
        for (size_t i = 0; i < NCOMMANDS; i++) {
            const struct command *c = commands[i];
            int n = snprintf(names[i], sizeof(names[i]), "%s %s", c->name,
                             format_aliases(c, true, aliases, sizeof(aliases)));
            if (n > width)
                width = n;
        }
        for (size_t i = 0; i < NCOMMANDS; i++)
            fprintf(out, "%-*s  %s\n", width, names[i], commands[i]->summary);
        fprintf(out, "'help CMD' describes one command; a unique prefix of a name works too.\n");
        return 0;
    }
    bool ambiguous;
    const struct command *c = lookup(argv[1], &ambiguous);
    if (!c) {
        if (ambiguous) {
            fprintf(out, "help: ambiguous command '%.*s': ", ECHO_MAX, argv[1]);
            print_candidates(out, argv[1]);
            fputc('\n', out);
            return -1;
        }
        return command_error(out, &cmd_help, "unknown command '%.*s%s': try 'help'", ECHO_MAX,
                             argv[1], strlen(argv[1]) > ECHO_MAX ? "..." : "");
    }
    fprintf(out, "usage: %s\n%s\n", c->usage, c->summary);
    if (c->aliases && *c->aliases)
        fprintf(out, "aliases: %s\n", format_aliases(c, false, aliases, sizeof(aliases)));
    fprintf(out, "\n%s", c->help);
    return 0;
}

const struct command cmd_help = {
    .name = "help",
    .aliases = "h ?",
    .usage = "help [CMD]",
    .summary = "list the commands, or describe one",
    .help = "Without an argument, lists every command with its aliases and a summary.\n"
            "With one, shows that command's usage, aliases and description.\n"
            "Example:\n"
            "  help pt\n",
    .run = run_help,
};
