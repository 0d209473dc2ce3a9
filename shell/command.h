/*
 * command.h: ukvm's command table, shared by gdb's `monitor` (qRcmd) and the shell.
 *
 * A command line is split into words, its first word names a command, and the command
 * runs against a struct command_env: a read-only view of the stopped guest (registers,
 * guest-physical memory, symbols, the exit trace, the last exception). Both front ends
 * build an env and call command_execute(); neither parses arguments itself, so every
 * shell command is also a `monitor` command, and the reverse.
 *
 * Everything a command receives comes from a person at a keyboard or a script, and is
 * treated as hostile: a bad line prints one clear line of error and returns -1; nothing
 * a user types can crash the monitor or read outside guest memory.
 *
 * Adding a command: write its run function and its struct command in the shell/cmd_*.c
 * of its group, declare the struct below, and list it in the table in command.c (the
 * order there is the order of `help`). Commands that must run or change the guest
 * (continue, stepi, break, ...) set COMMAND_NEEDS_CONTROL and use env->control: the
 * shell fills it; gdb's monitor does not (gdb runs the guest and owns the breakpoints
 * there), so it answers them with an error naming gdb's own command (in_gdb).
 */
#ifndef UKVM_SHELL_COMMAND_H
#define UKVM_SHELL_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ukvm/abi/ukvm/last_exception.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/inspect/guest_access.h"
#include "ukvm/run/exit_trace.h"
#include "ukvm/vm/vcpu_state.h"

/* The longest line command_execute accepts, in bytes (without the NUL). */
#define COMMAND_LINE_MAX 4096
/* The most words in one line, the command name included. */
#define COMMAND_ARGS_MAX 64

struct symbolizer;
struct net_devs;

/* A hypervisor memory slot, for `mem`. */
struct command_memslot {
    uint32_t id;
    uint64_t gpa, size;
    bool read_only;
};

/* ---------------------------------------------------------------- control */

/* What a breakpoint-like command inserts. */
enum command_break_kind {
    COMMAND_BREAK_SW,     /* software breakpoint (int3) */
    COMMAND_BREAK_HW,     /* hardware execution breakpoint (a debug register) */
    COMMAND_WATCH_WRITE,  /* watchpoint: stop after a write to [addr, addr+len) */
    COMMAND_WATCH_READ,   /* watchpoint: stop after a read */
    COMMAND_WATCH_ACCESS, /* watchpoint: stop after a read or a write */
};

/* Why the guest is stopped, as the commands report it. */
enum command_stop_kind {
    COMMAND_STOP_ENTRY,         /* before the first instruction */
    COMMAND_STOP_STEP,          /* one instruction was executed */
    COMMAND_STOP_BREAK,         /* a software breakpoint; rip at it */
    COMMAND_STOP_HW_BREAK,      /* a hardware breakpoint; rip at it */
    COMMAND_STOP_WATCH,         /* a watchpoint; rip after the accessing instruction */
    COMMAND_STOP_INT3,          /* an int3 in the guest's own code; rip after it */
    COMMAND_STOP_INTERRUPT,     /* Ctrl-C */
    COMMAND_STOP_FAULT,         /* a fatal exception: the vCPU is in the faulting context */
    COMMAND_STOP_ABORT,         /* solo5_abort or the stack protector */
    COMMAND_STOP_CRASH,         /* triple fault, KVM internal error, hlt, bad hypercall, ... */
    COMMAND_STOP_EXITED,        /* the guest is gone */
    COMMAND_STOP_LIFTED,        /* a watchpoint's page trap was lifted: see ukvm's stderr */
    COMMAND_STOP_HISTORY_BEGIN, /* going backwards, at the start of the recorded history */
};

struct command_stop {
    enum command_stop_kind kind;
    uint64_t watch_addr; /* WATCH: the watched address that was accessed, 0 when unknown */
    int exit_status;     /* EXITED: ukvm's exit status for the guest's end */
    int signal;          /* EXITED by SIGINT/SIGTERM to ukvm: that signal; else 0 */
    char message[512];   /* FAULT, ABORT, CRASH: what happened, in one line; else empty */
    bool backwards;      /* reached going backwards: a WATCH stop is before the access */
};

#define COMMAND_BREAKPOINTS_MAX 64

/* A breakpoint or watchpoint the commands set, numbered for `delete`. */
struct command_breakpoint {
    unsigned id; /* 1, 2, ... in order of creation */
    enum command_break_kind kind;
    uint64_t addr, len;
};

