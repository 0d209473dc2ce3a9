/*
 * hc_core.h: what every guest ABI's hypercalls share: the call context, the outcomes
 * the run loop acts on, and the checked copies in and out of guest memory.
 *
 * Each ABI (ukvm/abi/ukvm/, ukvm/abi/hvt/) has its own table of handlers. A handler
 * copies its argument struct out of guest memory once, checks every address and length
 * in it, and either completes the call or names the offending field in ctx->error and
 * returns HC_GUEST_ERROR, which ends the guest.
 */
#ifndef UKVM_HC_CORE_H
#define UKVM_HC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ukvm/devices/block_dev.h"
#include "ukvm/devices/net_dev.h"
#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vm.h"
#include "ukvm_abi.h"

enum hc_outcome {
    HC_CONTINUE,    /* done; resume the guest */
    HC_HALT,        /* solo5_exit: ctx->exit_status */
    HC_ABORT,       /* solo5_abort or stack smashing: ctx->message, ctx->frame */
    HC_TRAP,        /* CPU exception: ctx->frame */
    HC_GUEST_ERROR, /* malformed call: ctx->error says what */
    /*
     * Not done: the call waits (an hvt POLL, console output nobody reads) and a stop was
     * requested meanwhile. Its results are not written; the run loop reports the stop (a
     * debugger sees rip past the port write, where the guest will go on) and dispatches
     * the same call again before the vCPU runs next, with ctx->progress as the call left
     * it, which waits for what is left and then completes it.
     */
    HC_INTERRUPTED,
    /*
     * The host side of a device failed (a tap interface was deleted): not the guest's
     * doing, but the guest cannot go on with it. ctx->error says what; the run ends with
     * UKVM_EXIT_DEVICE.
     */
    HC_HOST_ERROR,
};

/* The most guest ranges one hypercall reads or writes: argument, data, result. */
#define HC_ACCESS_MAX 4

struct hc_context {
    /* Set by the caller. */
    const struct guest_mem *mem;
    const struct block_devs *blocks;
    struct net_devs *nets; /* may be NULL: no network devices */
    int console_fd;        /* where console output goes */
    int wake_fd;       /* readable when a poll must return early (a signal arrived); -1 for none */
    void *abi_state;   /* the ABI's own run state (hvt: the manifest); NULL for none */
    struct vcpu *vcpu; /* for calls that set vCPU state (SET_TLS_BASE); may be NULL */
    bool user_mode;    /* the guest runs in user mode (ukvm/guest/user_shim.h) */
    uint64_t clock_origin_ns; /* CLOCK_MONOTONIC at the guest's start (UKVM_HC_CLOCK) */
    /* Set by the ABI's dispatcher: names its calls in error messages. */
    const char *(*hc_name)(unsigned nr);
    /*
     * How far an interrupted call had got (HC_INTERRUPTED): console output, the bytes
     * already written. The run loop hands it back when it dispatches the same call again,
     * so that nothing is written twice; 0 for a new call.
     */
    uint64_t progress;
    /* Filled by the handlers. */
    uint64_t exit_status;
    /*
     * The faulting or aborting context, whatever the ABI: the ukvm trap frame is the
     * monitor's one representation of it (crash reports, debugger stops, cores).
     */
    struct ukvm_trap_frame frame;
    /*
     * TRAP: some registers of frame could not be recovered and hold the values at the
     * report instead (a Solo5 handler saves only part of them): good for a crash report,
     * not for resuming the guest from frame.
     */
    bool frame_partial;
    uint64_t abort_function; /* ABORT: the aborting routine's address, or 0 */
    /* The call changed vCPU state (the FS base): a recorded run logs it (recorder.h). */
    bool vcpu_changed;
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
 * Records "hypercall NAME: <formatted reason>" in ctx->error (NAME from ctx->hc_name)
 * and returns HC_GUEST_ERROR.
 */
enum hc_outcome hc_guest_error(struct hc_context *ctx, unsigned nr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Records that the call read (write false) or wrote [gpa, gpa+len) of guest memory.
 * Beyond HC_ACCESS_MAX ranges, the last one grows to cover the rest.
 */
void hc_note_access(struct hc_context *ctx, uint64_t gpa, uint64_t len, bool write);

/*
 * Copies the argument struct of call nr from arg into dst, or reports the bad address
 * through hc_guest_error. Returns 0 or -1.
 */
int hc_copy_args(struct hc_context *ctx, unsigned nr, uint64_t arg, void *dst, size_t len);

/*
 * Writes the argument struct back (results) and records the write, or reports the bad
 * address through hc_guest_error. Returns 0 or -1.
 */
int hc_write_back(struct hc_context *ctx, unsigned nr, uint64_t arg, const void *src, size_t len);

/*
 * The last step of most handlers: hc_write_back, as the call's outcome (HC_CONTINUE when
 * the results were written, HC_GUEST_ERROR when the argument struct is not in memory).
 */
enum hc_outcome hc_complete(struct hc_context *ctx, unsigned nr, uint64_t arg, const void *src,
                            size_t len);

/*
 * The device name a lookup call nr passes at [gpa, gpa+len) (not NUL-ended): a pointer
 * into guest memory, with the read noted; NULL after hc_guest_error when it lies outside.
 */
const char *hc_device_name(struct hc_context *ctx, unsigned nr, uint64_t gpa, uint64_t len);

/*
 * Writes len bytes of guest memory at data to ctx->console_fd, after checking the range
 * (hypercall nr for messages), from ctx->progress on. Output nobody reads (a full pipe)
 * blocks the guest in the call, as a process blocks in write(2), but never past a stop
 * request: when ctx->wake_fd becomes readable first, it records the bytes written in
 * ctx->progress and returns HC_INTERRUPTED. A write that fails (EPIPE: the reader went
 * away; a full disk) ends the guest: HC_HOST_ERROR, with the reason in ctx->error.
 * Returns HC_CONTINUE when all was written, or HC_GUEST_ERROR.
 */
enum hc_outcome hc_console_write(struct hc_context *ctx, unsigned nr, uint64_t data, uint64_t len);

/*
 * Waits in the host for up to timeout_ns (any 64-bit value; clamped to what the host can
 * wait) for a frame on any network device, returning early when ctx->wake_fd becomes
 * readable (a stop was requested): the guest's yield or poll costs no guest instructions.
 * A timeout of 0 only looks. Sets bit i of *ready_nets for each network device i (index in
 * ctx->nets) with a frame waiting, and *woken when the wake descriptor ended the wait.
 * Returns 0, or -1 with the reason in ctx->error when a network device failed (then
 * return HC_HOST_ERROR).
 */
int hc_wait(struct hc_context *ctx, uint64_t timeout_ns, uint64_t *ready_nets, bool *woken);

#endif /* UKVM_HC_CORE_H */
