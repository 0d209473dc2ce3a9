/*
 * sandbox_rules.h: the sandbox's allowlists (see sandbox.h), as tables of system-call
 * names with what each may be given, grouped by what needs them.
 *
 * A feature that makes a new system call after set-up adds it here, to the group of the
 * mode that uses it, and a test (tests/scripts/sandbox.sh) runs that feature sandboxed.
 */
#ifndef UKVM_SANDBOX_RULES_H
#define UKVM_SANDBOX_RULES_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What the run needs beyond the calls every run makes; each adds a group of calls. */
enum sandbox_need {
    SANDBOX_BLOCK = 1 << 0, /* --disk, --block */
    SANDBOX_NET = 1 << 1,   /* --net (and --pcap) */
    SANDBOX_CORE = 1 << 2,  /* --core, --dumpcore: a core file written at a crash */
    SANDBOX_GDB = 1 << 3,   /* --gdb */
    SANDBOX_SHELL = 1 << 4, /* --shell */
};

/* What a call may be given. Seccomp sees argument values, never the memory they point to. */
enum sandbox_arg {
    SANDBOX_ARG_ANY,
    SANDBOX_ARG_KVM_RUN_IOCTLS,   /* ioctl: the vCPU requests every run makes */
    SANDBOX_ARG_KVM_DEBUG_IOCTLS, /* ioctl: those debuggers add (guest debug, memory slots) */
    SANDBOX_ARG_TERMINAL_IOCTLS,  /* ioctl: reading and setting terminal modes and size */
    SANDBOX_ARG_OPEN_READ_ONLY,   /* openat: no write access, no O_CREAT, O_TRUNC, O_APPEND */
    SANDBOX_ARG_MMAP_NO_WX,       /* mmap: executable only for files, never writable then */
    SANDBOX_ARG_NO_EXEC,          /* mprotect: never PROT_EXEC */
    SANDBOX_ARG_NOT_SIGSYS,       /* rt_sigaction: any signal but SIGSYS (the sandbox's) */
    SANDBOX_ARG_SELF,             /* tgkill, kill: this process only */
    SANDBOX_ARG_THREAD,           /* clone: threads (CLONE_THREAD) only */
    SANDBOX_ARG_ENOSYS,           /* not allowed, fails with ENOSYS (clone3: glibc uses clone) */
    SANDBOX_ARG_FILE_FLAGS,       /* fcntl: F_GETFD, F_SETFD, F_GETFL, F_SETFL only */
    SANDBOX_ARG_GET_LIMIT,        /* prlimit64: reading this process's limits only */
    SANDBOX_ARG_TCP_NODELAY,      /* setsockopt: TCP_NODELAY only */
};

struct sandbox_call {
    const char *name; /* as libseccomp and strace name it */
    enum sandbox_arg arg;
};

struct sandbox_group {
    const char *title;
    unsigned needs; /* enum sandbox_need bits: any of them adds the group; 0: every run */
    bool sanitizer; /* only in the ASan/UBSan build */
    const struct sandbox_call *calls;
    size_t count;
};

extern const struct sandbox_group sandbox_groups[];
extern const size_t sandbox_group_count;

/*
 * Adds the rules allowing call (with its argument restriction) to ctx; pid is this
 * process's, for SANDBOX_ARG_SELF. Returns 0, or -1 with the reason in err.
 */
int sandbox_rules_add(scmp_filter_ctx ctx, const struct sandbox_call *call, int pid, char *err,
                      size_t errlen);

/* Prints call's restriction after its name: "" for SANDBOX_ARG_ANY, else "  (...)". */
void sandbox_rules_print_arg(FILE *out, enum sandbox_arg arg);

#endif /* UKVM_SANDBOX_RULES_H */
