/*
 * sandbox_rules.c: the sandbox's allowlists and their argument checks (see sandbox_rules.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "sandbox_rules.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- ioctl requests */

struct request {
    unsigned long value;
    const char *name;
};
#define REQUEST(r) \
    {              \
        r, #r      \
    }

/* The vCPU's requests after set-up: running, registers, and what a crash report reads. */
static const struct request kvm_run_requests[] = {
    REQUEST(KVM_RUN),           REQUEST(KVM_GET_REGS),
    REQUEST(KVM_SET_REGS),      REQUEST(KVM_GET_SREGS),
    REQUEST(KVM_SET_SREGS),     REQUEST(KVM_GET_FPU),
    REQUEST(KVM_SET_FPU),       REQUEST(KVM_GET_VCPU_EVENTS),
    REQUEST(KVM_GET_DEBUGREGS), REQUEST(KVM_SET_GUEST_DEBUG),
};

/* Debuggers': page-trap watchpoints remap guest memory (ukvm/vm/mem_slots.h); a debug
 * exception the debugger did not cause goes back to the guest (vcpu_inject_exception);
 * reverse execution restores a checkpoint's debug registers (ukvm/replay/checkpoint.h). */
static const struct request kvm_debug_requests[] = {
    REQUEST(KVM_SET_USER_MEMORY_REGION),
    REQUEST(KVM_SET_VCPU_EVENTS),
    REQUEST(KVM_SET_DEBUGREGS),
};

/* readline and isatty: terminal modes and window size. */
static const struct request terminal_requests[] = {
    REQUEST(TCGETS),     REQUEST(TCSETS),     REQUEST(TCSETSW),  REQUEST(TCSETSF),
    REQUEST(TIOCGWINSZ), REQUEST(TIOCSWINSZ), REQUEST(FIONREAD),
};

/* fcntl: descriptor and status flags (libraries check O_CLOEXEC; --net:NAME=@FD's are
 * restored at exit). */
static const int file_flag_commands[] = {F_GETFD, F_SETFD, F_GETFL, F_SETFL};

/* ---------------------------------------------------------------- the groups */

static const struct sandbox_call every_run[] = {
    /* The run loop, the console, the wake descriptor (stop_signals.h), solo5_yield. */
    {"ioctl", SANDBOX_ARG_KVM_RUN_IOCTLS},
    {"read", SANDBOX_ARG_ANY},
    {"write", SANDBOX_ARG_ANY},
    {"writev", SANDBOX_ARG_ANY}, /* glibc's and the dynamic loader's own messages */
    {"ppoll", SANDBOX_ARG_ANY},
    /* The console waits for output room or a stop request (hc_console_write); gdb's
       connection too. */
    {"poll", SANDBOX_ARG_ANY},
    {"clock_gettime", SANDBOX_ARG_ANY},
    {"gettimeofday", SANDBOX_ARG_ANY},
    {"clock_nanosleep", SANDBOX_ARG_ANY},
    {"nanosleep", SANDBOX_ARG_ANY},
    /* Memory: malloc, stdio buffers; a library loaded on first use maps its file. */
    {"brk", SANDBOX_ARG_ANY},
    {"mmap", SANDBOX_ARG_MMAP_NO_WX},
    {"munmap", SANDBOX_ARG_ANY},
    {"mremap", SANDBOX_ARG_ANY},
    {"madvise", SANDBOX_ARG_ANY},
    {"mprotect", SANDBOX_ARG_NO_EXEC},
    /* Signals: SIGINT/SIGTERM end the guest, debuggers' kicks, abort(). */
    {"rt_sigreturn", SANDBOX_ARG_ANY},
    {"rt_sigprocmask", SANDBOX_ARG_ANY},
    {"rt_sigaction", SANDBOX_ARG_NOT_SIGSYS},
    {"restart_syscall", SANDBOX_ARG_ANY},
    {"getpid", SANDBOX_ARG_ANY},
    {"gettid", SANDBOX_ARG_ANY},
    {"tgkill", SANDBOX_ARG_SELF},
    {"futex", SANDBOX_ARG_ANY},
    /*
     * Crash reports' symbols: the unikernel's ELF file and libdw, loaded at the first
     * crash (lazy_lib.h) so that a guest that does not crash never pays for them.
     */
    {"openat", SANDBOX_ARG_OPEN_READ_ONLY},
    {"readlink", SANDBOX_ARG_ANY},
    {"fcntl", SANDBOX_ARG_FILE_FLAGS},
    {"newfstatat", SANDBOX_ARG_ANY},
    {"fstat", SANDBOX_ARG_ANY},
    {"lseek", SANDBOX_ARG_ANY},
    {"pread64", SANDBOX_ARG_ANY},
    {"close", SANDBOX_ARG_ANY},
    {"sysinfo", SANDBOX_ARG_ANY}, /* qsort (libdw) sizes its buffer by the memory */
    {"exit_group", SANDBOX_ARG_ANY},
    {"exit", SANDBOX_ARG_ANY},
};

