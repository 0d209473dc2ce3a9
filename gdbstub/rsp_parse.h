/*
 * rsp_parse.h: reading the fields of a received packet, which gdb (or anyone who can
 * connect) controls entirely.
 *
 * A packet is parsed through a cursor over [p, end), never as a C string, so an embedded
 * NUL or a missing terminator cannot make a parser run past the packet. Every parser
 * either consumes a well-formed field and returns true, or returns false and leaves the
 * cursor where it was.
 */
#ifndef UKVM_GDBSTUB_RSP_PARSE_H
#define UKVM_GDBSTUB_RSP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rsp_cursor {
    const char *p;
    const char *end;
};

/* The value of one hex digit (either case), or -1. */
int rsp_hex_digit(int c);

/* A cursor over len bytes at p. */
struct rsp_cursor rsp_cursor(const void *p, size_t len);

/* True when nothing is left. */
bool rsp_at_end(const struct rsp_cursor *cur);

/* The bytes left. */
size_t rsp_left(const struct rsp_cursor *cur);

/* Consumes c if it is next. */
bool rsp_take_char(struct rsp_cursor *cur, char c);

/* Consumes the NUL-terminated string s if the remaining input starts with it. */
bool rsp_take_prefix(struct rsp_cursor *cur, const char *s);

/* True when the remaining input is exactly s (nothing consumed). */
bool rsp_rest_is(const struct rsp_cursor *cur, const char *s);

/*
 * Consumes a hex number of 1 to 16 significant digits (leading zeros allowed) into *val.
 * False, consuming nothing, when there is no digit or the value does not fit 64 bits.
 */
bool rsp_take_hex(struct rsp_cursor *cur, uint64_t *val);

/*
 * Consumes a thread id as gdb writes one: "-1" (all), "0" (any), a hex number, or, in the
 * multiprocess form, "pPID.TID" (each part such a number). Returns true with *tid set to
 * -1, 0 or the thread number (the pid part is ignored: there is one process).
 */
bool rsp_take_thread_id(struct rsp_cursor *cur, int64_t *tid);

/*
 * Decodes exactly 2 * len hex digits from the cursor into out. False (consuming nothing)
 * if fewer digits are left or one is not a hex digit.
 */
bool rsp_take_hex_bytes(struct rsp_cursor *cur, void *out, size_t len);

/* Writes the two lower-case hex digits of byte b to out[0..1]. */
void rsp_byte_to_hex(uint8_t b, char *out);

#endif /* UKVM_GDBSTUB_RSP_PARSE_H */
