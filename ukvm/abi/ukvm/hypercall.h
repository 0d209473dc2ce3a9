/*
 * hypercall.h: the monitor's side of the guest's hypercalls (include/ukvm_abi.h).
 *
 * The run loop hands every port write in the hypercall range to hypercall_dispatch().
 * Each handler copies its argument struct out of guest memory once, checks every
 * address and length in it, and either completes the call or names the offending
 * field in ctx->error and returns HC_GUEST_ERROR, which ends the guest.
 */
#ifndef UKVM_HYPERCALL_H
#define UKVM_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "ukvm/devices/block_dev.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm_abi.h"

enum hc_outcome {
    HC_CONTINUE,    /* done; resume the guest */
    HC_HALT,        /* solo5_exit: ctx->exit_status */
    HC_ABORT,       /* solo5_abort or stack smashing: ctx->message, ctx->frame */
    HC_TRAP,        /* CPU exception: ctx->frame */
    HC_GUEST_ERROR, /* malformed call: ctx->error says what */
};

/* The most guest ranges one hypercall reads or writes: argument, data, result. */
#define HC_ACCESS_MAX 4

struct hc_context {
    /* Set by the caller. */
    const struct guest_mem *mem;
    const struct block_devs *blocks;
    int console_fd; /* where PUTS output goes */
    int wake_fd;    /* readable when POLL must return early (a signal arrived); -1 for none */
    /* Filled by the handlers. */
    uint64_t exit_status;
    struct ukvm_trap_frame frame;
    uint64_t abort_function; /* ABORT: the aborting routine's address, or 0 */
    char message[256];
    char error[256];
    /*
     * The guest memory the call read or wrote (hc_note_access), so that watchpoints see
     * the monitor's own accesses: reset by the caller before each dispatch.
     */
    struct hc_access {
        uint64_t gpa, len;
        bool write;
    } access[HC_ACCESS_MAX];
    unsigned naccess;
};

/*
 * Handles the guest's write of value (the argument's guest-physical address) to port.
 * The caller has checked that port is in [UKVM_HC_PORT_BASE, UKVM_HC_PORT_BASE + 0x100).
 */
enum hc_outcome hypercall_dispatch(struct hc_context *ctx, uint16_t port, uint32_t value);

/* The call's name as in the ABI, e.g. "PUTS" for UKVM_HC_PUTS; "unknown" otherwise. */
const char *hypercall_name(unsigned nr);

/* Handlers, one per file; each has the contract of hypercall_dispatch for its call. */
enum hc_outcome hc_puts(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_poll(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_block_info(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_block_write(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_block_read(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_halt(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_abort(struct hc_context *ctx, uint64_t arg);
enum hc_outcome hc_trap(struct hc_context *ctx, uint64_t arg);

/*
 * Helper for handlers: records "hypercall NAME: <formatted reason>" in ctx->error and
 * returns HC_GUEST_ERROR.
 */
enum hc_outcome hc_guest_error(struct hc_context *ctx, unsigned nr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Helper for handlers: records that the call read (write false) or wrote [gpa, gpa+len)
 * of guest memory. Beyond HC_ACCESS_MAX ranges, the last one grows to cover the rest.
 */
void hc_note_access(struct hc_context *ctx, uint64_t gpa, uint64_t len, bool write);

/*
 * Helper for handlers: copies the argument struct of call nr from arg into dst, or
 * reports the bad address through hc_guest_error. Returns 0 or -1.
 */
int hc_copy_args(struct hc_context *ctx, unsigned nr, uint64_t arg, void *dst, size_t len);

/*
 * Helper for handlers: writes the argument struct back (results) and records the write,
 * or reports the bad address through hc_guest_error. Returns 0 or -1.
 */
int hc_write_back(struct hc_context *ctx, unsigned nr, uint64_t arg, const void *src, size_t len);

#endif /* UKVM_HYPERCALL_H */