/*
 * Operations that run or change the guest, given by a front end that can control it
 * (the shell); NULL in gdb's monitor, where gdb itself runs the guest and owns the
 * breakpoints. Every callback must be set.
 */
struct command_control {
    void *ctx;
    /*
     * Runs the guest until it stops again, or one instruction when step is true, and
     * says why it stopped in *stop. Returns 0, or -1 when the guest cannot run (*stop
     * then says why: it ended, or KVM failed).
     */
    int (*resume)(void *ctx, bool step, struct command_stop *stop);
    /* Why the guest is stopped now. */
    void (*stop_status)(void *ctx, struct command_stop *stop);
    /*
     * Inserts or removes one breakpoint or watchpoint of len bytes (1 for breakpoints).
     * insert returns 0, or -1 with a one-line reason in err; remove returns 0 or -1.
     */
    int (*insert)(void *ctx, enum command_break_kind kind, uint64_t addr, uint64_t len, char *err,
                  size_t errlen);
    int (*remove)(void *ctx, enum command_break_kind kind, uint64_t addr, uint64_t len);
    /*
     * Runs the guest backwards (a recorded run, ukvm --record): one instruction when step
     * is true, else to the last breakpoint or watchpoint stop before now, or to the start
     * of the history. Returns 0, or -1 with the reason in stop->message. NULL: the run is
     * not recorded.
     */
    int (*reverse)(void *ctx, bool step, struct command_stop *stop);
    /* Ends the session once the current command returns (`quit`). */
    void (*quit)(void *ctx);
    /* The numbered breakpoints, kept here for the commands (zero-initialise). */
    struct command_breakpoint bps[COMMAND_BREAKPOINTS_MAX];
    size_t nbps;
    unsigned last_id;
};

/* What commands may look at: the stopped guest. Every pointer may be NULL. */
struct command_env {
    void *ctx; /* passed back to the callbacks below */
    /* The stopped vCPU's registers. Return 0, or -1 when they cannot be read. */
    int (*get_regs)(void *ctx, struct vcpu_regs *regs);
    int (*get_sregs)(void *ctx, struct vcpu_sregs *sregs);
    struct guest_access mem; /* guest-physical reads; read_phys may be NULL */
    /*
     * The kernel's symbols, opened on first use and owned by the front end; NULL when
     * the ELF has none or cannot be read. The callback itself may be NULL too.
     */
    struct symbolizer *(*symbols)(void *ctx);
    const struct exit_trace *exits;         /* may be NULL: no trace kept */
    const struct last_exception *exception; /* may be NULL or LAST_EXCEPTION_NONE */
    const struct boot_layout *layout;       /* may be NULL: no plain-words readings */
    const struct net_devs *nets;            /* may be NULL: no network devices */
    struct command_control *control;        /* NULL: no command may run the guest */
    /*
     * Guest-virtual reads as a debugger sees them (original bytes under breakpoints):
     * returns how many bytes were read from the start (fewer at an unmapped page), or -1
     * when the first is not mapped. NULL: commands walk the page tables through mem.
     */
    long (*read_virt)(void *ctx, uint64_t va, void *buf, size_t len);
    /* The vCPU's debug registers and the hypervisor's pending events; 0 or -1. */
    int (*get_debugregs)(void *ctx, struct vcpu_debugregs *dr);
    int (*get_events)(void *ctx, struct vcpu_events *ev);
    const struct elf_image *image; /* the loaded segments; may be NULL */
    /* The hypervisor's memory slots: fills up to max, returns how many there are. */
    size_t (*memslots)(void *ctx, struct command_memslot *out, size_t max);
    /*
     * Writes an ELF core file of the stopped guest as the debugger sees it now to path
     * (NULL: the default name, ukvm/crash/core_dump.h) and prints "core written to PATH
     * (...)" to out. Returns 0, or -1 with a one-line reason in err. NULL: `core` is
     * refused.
     */
    int (*write_core)(void *ctx, const char *path, FILE *out, char *err, size_t errlen);
    /* Prints the state of a recorded run (`record`); NULL: the run is not recorded. */
    void (*describe_record)(void *ctx, FILE *out);
};

/* Flags of a command. */
#define COMMAND_NEEDS_CONTROL (1u << 0) /* refused with an error while env->control is NULL */

