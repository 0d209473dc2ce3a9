/*
 * rsp_parse.c: cursor-based field parsers for received packets.
 */
#include <string.h>

#include "rsp_parse.h"

int rsp_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

struct rsp_cursor rsp_cursor(const void *p, size_t len)
{
    struct rsp_cursor cur = {(const char *)p, (const char *)p + len};
    return cur;
}

bool rsp_at_end(const struct rsp_cursor *cur)
{
    return cur->p >= cur->end;
}

size_t rsp_left(const struct rsp_cursor *cur)
{
    return cur->p < cur->end ? (size_t)(cur->end - cur->p) : 0;
}

bool rsp_take_char(struct rsp_cursor *cur, char c)
{
    if (rsp_at_end(cur) || *cur->p != c)
        return false;
    cur->p++;
    return true;
}

bool rsp_take_prefix(struct rsp_cursor *cur, const char *s)
{
    size_t n = strlen(s);
    if (rsp_left(cur) < n || memcmp(cur->p, s, n) != 0)
        return false;
    cur->p += n;
    return true;
}

bool rsp_rest_is(const struct rsp_cursor *cur, const char *s)
{
    size_t n = strlen(s);
    return rsp_left(cur) == n && memcmp(cur->p, s, n) == 0;
}

bool rsp_take_hex(struct rsp_cursor *cur, uint64_t *val)
{
    const char *p = cur->p;
    uint64_t v = 0;
    int d;
    while (p < cur->end && (d = rsp_hex_digit((unsigned char)*p)) >= 0) {
        if (v >> 60)
            return false; /* a 17th significant digit */
        v = v << 4 | (uint64_t)d;
        p++;
    }
    if (p == cur->p)
        return false;
    cur->p = p;
    *val = v;
    return true;
}

/* One part of a thread id: "-1" or a hex number that fits in 63 bits. */
static bool take_id_part(struct rsp_cursor *cur, int64_t *id)
{
    if (rsp_take_prefix(cur, "-1")) {
        *id = -1;
        return true;
    }
    uint64_t v;
    struct rsp_cursor save = *cur;
    if (!rsp_take_hex(cur, &v) || v > INT64_MAX) {
        *cur = save;
        return false;
    }
    *id = (int64_t)v;
    return true;
}

bool rsp_take_thread_id(struct rsp_cursor *cur, int64_t *tid)
{
    struct rsp_cursor save = *cur;
    int64_t pid, id;
    if (rsp_take_char(cur, 'p')) {
        if (!take_id_part(cur, &pid)) {
            *cur = save;
            return false;
        }
        if (!rsp_take_char(cur, '.')) {
            *tid = -1; /* "pPID" alone means every thread of that process */
            return true;
        }
    }
    if (!take_id_part(cur, &id)) {
        *cur = save;
        return false;
    }
    *tid = id;
    return true;
}

bool rsp_take_hex_bytes(struct rsp_cursor *cur, void *out, size_t len)
{
    if (rsp_left(cur) / 2 < len)
        return false;
    uint8_t *o = out;
    for (size_t i = 0; i < len; i++) {
        int hi = rsp_hex_digit((unsigned char)cur->p[2 * i]);
        int lo = rsp_hex_digit((unsigned char)cur->p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        o[i] = (uint8_t)(hi << 4 | lo);
    }
    cur->p += 2 * len;
    return true;
}

void rsp_byte_to_hex(uint8_t b, char *out)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = digits[b >> 4];
    out[1] = digits[b & 15];
}