static const struct sandbox_call block[] = {
    {"pread64", SANDBOX_ARG_ANY},
    {"pwrite64", SANDBOX_ARG_ANY},
};

/* Frames are read and written on the tap (read, write); --pcap writes its file (write). */

static const struct sandbox_call core[] = {
    {"openat", SANDBOX_ARG_ANY},          {"pwrite64", SANDBOX_ARG_ANY},
    {"ftruncate", SANDBOX_ARG_ANY},       {"unlink", SANDBOX_ARG_ANY},
    {"prlimit64", SANDBOX_ARG_GET_LIMIT},
};

static const struct sandbox_call debuggers[] = {
    {"ioctl", SANDBOX_ARG_KVM_DEBUG_IOCTLS},
};

static const struct sandbox_call gdb[] = {
    /* The connection, a reconnection after gdb went away, Ctrl-C's shutdown. */
    {"accept4", SANDBOX_ARG_ANY},
    {"setsockopt", SANDBOX_ARG_TCP_NODELAY},
    {"recvfrom", SANDBOX_ARG_ANY},
    {"sendto", SANDBOX_ARG_ANY},
    {"shutdown", SANDBOX_ARG_ANY},
    /* The watcher thread of each session (gdbstub/watcher.h). */
    {"clone", SANDBOX_ARG_THREAD},
    {"clone3", SANDBOX_ARG_ENOSYS},
    {"set_robust_list", SANDBOX_ARG_ANY},
    {"rseq", SANDBOX_ARG_ANY},
    {"eventfd2", SANDBOX_ARG_ANY},
    {"epoll_create1", SANDBOX_ARG_ANY},
    {"epoll_ctl", SANDBOX_ARG_ANY},
    {"epoll_wait", SANDBOX_ARG_ANY},
    {"epoll_pwait", SANDBOX_ARG_ANY},
};

static const struct sandbox_call shell[] = {
    {"ioctl", SANDBOX_ARG_TERMINAL_IOCTLS},
    {"pselect6", SANDBOX_ARG_ANY}, /* readline waits for a key */
    /* The history file (~/.ukvm_history), rewritten by readline through a new file. */
    {"rename", SANDBOX_ARG_ANY},
    {"chown", SANDBOX_ARG_ANY},
};

/* What the sanitizers' runtime does when it reports, and LeakSanitizer's check at exit. */
static const struct sandbox_call sanitizer[] = {
    {"clone", SANDBOX_ARG_ANY},
    {"ptrace", SANDBOX_ARG_ANY},
    {"wait4", SANDBOX_ARG_ANY},
    {"prctl", SANDBOX_ARG_ANY},
    {"sched_yield", SANDBOX_ARG_ANY},
    {"sigaltstack", SANDBOX_ARG_ANY},
    {"getdents64", SANDBOX_ARG_ANY},
    {"kill", SANDBOX_ARG_SELF},
    {"open", SANDBOX_ARG_OPEN_READ_ONLY},
    {"getdents", SANDBOX_ARG_ANY},
    {"getppid", SANDBOX_ARG_ANY},
    {"sched_getaffinity", SANDBOX_ARG_ANY},
    {"pselect6", SANDBOX_ARG_ANY},
    {"ioctl", SANDBOX_ARG_TERMINAL_IOCTLS}, /* is stderr a terminal (colours) */
};

