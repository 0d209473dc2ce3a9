/*
 * gdb_target.h: what the GDB remote stub needs from the thing it debugs.
 *
 * The stub (gdbstub/) speaks the remote serial protocol and knows nothing about KVM: it
 * drives a target through this table of operations. ukvm implements the table once, on
 * its debug core (ukvm/frontend/gdb_target.c); the stub's unit tests implement it on a
 * fake target with plain memory and registers.
 *
 * Threading: every operation is called from the thread that called gdbstub_serve(),
 * except interrupt(), which the stub calls from its connection-watcher thread while
 * resume() is blocked in the serving thread.
 */
#ifndef UKVM_GDB_TARGET_H
#define UKVM_GDB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Register numbers, in the order of the stub's target description (target.xml) and of
 * the 'g' packet. Sizes: GPRs, rip, fs_base, gs_base and system registers 8 bytes;
 * eflags, segment selectors, x87 control registers and mxcsr 4 bytes; st0-st7 10 bytes;
 * xmm0-xmm15 16 bytes. Multi-byte values are little-endian, as gdb expects for x86.
 */
enum gdb_regno {
    GDB_REG_RAX,
    GDB_REG_RBX,
    GDB_REG_RCX,
    GDB_REG_RDX,
    GDB_REG_RSI,
    GDB_REG_RDI,
    GDB_REG_RBP,
    GDB_REG_RSP,
    GDB_REG_R8,
    GDB_REG_R9,
    GDB_REG_R10,
    GDB_REG_R11,
    GDB_REG_R12,
    GDB_REG_R13,
    GDB_REG_R14,
    GDB_REG_R15,
    GDB_REG_RIP,    /* 16 */
    GDB_REG_EFLAGS, /* 17 */
    GDB_REG_CS,
    GDB_REG_SS,
    GDB_REG_DS,
    GDB_REG_ES,
    GDB_REG_FS,
    GDB_REG_GS,                      /* 18-23 */
    GDB_REG_ST0,                     /* 24-31: st0-st7, 80-bit */
    GDB_REG_FCTRL = GDB_REG_ST0 + 8, /* 32 */
    GDB_REG_FSTAT,
    GDB_REG_FTAG,
    GDB_REG_FISEG,
    GDB_REG_FIOFF,
    GDB_REG_FOSEG,
    GDB_REG_FOOFF,
    GDB_REG_FOP,                       /* 39 */
    GDB_REG_XMM0,                      /* 40-55 */
    GDB_REG_MXCSR = GDB_REG_XMM0 + 16, /* 56 */
    GDB_REG_FS_BASE,
    GDB_REG_GS_BASE, /* 57, 58 */
    GDB_REG_CR0,
    GDB_REG_CR2,
    GDB_REG_CR3,
    GDB_REG_CR4,
    GDB_REG_CR8,
    GDB_REG_EFER, /* 59-64 */
    GDB_REG_COUNT /* 65 */
};

/* The size in bytes of register regno (0 for an invalid number). */
size_t gdb_reg_size(unsigned regno);

/* The register's name as in the target description, e.g. "rip"; NULL if invalid. */
const char *gdb_reg_name(unsigned regno);

/* Breakpoint and watchpoint kinds, numbered as in the Z/z packets. */
enum gdb_bp_type {
    GDB_BP_SOFTWARE = 0,
    GDB_BP_HARDWARE = 1,
    GDB_WP_WRITE = 2,
    GDB_WP_READ = 3,
    GDB_WP_ACCESS = 4,
};

/* Why the target stopped (or ended), for stop replies. */
enum gdb_stop_kind {
    GDB_STOP_SIGNAL, /* stopped with signal; the target can be resumed */
    GDB_STOP_EXITED, /* the target ended with exit_status: 'W' */
    GDB_STOP_KILLED, /* the target ended by signal: 'X' */
};

enum gdb_stop_reason {
    GDB_REASON_NONE,
    GDB_REASON_SWBREAK, /* a software breakpoint the stub inserted: "swbreak:;" */
    GDB_REASON_HWBREAK, /* a hardware breakpoint: "hwbreak:;" */
    GDB_REASON_WATCH,   /* "watch:ADDR;" */
    GDB_REASON_RWATCH,  /* "rwatch:ADDR;" */
    GDB_REASON_AWATCH,  /* "awatch:ADDR;" */
};

/* GDB's own signal numbers (gdb/signals.def), not the host's. */
#define GDB_SIGNAL_0    0
#define GDB_SIGNAL_INT  2
#define GDB_SIGNAL_ILL  4
#define GDB_SIGNAL_TRAP 5
#define GDB_SIGNAL_ABRT 6
#define GDB_SIGNAL_FPE  8
#define GDB_SIGNAL_KILL 9
#define GDB_SIGNAL_SEGV 11

