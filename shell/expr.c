/*
 * expr.c: address expressions (see expr.h).
 *
 * A hand-written scanner rather than strtoull: strtoull accepts a sign, leading blanks
 * and octal, and saturates on overflow, all of which would turn a typo into a
 * plausible-looking but wrong address.
 */
#include "expr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "ukvm/inspect/symbolize.h"

/* Names and numbers are echoed in errors at most this long. */
#define ECHO_MAX 40
/* The longest symbol name looked up (C identifiers in the kernel are far shorter). */
#define SYMBOL_MAX 255

static void set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

/* Length of the word starting at p, for echoing what could not be parsed. */
static int word_len(const char *p)
{
    int n = 0;
    if (is_word_char(p[0])) {
        while (p[n] && is_word_char(p[n]))
            n++;
    } else {
        while (p[n] && !is_blank(p[n])) /* punctuation: up to the next blank */
            n++;
    }
    return n;
}

/* How much of a word of len characters to echo, and what to add after it. */
static int clip(int len)
{
    return len < ECHO_MAX ? len : ECHO_MAX;
}

static const char *ellipsis(int len)
{
    return len > ECHO_MAX ? "..." : "";
}

/*
 * Scans a number at *p (0x hex or decimal) and advances *p past it. Returns 0, or -1
 * with a reason in err (not a number, too large, trailing letters).
 */
static int scan_number(const char **p, uint64_t *value, char *err, size_t errlen)
{
    const char *s = *p;
    int n = word_len(s);
    uint64_t v = 0;
    const char *q = s;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        q += 2;
        if (!isxdigit((unsigned char)*q))
            goto not_a_number;
        for (; isxdigit((unsigned char)*q); q++) {
            unsigned d = isdigit((unsigned char)*q)
                             ? (unsigned)(*q - '0')
                             : (unsigned)(tolower((unsigned char)*q) - 'a' + 10);
            if (v > (UINT64_MAX >> 4))
                goto too_large;
            v = (v << 4) | d;
        }
    } else {
        if (!isdigit((unsigned char)*q))
            goto not_a_number;
        for (; isdigit((unsigned char)*q); q++) {
            unsigned d = (unsigned)(*q - '0');
            if (v > (UINT64_MAX - d) / 10)
                goto too_large;
            v = v * 10 + d;
        }
    }
    if (is_word_char(*q))
        goto not_a_number;
    *value = v;
    *p = q;
    return 0;
not_a_number:
    set_error(err, errlen, "'%.*s%s': not a number", clip(n), s, ellipsis(n));
    return -1;
too_large:
    set_error(err, errlen, "'%.*s%s': too large for 64 bits", clip(n), s, ellipsis(n));
    return -1;
}

/* ---------------------------------------------------------------- registers */

enum reg_set { REG_GENERAL, REG_SYSTEM, REG_SEGBASE };

struct reg_name {
    const char *name;
    enum reg_set set;
    size_t offset; /* into struct vcpu_regs or vcpu_sregs (for SEGBASE, of the segment) */
};

#define GREG(n, f)                                    \
    {                                                 \
        n, REG_GENERAL, offsetof(struct vcpu_regs, f) \
    }
#define SREG(n, f)                                    \
    {                                                 \
        n, REG_SYSTEM, offsetof(struct vcpu_sregs, f) \
    }
#define SBASE(n, f)                                    \
    {                                                  \
        n, REG_SEGBASE, offsetof(struct vcpu_sregs, f) \
    }

static const struct reg_name reg_names[] = {
    GREG("rax", rax),
    GREG("rbx", rbx),
    GREG("rcx", rcx),
    GREG("rdx", rdx),
    GREG("rsi", rsi),
    GREG("rdi", rdi),
    GREG("rsp", rsp),
    GREG("rbp", rbp),
    GREG("r8", r8),
    GREG("r9", r9),
    GREG("r10", r10),
    GREG("r11", r11),
    GREG("r12", r12),
    GREG("r13", r13),
    GREG("r14", r14),
    GREG("r15", r15),
    GREG("rip", rip),
    GREG("rflags", rflags),
    GREG("eflags", rflags),
    /* gdb's generic names */
    GREG("pc", rip),
    GREG("sp", rsp),
    GREG("fp", rbp),
    SREG("cr0", cr0),
    SREG("cr2", cr2),
    SREG("cr3", cr3),
    SREG("cr4", cr4),
    SREG("cr8", cr8),
    SREG("efer", efer),
    SBASE("fs_base", fs),
    SBASE("gs_base", gs),
};

/* Reads register name ("rsp", without the $) of the stopped vCPU. */
static int read_register(const struct command_env *env, const char *name, uint64_t *value,
                         char *err, size_t errlen)
{
    const struct reg_name *r = NULL;
    for (size_t i = 0; i < sizeof(reg_names) / sizeof(reg_names[0]); i++)
        if (strcasecmp(reg_names[i].name, name) == 0)
            r = &reg_names[i];
    if (!r) {
        set_error(err, errlen, "unknown register '$%.*s%s'", ECHO_MAX, name,
                  ellipsis((int)strlen(name)));
        return -1;
    }
    if (r->set == REG_GENERAL) {
        struct vcpu_regs regs;
        if (!env->get_regs || env->get_regs(env->ctx, &regs) != 0)
            goto unavailable;
        memcpy(value, (const char *)&regs + r->offset, sizeof(*value));
        return 0;
    }
    struct vcpu_sregs sregs;
    if (!env->get_sregs || env->get_sregs(env->ctx, &sregs) != 0)
        goto unavailable;
    if (r->set == REG_SYSTEM) {
        memcpy(value, (const char *)&sregs + r->offset, sizeof(*value));
    } else {
        struct vcpu_segment seg;
        memcpy(&seg, (const char *)&sregs + r->offset, sizeof(seg));
        *value = seg.base;
    }
    return 0;
unavailable:
    set_error(err, errlen, "cannot read $%s: the registers are unavailable", r->name);
    return -1;
}