#define GROUP(title, needs, calls)               \
    {                                            \
        title, needs, false, calls, COUNT(calls) \
    }
const struct sandbox_group sandbox_groups[] = {
    GROUP("every run", 0, every_run),
    GROUP("block devices (--disk, --block)", SANDBOX_BLOCK, block),
    GROUP("core files (--core, --dumpcore; gdb's `monitor core`, the shell's `core`)",
          SANDBOX_CORE | SANDBOX_GDB | SANDBOX_SHELL, core),
    GROUP("debuggers (--gdb, --shell)", SANDBOX_GDB | SANDBOX_SHELL, debuggers),
    GROUP("--gdb", SANDBOX_GDB, gdb),
    GROUP("--shell", SANDBOX_SHELL, shell),
    {"the ASan/UBSan build (build/asan/ukvm) only", 0, true, sanitizer, COUNT(sanitizer)},
};
const size_t sandbox_group_count = COUNT(sandbox_groups);

/* ---------------------------------------------------------------- rules */

static int add_rule(scmp_filter_ctx ctx, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

static int add_requests(scmp_filter_ctx ctx, int nr, const struct request *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* The kernel reads the request as 32 bits: the upper half never matters. */
        struct scmp_arg_cmp cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, r[i].value);
        int rc = add_rule(ctx, nr, 1, &cmp);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sandbox_rules_add(scmp_filter_ctx ctx, const struct sandbox_call *call, int pid, char *err,
                      size_t errlen)
{
    int nr = seccomp_syscall_resolve_name(call->name);
    if (nr == __NR_SCMP_ERROR) {
        snprintf(err, errlen, "libseccomp does not know the system call %s", call->name);
        return -1;
    }
    /* O_TMPFILE includes O_DIRECTORY, which a read-only open may give. */
    const scmp_datum_t writing =
        O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY);
    struct scmp_arg_cmp c[2];
    int rc = 0;
    switch (call->arg) {
    case SANDBOX_ARG_ANY:
        rc = add_rule(ctx, nr, 0, NULL);
        break;
    case SANDBOX_ARG_KVM_RUN_IOCTLS:
        rc = add_requests(ctx, nr, kvm_run_requests, COUNT(kvm_run_requests));
        break;
    case SANDBOX_ARG_KVM_DEBUG_IOCTLS:
        rc = add_requests(ctx, nr, kvm_debug_requests, COUNT(kvm_debug_requests));
        break;
    case SANDBOX_ARG_TERMINAL_IOCTLS:
        rc = add_requests(ctx, nr, terminal_requests, COUNT(terminal_requests));
        break;
    case SANDBOX_ARG_OPEN_READ_ONLY:
        /* open(path, flags, mode); openat(dirfd, path, flags, mode). */
        c[0] = nr == SCMP_SYS(open) ? SCMP_A1(SCMP_CMP_MASKED_EQ, writing, 0)
                                    : SCMP_A2(SCMP_CMP_MASKED_EQ, writing, 0);
        rc = add_rule(ctx, nr, 1, c);
        break;
    case SANDBOX_ARG_MMAP_NO_WX:
        c[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
        rc = add_rule(ctx, nr, 1, c);
        c[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC | PROT_WRITE, PROT_EXEC);
        c[1] = SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, 0);
        if (rc == 0)
            rc = add_rule(ctx, nr, 2, c);
        break;
    case SANDBOX_ARG_NO_EXEC:
        c[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
        rc = add_rule(ctx, nr, 1, c);
        break;
    case SANDBOX_ARG_NOT_SIGSYS:
        c[0] = SCMP_A0(SCMP_CMP_NE, SIGSYS);
        rc = add_rule(ctx, nr, 1, c);
        break;
    case SANDBOX_ARG_SELF:
        c[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pid);
        rc = add_rule(ctx, nr, 1, c);
        break;
    case SANDBOX_ARG_THREAD:
        c[0] = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
        rc = add_rule(ctx, nr, 1, c);
        break;
    case SANDBOX_ARG_ENOSYS:
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        break;
    case SANDBOX_ARG_FILE_FLAGS:
        for (size_t i = 0; i < COUNT(file_flag_commands) && rc == 0; i++) {
            c[0] = SCMP_A1(SCMP_CMP_EQ, file_flag_commands[i]);
            rc = add_rule(ctx, nr, 1, c);
        }
        break;
    case SANDBOX_ARG_GET_LIMIT:
        c[0] = SCMP_A0(SCMP_CMP_EQ, 0);
        c[1] = SCMP_A2(SCMP_CMP_EQ, 0);
        rc = add_rule(ctx, nr, 2, c);
        break;
    case SANDBOX_ARG_TCP_NODELAY:
        c[0] = SCMP_A1(SCMP_CMP_EQ, IPPROTO_TCP);
        c[1] = SCMP_A2(SCMP_CMP_EQ, TCP_NODELAY);
        rc = add_rule(ctx, nr, 2, c);
        break;
    }
    if (rc < 0) {
        snprintf(err, errlen, "libseccomp refused the rule for %s: %s", call->name, strerror(-rc));
        return -1;
    }
    return 0;
}

static void print_requests(FILE *out, const struct request *r, size_t n)
{
    fprintf(out, "  (requests");
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %s", r[i].name);
    fprintf(out, ")");
}

void sandbox_rules_print_arg(FILE *out, enum sandbox_arg arg)
{
    switch (arg) {
    case SANDBOX_ARG_ANY:
        break;
    case SANDBOX_ARG_KVM_RUN_IOCTLS:
        print_requests(out, kvm_run_requests, COUNT(kvm_run_requests));
        break;
    case SANDBOX_ARG_KVM_DEBUG_IOCTLS:
        print_requests(out, kvm_debug_requests, COUNT(kvm_debug_requests));
        break;
    case SANDBOX_ARG_TERMINAL_IOCTLS:
        print_requests(out, terminal_requests, COUNT(terminal_requests));
        break;
    case SANDBOX_ARG_OPEN_READ_ONLY:
        fprintf(out, "  (read-only: no O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_TMPFILE)");
        break;
    case SANDBOX_ARG_MMAP_NO_WX:
        fprintf(out, "  (PROT_EXEC only for a file mapping without PROT_WRITE)");
        break;
    case SANDBOX_ARG_NO_EXEC:
        fprintf(out, "  (never PROT_EXEC)");
        break;
    case SANDBOX_ARG_NOT_SIGSYS:
        fprintf(out, "  (any signal but SIGSYS)");
        break;
    case SANDBOX_ARG_SELF:
        fprintf(out, "  (this process only)");
        break;
    case SANDBOX_ARG_THREAD:
        fprintf(out, "  (threads only: CLONE_THREAD)");
        break;
    case SANDBOX_ARG_ENOSYS:
        fprintf(out, "  (fails with ENOSYS: glibc then uses clone, whose flags seccomp can see)");
        break;
    case SANDBOX_ARG_FILE_FLAGS:
        fprintf(out, "  (F_GETFD, F_SETFD, F_GETFL, F_SETFL)");
        break;
    case SANDBOX_ARG_GET_LIMIT:
        fprintf(out, "  (reading this process's limits only)");
        break;
    case SANDBOX_ARG_TCP_NODELAY:
        fprintf(out, "  (IPPROTO_TCP TCP_NODELAY only)");
        break;
    }
}