struct gdb_stop {
    enum gdb_stop_kind kind;
    int signal;      /* GDB_SIGNAL_* for GDB_STOP_SIGNAL and GDB_STOP_KILLED */
    int exit_status; /* for GDB_STOP_EXITED, 0-255 */
    enum gdb_stop_reason reason;
    uint64_t watch_addr; /* for the watch reasons */
    /*
     * Reverse execution reached the start of the recorded history: "replaylog:begin;",
     * on which gdb says "No more reverse-execution history".
     */
    bool history_begin;
    /*
     * Optional text for the user (e.g. "Page fault at 0x0: not-present page, write"),
     * sent to gdb's console as 'O' packets before the stop reply. Empty when none.
     */
    char message[512];
};

/* How to resume. */
enum gdb_resume_action {
    GDB_RESUME_CONTINUE,
    GDB_RESUME_STEP, /* exactly one instruction */
    /* Backwards (bc, bs), for a target whose can_reverse() says it can. */
    GDB_RESUME_REVERSE_CONTINUE,
    GDB_RESUME_REVERSE_STEP,
};

/* How a session ended, as told to the target by session_end(). */
enum gdb_session_end {
    GDB_END_DISCONNECT, /* the connection closed or failed: keep the target stopped */
    GDB_END_DETACH,     /* 'D': let the target run on without the debugger */
    GDB_END_KILL,       /* 'k': end the target */
    GDB_END_TARGET_GONE /* the target exited (W/X was sent) */
};

struct gdb_target_ops {
    /*
     * Copies register regno of the stopped target into buf (gdb_reg_size(regno) bytes).
     * Returns 0, or -1 when the register is unavailable (sent as "xx..").
     */
    int (*read_reg)(void *ctx, unsigned regno, void *buf);

    /* Sets register regno from buf; the value must reach the CPU. Returns 0 or -1. */
    int (*write_reg)(void *ctx, unsigned regno, const void *buf);

    /*
     * Reads len bytes at guest-virtual address addr. Returns the number of bytes read
     * from the start of the range (less than len when the range runs into unmapped
     * memory), or -1 when not even the first byte is readable.
     */
    long (*read_mem)(void *ctx, uint64_t addr, void *buf, size_t len);

    /* Writes len bytes at addr (even to read-only pages). Returns 0, or -1 if any byte is unmapped.
     */
    int (*write_mem)(void *ctx, uint64_t addr, const void *buf, size_t len);

    /*
     * Inserts or removes a breakpoint or watchpoint of len bytes (kind, for software
     * breakpoints) at addr. Returns 0, -1 on failure (bad address, no free slot), or 1
     * when the target does not support this type at all (sent as an empty reply).
     */
    int (*insert_bp)(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len);
    int (*remove_bp)(void *ctx, enum gdb_bp_type type, uint64_t addr, size_t len);

    /*
     * Resumes the target, delivering nothing (signals cannot be injected into a
     * unikernel: a non-zero signal from 'C'/'S' is ignored), and blocks until it stops
     * again or ends; fills *stop. Returns 0, or -1 when the target cannot run any more.
     */
    int (*resume)(void *ctx, enum gdb_resume_action action, struct gdb_stop *stop);

    /*
     * Asks a target blocked in resume() to stop soon (Ctrl-C, or the connection went
     * away); resume() then returns with GDB_SIGNAL_INT. Thread-safe; idempotent.
     * The stub's watcher is armed just before resume() and disarmed just after it, so a
     * request can come shortly before resume() blocks (a Ctrl-C right behind the resume
     * packet) or as it returns: the target keeps it until a resume() acts on it.
     */
    void (*interrupt)(void *ctx);

    /* The current stop, for the '?' packet. */
    void (*stop_status)(void *ctx, struct gdb_stop *stop);

    /*
     * Runs a `monitor` command line (qRcmd), writing its output to out. Returns 0, or
     * -1 when the command failed (its error is in the output).
     */
    int (*monitor)(void *ctx, const char *command, FILE *out);

    /*
     * The session is over: remove every breakpoint and watchpoint the session inserted,
     * then act on how it ended (see enum gdb_session_end).
     */
    void (*session_end)(void *ctx, enum gdb_session_end how);

    /*
     * True when resume() takes the reverse actions (a recorded run): the stub then
     * offers ReverseStep+ and ReverseContinue+ and serves bs and bc. May be NULL: never.
     */
    bool (*can_reverse)(void *ctx);
};

#endif /* UKVM_GDB_TARGET_H */
