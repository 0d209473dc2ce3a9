/*
 * strbuf.h: bounded appends into a caller's fixed-size string buffer.
 *
 * The describe/format functions of the inspection library all write into a buffer
 * the caller owns and promise a NUL-terminated (possibly truncated) result. Keeping
 * that promise with bare snprintf needs the same clamp arithmetic at every call, so
 * it lives here once.
 */
#ifndef UKVM_STRBUF_H
#define UKVM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct strbuf {
    char *buf;
    size_t len; /* capacity including the NUL */
    size_t pos; /* bytes written so far, at most len - 1 */
};

/* Starts an empty string in buf (len may be 0, then nothing is ever written). */
static inline void strbuf_init(struct strbuf *sb, char *buf, size_t len)
{
    sb->buf = buf;
    sb->len = len;
    sb->pos = 0;
    if (len > 0)
        buf[0] = '\0';
}

/* Appends printf-style; output that does not fit is silently truncated. */
__attribute__((format(printf, 2, 3))) static inline void strbuf_printf(struct strbuf *sb,
                                                                       const char *fmt, ...)
{
    if (sb->len == 0 || sb->pos >= sb->len - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->pos, sb->len - sb->pos, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sb->pos += (size_t)n;
    if (sb->pos > sb->len - 1)
        sb->pos = sb->len - 1;
}

/* Appends a word, with a single space before it unless the string is still empty. */
static inline void strbuf_word(struct strbuf *sb, const char *word)
{
    strbuf_printf(sb, "%s%s", sb->pos ? " " : "", word);
}

#endif /* UKVM_STRBUF_H */