struct command {
    const char *name;    /* the canonical name, e.g. "regs" */
    const char *aliases; /* other names, space-separated, e.g. "r reg registers"; may be NULL */
    const char *usage;   /* e.g. "pt ADDR" */
    const char *summary; /* one line for `help` */
    const char *help;    /* for `help CMD`: what it does, the syntax, an example */
    unsigned flags;      /* COMMAND_* */
    /*
     * For a COMMAND_NEEDS_CONTROL command: what does the same in gdb (e.g. "break ADDR"),
     * named in the error that gdb's monitor gives; may be NULL.
     */
    const char *in_gdb;
    /*
     * Runs the command with argv[0] set to its canonical name and argv[1..argc-1] the
     * user's arguments, writing everything, errors included, to out. Returns 0, or -1
     * after printing a one-line error.
     */
    int (*run)(const struct command_env *env, int argc, char **argv, FILE *out);
};

/*
 * Runs one command line, writing its output and errors to out. The line is split
 * into words at blanks; '...' and "..." quote a word (inside "...", \" and \\ escape),
 * and a # outside quotes starts a comment. The first word is looked up with
 * command_find. Returns 0 on success and for a line that is empty, blank or only a
 * comment (nothing is printed then); -1 after printing a one-line error for an unknown
 * or ambiguous command ("unknown command 'x': try 'help'"), a line longer than
 * COMMAND_LINE_MAX, a control character (other than blanks) anywhere in the line, more
 * than COMMAND_ARGS_MAX words, an unterminated quote, or a failing command. line may be NULL
 * (treated as empty); env must not be NULL.
 */
int command_execute(const struct command_env *env, const char *line, FILE *out);

/*
 * Finds a command by its exact name or one of its aliases; failing that, by a prefix
 * of names and aliases that fits exactly one command (so "exi" finds "exits"). Prefixes
 * are a convenience for people typing: a new command can make one ambiguous, so
 * scripts should spell names out. Returns NULL when nothing or more than one command
 * fits, or name is NULL or empty.
 */
const struct command *command_find(const char *name);

/*
 * The number of commands in the table, and the i-th (NULL when i >= command_count()),
 * in `help` order; for listings and the shell's completion.
 */
size_t command_count(void);
const struct command *command_at(size_t i);

/*
 * Helpers for run functions: print "NAME: MESSAGE" (command_error) or
 * "NAME: MESSAGE (usage: USAGE)" (command_usage_error) as one line to out, and return
 * -1 so that a run function can `return command_error(...)`.
 */
int command_error(FILE *out, const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int command_usage_error(FILE *out, const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The kernel's symbols for env, or NULL when it has none (env->symbols is NULL or
 * returned NULL).
 */
struct symbolizer *command_symbols(const struct command_env *env);

/* The commands, one definition each in the shell/cmd_*.c of its group. */
extern const struct command cmd_help;             /* command.c */
extern const struct command cmd_regs;             /* cmd_regs.c */
extern const struct command cmd_segs;             /* cmd_regs.c */
extern const struct command cmd_dr;               /* cmd_regs.c */
extern const struct command cmd_x;                /* cmd_examine.c */
extern const struct command cmd_xp;               /* cmd_examine.c */
extern const struct command cmd_disas;            /* cmd_examine.c */
extern const struct command cmd_pt;               /* cmd_memory.c */
extern const struct command cmd_map;              /* cmd_memory.c */
extern const struct command cmd_mem;              /* cmd_memory.c */
extern const struct command cmd_gdt;              /* cmd_tables.c */
extern const struct command cmd_idt;              /* cmd_tables.c */
extern const struct command cmd_exc;              /* cmd_exception.c */
extern const struct command cmd_exits;            /* cmd_exits.c */
extern const struct command cmd_net;              /* cmd_net.c */
extern const struct command cmd_sym;              /* cmd_symbols.c */
extern const struct command cmd_list;             /* cmd_symbols.c */
extern const struct command cmd_bt;               /* cmd_symbols.c */
extern const struct command cmd_break;            /* cmd_control.c */
extern const struct command cmd_hbreak;           /* cmd_control.c */
extern const struct command cmd_watch;            /* cmd_control.c */
extern const struct command cmd_rwatch;           /* cmd_control.c */
extern const struct command cmd_awatch;           /* cmd_control.c */
extern const struct command cmd_delete;           /* cmd_control.c */
extern const struct command cmd_stepi;            /* cmd_control.c */
extern const struct command cmd_nexti;            /* cmd_control.c */
extern const struct command cmd_continue;         /* cmd_control.c */
extern const struct command cmd_core;             /* cmd_core.c */
extern const struct command cmd_quit;             /* cmd_control.c */
extern const struct command cmd_reverse_stepi;    /* cmd_reverse.c */
extern const struct command cmd_reverse_continue; /* cmd_reverse.c */
extern const struct command cmd_record;           /* cmd_reverse.c */

#endif /* UKVM_SHELL_COMMAND_H */