/* ---------------------------------------------------------------- primaries */

/* Scans a number, symbol or $register at *p and advances *p past it. */
static int scan_primary(const struct command_env *env, const char **p, uint64_t *value, char *err,
                        size_t errlen)
{
    const char *s = *p;
    if (isdigit((unsigned char)*s))
        return scan_number(p, value, err, errlen);

    char name[SYMBOL_MAX + 1];
    bool reg = *s == '$';
    const char *start = reg ? s + 1 : s;
    size_t n = 0;
    if (isalpha((unsigned char)*start) || *start == '_' || (!reg && *start == '.'))
        while (is_word_char(start[n]) && start[n] != '$')
            n++;
    if (n == 0) {
        int w = word_len(s);
        if (*s == '\0')
            set_error(err, errlen, "missing address");
        else
            set_error(err, errlen, "'%.*s%s': expected a number, a symbol or a $register", clip(w),
                      s, ellipsis(w));
        return -1;
    }
    if (n > SYMBOL_MAX) {
        set_error(err, errlen, "'%.*s...': name too long", ECHO_MAX, start);
        return -1;
    }
    memcpy(name, start, n);
    name[n] = '\0';
    *p = start + n;
    if (reg)
        return read_register(env, name, value, err, errlen);

    struct symbolizer *sym = command_symbols(env);
    if (!sym) {
        set_error(err, errlen, "cannot look '%.*s%s' up: no symbols loaded", ECHO_MAX, name,
                  ellipsis((int)n));
        return -1;
    }
    if (symbolizer_lookup_name(sym, name, value) != 0) {
        set_error(err, errlen, "unknown symbol '%.*s%s'", ECHO_MAX, name, ellipsis((int)n));
        return -1;
    }
    return 0;
}

static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

int expr_eval(const struct command_env *env, const char *text, uint64_t *value, char *err,
              size_t errlen)
{
    if (!text) {
        set_error(err, errlen, "missing address");
        return -1;
    }
    const char *p = skip_blanks(text);
    uint64_t base;
    if (scan_primary(env, &p, &base, err, errlen) != 0)
        return -1;
    p = skip_blanks(p);
    if (*p == '\0') {
        *value = base;
        return 0;
    }
    char op = *p;
    if (op != '+' && op != '-') {
        int w = word_len(p);
        set_error(err, errlen, "unexpected '%.*s%s': only one + or - of a number may follow",
                  clip(w), p, ellipsis(w));
        return -1;
    }
    p = skip_blanks(p + 1);
    if (*p == '\0') {
        set_error(err, errlen, "missing number after '%c'", op);
        return -1;
    }
    uint64_t offset;
    if (scan_number(&p, &offset, err, errlen) != 0)
        return -1;
    p = skip_blanks(p);
    if (*p != '\0') {
        int w = word_len(p);
        set_error(err, errlen, "unexpected '%.*s%s': only one + or - of a number may follow",
                  clip(w), p, ellipsis(w));
        return -1;
    }
    uint64_t result;
    bool overflow = op == '+' ? __builtin_add_overflow(base, offset, &result)
                              : __builtin_sub_overflow(base, offset, &result);
    if (overflow) {
        set_error(err, errlen, "0x%llx %c 0x%llx %s", (unsigned long long)base, op,
                  (unsigned long long)offset, op == '+' ? "overflows 64 bits" : "is negative");
        return -1;
    }
    *value = result;
    return 0;
}

int expr_eval_words(const struct command_env *env, int argc, char **argv, uint64_t *value,
                    char *err, size_t errlen)
{
    char text[COMMAND_LINE_MAX + 1];
    size_t pos = 0;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (pos + n + 1 > sizeof(text)) {
            set_error(err, errlen, "expression too long");
            return -1;
        }
        if (i > 0)
            text[pos++] = ' ';
        memcpy(text + pos, argv[i], n);
        pos += n;
    }
    text[pos] = '\0';
    return expr_eval(env, text, value, err, errlen);
}

int expr_parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *value, char *err,
                     size_t errlen)
{
    if (!text || !*text) {
        set_error(err, errlen, "missing number");
        return -1;
    }
    const char *p = text;
    uint64_t v;
    if (!isdigit((unsigned char)*p)) {
        set_error(err, errlen, "'%.*s%s': not a number%s", ECHO_MAX, text,
                  ellipsis((int)strlen(text)), *p == '-' ? " (negative)" : "");
        return -1;
    }
    if (scan_number(&p, &v, err, errlen) != 0)
        return -1;
    if (*p != '\0') {
        set_error(err, errlen, "'%.*s%s': not a number", ECHO_MAX, text,
                  ellipsis((int)strlen(text)));
        return -1;
    }
    if (v < min || v > max) {
        set_error(err, errlen, "%.*s%s is out of range (%llu-%llu)", ECHO_MAX, text,
                  ellipsis((int)strlen(text)), (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *value = v;
    return 0;
}
